package dev.parley.transport.polling;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.testing.WebSocketStub;
import java.util.ArrayList;
import java.util.List;

/** A WebSocket transport stand-in for upgrade tests: always writable, records frames, fires events. */
final class FakeWebSocket extends WebSocketStub {
  private final List<String> frames = new ArrayList<>();

  @Override
  public void send(List<EnginePacket> packets) {
    for (EnginePacket p : packets) {
      frames.add(EngineCodec.encodePayload(List.of(p)));
    }
  }

  /** Frames sent, text as is, binary as {@code b<base64>}. */
  List<String> frames() {
    return frames;
  }
}
