package dev.parley.engine;

import dev.parley.engine.protocol.EngineCodec;
import java.util.ArrayList;
import java.util.List;

/** Records what a session delivers: messages in payload form, and close reasons. */
class RecordingListener implements EngineSession.Listener {
  final List<EnginePacket> packets = new ArrayList<>();
  final List<String> closeReasons = new ArrayList<>();

  @Override
  public void onMessage(EngineSession session, EnginePacket packet) {
    packets.add(packet);
  }

  @Override
  public void onClose(EngineSession session, String reason) {
    closeReasons.add(reason);
  }

  /** Messages as {@code 4<text>} or {@code b<base64>}. */
  List<String> messages() {
    List<String> out = new ArrayList<>();
    for (EnginePacket p : packets) {
      out.add(EngineCodec.encodePayload(List.of(p)));
    }
    return out;
  }
}
