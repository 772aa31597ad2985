package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.adapter.EncodedPacket;
import dev.parley.engine.EnginePacket;
import java.util.List;

/**
 * Core's {@link EncodedPacket}: the Engine.IO frames of one packet, encoded once for every recipient,
 * and the connection state recovery offset they carry (null for none), by which a restoring socket
 * skips a live delivery it was already replayed. It also keeps, for counting and observing the
 * deliveries, the packet's JSON array (without the offset) and the {@link DeliveryTally} of the emit
 * it came from (null for another server's packet).
 */
final class EncodedFrames implements EncodedPacket {
  private final List<EnginePacket> frames;
  private final String offset;
  private final JsonNode array;
  private final DeliveryTally tally;
  /** The event's arguments for observers, made on first use; immutable, so a racy first use is harmless. */
  private Args args;

  EncodedFrames(List<EnginePacket> frames, String offset, JsonNode array, DeliveryTally tally) {
    this.frames = frames;
    this.offset = offset;
    this.array = array;
    this.tally = tally;
  }

  List<EnginePacket> frames() {
    return frames;
  }

  @Override
  public String offset() {
    return offset;
  }

  DeliveryTally tally() {
    return tally;
  }

  /** The event name ({@code [event, ...args]}), or null when the packet is not an event. */
  String event() {
    JsonNode first = array.get(0);
    return first != null && first.isTextual() ? first.textValue() : null;
  }

  /** The event's arguments, made once per packet. */
  Args args(Wire wire) {
    Args a = args;
    if (a == null) {
      a = wire.args(array, 1);
      args = a;
    }
    return a;
  }
}
