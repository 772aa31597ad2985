package dev.parley.it;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JDK {@link WebSocket} that records what it receives: whole text and binary messages, the close
 * (status code) and errors, in {@link #events()}.
 */
final class JdkWebSocket implements WebSocket.Listener {
  /** {@code text}, {@code binary}, {@code close} or {@code error}. */
  record Event(String type, String text, byte[] binary, int code) {
    @Override
    public String toString() {
      return type + (text != null ? " " + abbreviate(text) : "") + (binary != null ? " " + binary.length + " bytes" : "")
          + (type.equals("close") ? " " + code : "");
    }

    private static String abbreviate(String s) {
      return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
  }

  private final EventLog<Event> events;
  private final StringBuilder text = new StringBuilder();
  private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
  private volatile WebSocket socket;

  private JdkWebSocket(String name) {
    this.events = new EventLog<>(name);
  }

  /** Opens a WebSocket; fails if the handshake fails. */
  static JdkWebSocket open(URI uri) {
    JdkWebSocket ws = new JdkWebSocket("websocket " + uri);
    try {
      ws.socket = openAsync(uri, ws).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("WebSocket " + uri + " did not open: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return ws;
  }

  static CompletableFuture<WebSocket> openAsync(URI uri, JdkWebSocket listener) {
    return Http.CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, listener);
  }

  static JdkWebSocket listener(String name) {
    return new JdkWebSocket(name);
  }

  WebSocket socket() {
    return socket;
  }

  EventLog<Event> events() {
    return events;
  }

  void sendText(String s) {
    join(socket.sendText(s, true));
  }

  void sendBinary(byte[] b) {
    join(socket.sendBinary(ByteBuffer.wrap(b), true));
  }

  Event awaitText(int index) {
    return events.awaitCount(e -> e.type().equals("text"), index + 1, Http.TIMEOUT, "text message").get(index);
  }

  Event awaitClose() {
    return events.awaitFirst(e -> e.type().equals("close") || e.type().equals("error"), Http.TIMEOUT, "close");
  }

  void abort() {
    WebSocket s = socket;
    if (s != null) {
      s.abort();
    }
  }

  private static void join(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("WebSocket send failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    this.socket = webSocket;
    webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      events.add(new Event("text", text.toString(), null, 0));
      text.setLength(0);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    binary.writeBytes(chunk);
    if (last) {
      events.add(new Event("binary", null, binary.toByteArray(), 0));
      binary.reset();
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    events.add(new Event("close", reason, null, statusCode));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    events.add(new Event("error", String.valueOf(error), null, -1));
  }
}
