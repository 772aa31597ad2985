package dev.parley.transport.polling;

import dev.parley.engine.EngineRequest;

/**
 * The HTTP host SPI: the few things a web server must provide for long-polling. One exchange is one
 * HTTP request and its response, which may be given later from any thread (a held long-poll GET).
 * {@code transport-jetty} implements it on Jetty 12; a servlet or Netty host would implement it too.
 *
 * <pre>{@code
 * final class MyExchange implements HttpExchange {
 *   public EngineRequest request() { return EngineRequest.builder().method("GET").uri(uri).build(); }
 *   public void readBody(int maxBytes, BodyHandler handler) { handler.onBody(readAllUpTo(maxBytes)); }
 *   public void setHeader(String name, String value) { headers.put(name, value); }
 *   public void respond(int status, String contentType, byte[] body) { write(status, contentType, body); }
 *   public void onAbort(Runnable callback) { connection.onClose(callback); }
 * }
 * }</pre>
 */
public interface HttpExchange {
  /** Method, URL, headers and peer of the request. */
  EngineRequest request();

  /**
   * Reads the whole request body without blocking the caller and calls exactly one method of
   * {@code handler}, from any thread. A body longer than {@code maxBytes} is not buffered: the host
   * calls {@link BodyHandler#onTooLarge()} as soon as it knows (Content-Length or bytes read).
   */
  void readBody(int maxBytes, BodyHandler handler);

  /** Sets a response header; only before {@link #respond}. */
  void setHeader(String name, String value);

  /**
   * Adds a value to a response header, keeping those set before (a second {@code Set-Cookie}); only
   * before {@link #respond}. By default it sets the header, for hosts that cannot repeat one.
   */
  default void addHeader(String name, String value) {
    setHeader(name, value);
  }

  /**
   * Sends the response and completes the exchange; from any thread, at most once (later calls are
   * ignored). {@code contentType} may be null when {@code body} is empty.
   */
  void respond(int status, String contentType, byte[] body);

  /**
   * Registers a callback run (once, from any thread) if the client goes away before the response is
   * sent, for example by aborting a pending long-poll GET.
   */
  void onAbort(Runnable callback);

  /** Receives a request body. */
  interface BodyHandler {
    void onBody(byte[] body);

    void onTooLarge();

    void onFailure(Throwable cause);
  }
}
