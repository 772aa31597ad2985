package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.engine.protocol.EnginePacket;
import java.util.ArrayList;
import java.util.List;

/** Connection state recovery: event data and encoded frames that carry their offset. */
final class Offsets {
  private Offsets() {}

  /** Event data {@code [event, ...args, offset]} whose last element is the offset. */
  record Event(ArrayNode array, String offset) {}

  /** The frames of one encoded event, with its offset (so a restoring socket can skip duplicates). */
  static final class Frames extends ArrayList<EnginePacket> {
    private static final long serialVersionUID = 1L;
    final transient String offset;

    Frames(List<EnginePacket> frames, String offset) {
      super(frames);
      this.offset = offset;
    }
  }

  /** The array of event data (with its offset if it has one). */
  static ArrayNode array(Object data) {
    return data instanceof Event ? ((Event) data).array() : (ArrayNode) data;
  }

  /** The offset of event data: an {@link Event}'s, else the last argument if it is a string (else null). */
  static String offset(Object data) {
    if (data instanceof Event) {
      return ((Event) data).offset();
    }
    ArrayNode arr = (ArrayNode) data;
    JsonNode last = arr.size() > 1 ? arr.get(arr.size() - 1) : null;
    return last != null && last.isTextual() ? last.textValue() : null;
  }
}
