package dev.parley.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.engine.EnginePacket;
import dev.parley.internal.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the Socket.IO packets of one connection. Stateful: after a BINARY_EVENT or BINARY_ACK
 * header it collects the announced attachments and returns the packet once they have all arrived,
 * with every placeholder replaced by a Jackson {@code BinaryNode}. It applies the reference parser's
 * rules: any deviation throws {@link SioParseException}, and the caller closes the connection.
 *
 * <pre>{@code
 * SioDecoder decoder = new SioDecoder(mapper, 10);
 * SioPacket p = decoder.add(EnginePacket.message("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]")); // null
 * p = decoder.add(EnginePacket.message(new byte[] {1, 2, 3}));                                   // complete
 * }</pre>
 */
public final class SioDecoder {
  /** Event names a client may not send. */
  public static final Set<String> RESERVED_EVENTS =
      Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

  private final ObjectReader reader;
  private final int maxAttachments;

  private SioPacket pending;
  private int expected;
  private List<byte[]> buffers;
  /** Characters of the pending header plus bytes of the attachments collected for it. */
  private long held;

  public SioDecoder(ObjectMapper mapper, int maxAttachments) {
    this(strictReader(mapper), maxAttachments);
  }

  /**
   * A decoder using a reader made once by {@link #strictReader}: readers are immutable and thread-safe,
   * so a server shares one across its connections instead of deriving one per connection.
   */
  public SioDecoder(ObjectReader strictReader, int maxAttachments) {
    this.reader = strictReader;
    this.maxAttachments = maxAttachments;
  }

  /** The JSON reader the decoder needs: {@code mapper}'s, failing on anything after the value. */
  public static ObjectReader strictReader(ObjectMapper mapper) {
    return mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** True while binary attachments of a packet are still expected. */
  public boolean awaitingAttachments() {
    return pending != null;
  }

  /**
   * What the decoder holds for a packet whose attachments have not all arrived: the characters of
   * its header plus the bytes of the attachments so far; 0 when nothing is pending. Each
   * {@link #add} changes it; a caller that bounds it checks after each.
   */
  public long heldBytes() {
    return held;
  }

  /** Drops a packet still waiting for attachments (the connection is going away). */
  public void reset() {
    pending = null;
    buffers = null;
    held = 0;
  }

  /**
   * Feeds one Engine.IO message. Returns the decoded packet, or {@code null} while attachments are
   * still expected.
   */
  public SioPacket add(EnginePacket message) throws SioParseException {
    if (message.isBinary()) {
      if (pending == null) {
        throw new SioParseException("got binary data when not reconstructing a packet");
      }
      buffers.add(message.binary());
      if (buffers.size() < expected) {
        held += message.binary().length;
        return null;
      }
      SioPacket head = pending;
      List<byte[]> bufs = buffers;
      pending = null;
      buffers = null;
      held = 0;
      return new SioPacket(head.type(), head.nsp(), head.id(), substitute(head.data(), bufs));
    }
    if (pending != null) {
      throw new SioParseException("got plaintext data when reconstructing a packet");
    }
    return decodeString(message.text());
  }

  private SioPacket decodeString(String s) throws SioParseException {
    if (s.isEmpty()) {
      throw new SioParseException("empty packet");
    }
    SioPacketType type = SioPacketType.fromDigit(s.charAt(0));
    if (type == null) {
      throw new SioParseException("unknown packet type " + s.charAt(0));
    }
    int i = 1;
    int attachments = 0;
    if (type.isBinary()) {
      int dash = s.indexOf('-', i);
      if (dash < 0 || dash == i || dash - i > 9) {
        throw new SioParseException("illegal attachments");
      }
      for (int k = i; k < dash; k++) {
        if (!isDigit(s.charAt(k))) {
          throw new SioParseException("illegal attachments");
        }
      }
      attachments = Integer.parseInt(s.substring(i, dash));
      if (attachments < 1) {
        throw new SioParseException("illegal attachments");
      }
      if (attachments > maxAttachments) {
        throw new SioParseException("too many attachments: " + attachments + " > " + maxAttachments);
      }
      i = dash + 1;
    }
    String nsp = "/";
    if (i < s.length() && s.charAt(i) == '/') {
      int comma = s.indexOf(',', i);
      int end = comma < 0 ? s.length() : comma;
      nsp = s.substring(i, end);
      i = comma < 0 ? end : end + 1;
    }
    long id = SioPacket.NO_ID;
    int idStart = i;
    while (i < s.length() && isDigit(s.charAt(i))) {
      i++;
    }
    if (i > idStart) {
      if (i - idStart > 15) {
        throw new SioParseException("ack id too long");
      }
      id = Long.parseLong(s.substring(idStart, i));
    }
    JsonNode data = null;
    if (i < s.length()) {
      try {
        data = Json.read(s, i, reader);
      } catch (IOException | RuntimeException e) {
        throw new SioParseException("invalid payload");
      }
      if (data == null || data.isMissingNode()) {
        throw new SioParseException("invalid payload");
      }
    }
    if (!validPayload(type, data)) {
      throw new SioParseException("invalid payload");
    }
    SioPacket packet = new SioPacket(type, nsp, id, data);
    if (type.isBinary()) {
      pending = packet;
      expected = attachments;
      buffers = new ArrayList<>(attachments);
      held = s.length();
      return null;
    }
    return packet;
  }

  private static boolean validPayload(SioPacketType type, JsonNode data) {
    switch (type) {
      case CONNECT:
        return data == null || data.isObject();
      case DISCONNECT:
        return data == null;
      case CONNECT_ERROR:
        return data != null && (data.isObject() || data.isTextual());
      case EVENT:
      case BINARY_EVENT:
        if (data == null || !data.isArray() || data.isEmpty()) {
          return false;
        }
        JsonNode name = data.get(0);
        return name.isNumber() || name.isTextual() && !RESERVED_EVENTS.contains(name.asText());
      case ACK:
      case BINARY_ACK:
        return data != null && data.isArray();
      default:
        return false;
    }
  }

  private static JsonNode substitute(JsonNode node, List<byte[]> buffers) throws SioParseException {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      JsonNode ph = node.get("_placeholder");
      if (ph != null && ph.isBoolean() && ph.booleanValue()) {
        JsonNode num = node.get("num");
        if (num == null || !num.isIntegralNumber() || num.asLong() < 0 || num.asLong() >= buffers.size()) {
          throw new SioParseException("illegal attachments");
        }
        return BinaryNode.valueOf(buffers.get(num.asInt()));
      }
      ObjectNode obj = (ObjectNode) node;
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(substitute(e.getValue(), buffers));
      }
      return obj;
    }
    if (node.isArray()) {
      ArrayNode arr = (ArrayNode) node;
      for (int k = 0; k < arr.size(); k++) {
        arr.set(k, substitute(arr.get(k), buffers));
      }
      return arr;
    }
    return node;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
