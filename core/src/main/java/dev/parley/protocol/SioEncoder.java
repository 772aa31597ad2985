package dev.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.engine.EnginePacket;
import dev.parley.internal.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Encodes Socket.IO packets into Engine.IO message packets: one text packet
 * {@code <type>[<n>-][<nsp>,][<id>][<json>]}, followed by one binary packet per attachment when the
 * data holds binary at any depth (the packet then becomes BINARY_EVENT or BINARY_ACK and each binary
 * value is replaced, depth-first, by {@code {"_placeholder":true,"num":i}}).
 *
 * <pre>{@code
 * List<EnginePacket> frames = SioEncoder.encode(SioPacket.event("/chat", args, SioPacket.NO_ID), mapper);
 * frames.get(0).text(); // 2/chat,["message","hi"]
 * }</pre>
 */
public final class SioEncoder {
  private SioEncoder() {}

  /** Encodes a packet; the returned list is immutable and may be sent to many sessions. */
  public static List<EnginePacket> encode(SioPacket packet, ObjectMapper mapper) {
    JsonNode data = packet.data();
    SioPacketType type = packet.type();
    List<byte[]> attachments = null;
    if (data != null && (type == SioPacketType.EVENT || type == SioPacketType.ACK
        || type.isBinary()) && containsBinary(data)) {
      attachments = new ArrayList<>();
      data = replaceBinary(data, attachments);
      type = type == SioPacketType.EVENT || type == SioPacketType.BINARY_EVENT
          ? SioPacketType.BINARY_EVENT : SioPacketType.BINARY_ACK;
    } else if (type == SioPacketType.BINARY_EVENT) {
      type = SioPacketType.EVENT;
    } else if (type == SioPacketType.BINARY_ACK) {
      type = SioPacketType.ACK;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(type.digit());
    if (attachments != null) {
      sb.append(attachments.size()).append('-');
    }
    if (!"/".equals(packet.nsp())) {
      sb.append(packet.nsp()).append(',');
    }
    if (packet.hasId()) {
      sb.append(packet.id());
    }
    if (data != null) {
      Json.write(sb, data, mapper);
    }
    EnginePacket head = EnginePacket.message(sb.toString());
    if (attachments == null) {
      return List.of(head);
    }
    List<EnginePacket> out = new ArrayList<>(1 + attachments.size());
    out.add(head);
    for (byte[] a : attachments) {
      out.add(EnginePacket.message(a));
    }
    return List.copyOf(out);
  }

  /** True when {@code node} holds a binary value at any depth. */
  public static boolean containsBinary(JsonNode node) {
    if (node.isBinary()) {
      return true;
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (containsBinary(child)) {
          return true;
        }
      }
    }
    return false;
  }

  private static JsonNode replaceBinary(JsonNode node, List<byte[]> out) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (node.isBinary()) {
      ObjectNode ph = f.objectNode();
      ph.put("_placeholder", true);
      ph.put("num", out.size());
      out.add(((BinaryNode) node).binaryValue());
      return ph;
    }
    if (node.isArray()) {
      ArrayNode copy = f.arrayNode(node.size());
      for (JsonNode child : node) {
        copy.add(replaceBinary(child, out));
      }
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = f.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        copy.set(e.getKey(), replaceBinary(e.getValue(), out));
      }
      return copy;
    }
    return node;
  }
}
