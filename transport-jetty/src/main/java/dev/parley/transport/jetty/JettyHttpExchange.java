package dev.parley.transport.jetty;

import dev.parley.engine.EngineRequest;
import dev.parley.transport.polling.HttpExchange;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/** The HTTP host SPI on Jetty 12 core: one request, answered now or later from any thread. */
final class JettyHttpExchange implements HttpExchange {
  private final Request request;
  private final Response response;
  private final Callback callback;
  private final EngineRequest engineRequest;
  private final long bodyTimeoutMillis;
  private final AtomicBoolean responded = new AtomicBoolean();
  /** The request body was read to its end (or there is none to read). */
  private volatile boolean bodyDone;

  JettyHttpExchange(Request request, Response response, Callback callback, EngineRequest engineRequest,
      long bodyTimeoutMillis) {
    this.bodyTimeoutMillis = bodyTimeoutMillis;
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.engineRequest = engineRequest;
  }

  @Override
  public EngineRequest request() {
    return engineRequest;
  }

  @Override
  public void readBody(int maxBytes, BodyHandler handler) {
    long declared = request.getLength();
    if (declared > maxBytes) {
      handler.onTooLarge();
      return;
    }
    // the idle timeout does not catch a body dribbled one byte at a time: bound the whole read
    Scheduler.Task deadline = request.getComponents().getScheduler().schedule(
        () -> request.fail(new TimeoutException("request body not received within " + bodyTimeoutMillis + " ms")),
        bodyTimeoutMillis, TimeUnit.MILLISECONDS);
    new BodyReader(maxBytes, declared, handler, deadline).run();
  }

  /**
   * Reads the body into one array of at most {@code max} bytes, with the read/demand API every Jetty
   * 12 has (12.1's {@code Content.Source.asByteArrayAsync} with a promise is not in 12.0). Its
   * demand callback is non-blocking: it copies and hands over, so Jetty may run it on any thread.
   */
  private final class BodyReader implements Runnable, Invocable {
    private final int max;
    private final BodyHandler handler;
    private final Scheduler.Task deadline;
    private byte[] body;
    private int length;

    BodyReader(int max, long declared, BodyHandler handler, Scheduler.Task deadline) {
      this.max = max;
      this.handler = handler;
      this.deadline = deadline;
      this.body = new byte[(int) Math.min(max, declared >= 0 ? declared : 1024)];
    }

    @Override
    public void run() {
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          deadline.cancel();
          handler.onFailure(chunk.getFailure());
          return;
        }
        ByteBuffer b = chunk.getByteBuffer();
        int n = b.remaining();
        if (n > max - length) {
          chunk.release();
          deadline.cancel();
          handler.onTooLarge();
          return;
        }
        if (length + n > body.length) {
          body = Arrays.copyOf(body, (int) Math.min(max, Math.max(length + n, body.length * 2L)));
        }
        b.get(body, length, n);
        length += n;
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          bodyDone = true;
          deadline.cancel();
          handler.onBody(length == body.length ? body : Arrays.copyOf(body, length));
          return;
        }
      }
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }
  }

  @Override
  public void setHeader(String name, String value) {
    if (!responded.get()) {
      response.getHeaders().put(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if (!responded.get()) {
      response.getHeaders().add(name, value);
    }
  }

  @Override
  public void respond(int status, String contentType, byte[] body) {
    if (!responded.compareAndSet(false, true)) {
      return;
    }
    try {
      response.setStatus(status);
      if (contentType != null) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      }
      response.getHeaders().put(new HttpField(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length)));
      if (!bodyDone && hasBody()) {
        // answered without reading the body (a refused method, 413): the connection cannot be reused
        // for the next request until that body is gone. Say so, rather than leave it to the Jetty version
        // (12.0 may close it without a word, and a client that reuses it then fails its next request).
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      response.write(true, ByteBuffer.wrap(body), callback);
    } catch (RuntimeException e) {
      callback.failed(e); // the client is gone or the response was already committed
    }
  }

  private boolean hasBody() {
    return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
  }

  /**
   * Jetty reports a failure here when the server stops or the request fails; it does not read from an
   * HTTP/1.1 connection while a request is held, so a client that silently drops a held GET is noticed
   * only at its next request (a duplicate GET) or at the ping timeout, whichever comes first.
   */
  @Override
  public void onAbort(Runnable abortCallback) {
    request.addFailureListener(failure -> {
      if (!responded.get()) {
        abortCallback.run();
      }
    });
    // a held GET lasts at most about one ping interval: the heartbeat, not the idle timeout, bounds it
    request.addIdleTimeoutListener(timeout -> false);
  }
}
