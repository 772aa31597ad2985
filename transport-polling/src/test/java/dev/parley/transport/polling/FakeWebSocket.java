package dev.parley.transport.polling;

import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.engine.protocol.EngineParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** A WebSocket transport stand-in for upgrade tests: always writable, records frames, fires events. */
final class FakeWebSocket implements Transport {
  private Transport.Listener listener;
  private Executor executor;
  private boolean closed;
  private final List<String> frames = new ArrayList<>();

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
  public void send(List<EnginePacket> packets) {
    for (EnginePacket p : packets) {
      frames.add(EngineCodec.encodePayload(List.of(p)));
    }
  }

  @Override
  public void close(boolean sendClosePacket) {
    if (closed) {
      return;
    }
    closed = true;
    executor.execute(listener::onClose);
  }

  /** A text frame from the client. */
  void receive(String text) {
    executor.execute(() -> {
      try {
        listener.onPacket(EngineCodec.decodeText(text));
      } catch (EngineParseException e) {
        listener.onParseError(e.getMessage());
      }
    });
  }

  /** Frames sent, text as is, binary as {@code b<base64>}. */
  List<String> frames() {
    return frames;
  }

  boolean closed() {
    return closed;
  }
}
