package dev.parley.testing;

import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EngineParseException;
import java.util.concurrent.Executor;

/**
 * A WebSocket-kind {@link Transport} whose writes complete at once: bound once, writable until closed,
 * the client's text frames fired through the session's executor. Subclasses decide what a send does
 * (record the frames, count bytes). {@link FakeTransport} is the fully scripted one.
 *
 * <pre>{@code
 * final class Counting extends WebSocketStub {
 *   int frames;
 *   public void send(List<EnginePacket> packets) { frames += packets.size(); }
 * }
 * }</pre>
 */
public abstract class WebSocketStub implements Transport {
  private Transport.Listener listener;
  private Executor executor;
  private boolean closed;

  @Override
  public TransportKind kind() {
    return TransportKind.WEBSOCKET;
  }

  @Override
  public void bind(Transport.Listener listener, Executor sessionExecutor) {
    this.listener = listener;
    this.executor = sessionExecutor;
  }

  @Override
  public boolean isWritable() {
    return !closed;
  }

  @Override
  public void close(boolean sendClosePacket) {
    if (closed) {
      return;
    }
    closed = true;
    executor.execute(listener::onClose);
  }

  /** True once the session closed this transport. */
  public boolean closed() {
    return closed;
  }

  /** A text frame from the client. */
  public void receive(String text) {
    executor.execute(() -> {
      try {
        listener.onPacket(EngineCodec.decodeText(text));
      } catch (EngineParseException e) {
        listener.onParseError(e.getMessage());
      }
    });
  }
}
