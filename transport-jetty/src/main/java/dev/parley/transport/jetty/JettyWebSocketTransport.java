package dev.parley.transport.jetty;

import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.engine.protocol.EngineParseException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * The WebSocket transport on Jetty 12: one Engine.IO packet per frame (text frames
 * {@code <digit><payload>}, binary frames the raw message bytes). Jetty's threads only decode and hand
 * over; the session's executor does the rest. Public only because Jetty requires WebSocket endpoints to
 * be public; applications never use it directly.
 *
 * <pre>{@code
 * // what ParleyHandler does for a WebSocket handshake:
 * new JettyWebSocketTransport(maxMessageSize, idleTimeout, t -> engine.handshake(t, request));
 * }</pre>
 */
public final class JettyWebSocketTransport implements Transport, Session.Listener.AutoDemanding {
  private final int maxMessageSize;
  private final Duration idleTimeout;
  private final Consumer<JettyWebSocketTransport> onOpen;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Callback sendCallback = new SendCallback();

  private volatile Session session;
  private volatile Listener listener;
  private volatile Executor executor;
  private volatile boolean closed;

  JettyWebSocketTransport(int maxMessageSize, Duration idleTimeout, Consumer<JettyWebSocketTransport> onOpen) {
    this.maxMessageSize = maxMessageSize;
    this.idleTimeout = idleTimeout;
    this.onOpen = onOpen;
  }

  @Override
  public TransportKind kind() {
    return TransportKind.WEBSOCKET;
  }

  @Override
  public void bind(Listener listener, Executor sessionExecutor) {
    this.listener = listener;
    this.executor = sessionExecutor;
  }

  @Override
  public boolean isWritable() {
    return !closed && inFlight.get() == 0;
  }

  @Override
  public void send(List<EnginePacket> packets) {
    Session s = session;
    if (closed || s == null) {
      return;
    }
    inFlight.set(packets.size());
    for (EnginePacket p : packets) {
      if (p.isBinary()) {
        s.sendBinary(ByteBuffer.wrap(p.binary()), sendCallback);
      } else {
        s.sendText(EngineCodec.encodeText(p), sendCallback);
      }
    }
  }

  @Override
  public void close(boolean sendClosePacket) {
    if (closed) {
      return;
    }
    closed = true;
    Session s = session;
    if (s == null) {
      return;
    }
    if (sendClosePacket) {
      // The reference just closes the socket; telling the client first lets clients that ignore
      // close frames (the Java client) notice at once.
      s.sendText("1", Callback.NOOP);
    }
    s.close(StatusCode.NORMAL, null, Callback.NOOP);
  }

  /** Closes the socket without telling the session (refused upgrade, or shutdown before binding). */
  void abort() {
    closed = true;
    Session s = session;
    if (s != null) {
      s.close(StatusCode.NORMAL, null, Callback.NOOP);
    }
  }

  // ------------------------------------------------------------------ Jetty callbacks (I/O threads)

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    session.setMaxTextMessageSize(maxMessageSize);
    session.setMaxBinaryMessageSize(maxMessageSize);
    session.setIdleTimeout(idleTimeout);
    onOpen.accept(this);
  }

  @Override
  public void onWebSocketText(String message) {
    Executor e = executor;
    if (e == null) {
      return;
    }
    try {
      EnginePacket packet = EngineCodec.decodeText(message);
      e.execute(() -> listener.onPacket(packet));
    } catch (EngineParseException ex) {
      e.execute(() -> listener.onParseError(ex.getMessage()));
    }
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    byte[] data = new byte[payload.remaining()];
    payload.get(data);
    callback.succeed();
    Executor e = executor;
    if (e != null) {
      EnginePacket packet = EngineCodec.decodeBinary(data);
      e.execute(() -> listener.onPacket(packet));
    }
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason, Callback callback) {
    callback.succeed();
    closed = true;
    Executor e = executor;
    if (e != null) {
      e.execute(() -> listener.onClose());
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    closed = true;
    Executor e = executor;
    if (e != null) {
      e.execute(() -> listener.onError("websocket error: " + cause, cause));
    }
  }

  private final class SendCallback implements Callback {
    @Override
    public void succeed() {
      if (inFlight.decrementAndGet() == 0) {
        Executor e = executor;
        if (e != null && !closed) {
          e.execute(() -> listener.onDrain());
        }
      }
    }

    @Override
    public void fail(Throwable cause) {
      Executor e = executor;
      if (e != null) {
        e.execute(() -> listener.onError("websocket write failed: " + cause, cause));
      }
    }
  }
}
