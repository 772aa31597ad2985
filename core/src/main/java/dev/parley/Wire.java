package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioEncoder;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Conversions between Java values, JSON trees and Socket.IO frames, shared by the API classes. */
final class Wire {
  final ObjectMapper mapper;
  /** The decoders' strict reader, made once and shared by every connection. */
  final com.fasterxml.jackson.databind.ObjectReader strictReader;

  Wire(ObjectMapper mapper) {
    this.mapper = mapper;
    this.strictReader = SioDecoder.strictReader(mapper);
  }

  /** Converts one user value to a JSON tree; byte[] and ByteBuffer become binary. */
  JsonNode toNode(Object value) {
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (value instanceof JsonNode) {
      return (JsonNode) value;
    }
    if (value instanceof byte[]) {
      return BinaryNode.valueOf((byte[]) value);
    }
    if (value instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) value).duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return BinaryNode.valueOf(bytes);
    }
    if (value instanceof Args) {
      throw new IllegalArgumentException("an Args object is not an argument; to forward all arguments, pass args.values().toArray()");
    }
    try {
      return mapper.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new SocketIoException("cannot convert " + value.getClass().getName() + " to JSON: " + e.getMessage(), e);
    } catch (StackOverflowError e) {
      // a map or list that contains itself (Jackson sees a bean's cycle, not a collection's)
      throw new SocketIoException("cannot convert " + value.getClass().getName()
          + " to JSON: it contains itself, or nests too deep", null);
    }
  }

  /** {@code [event, ...args]}. */
  ArrayNode eventArray(String event, Object[] args) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode(args.length + 1);
    arr.add(event);
    for (Object a : args) {
      arr.add(toNode(a));
    }
    return arr;
  }

  ArrayNode argsArray(Object[] args) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode(args.length);
    for (Object a : args) {
      arr.add(toNode(a));
    }
    return arr;
  }

  Args args(JsonNode array, int from) {
    List<JsonNode> list = new ArrayList<>(Math.max(0, array.size() - from));
    for (int i = from; i < array.size(); i++) {
      list.add(array.get(i));
    }
    return new Args(list, mapper);
  }

  List<EnginePacket> encode(SioPacket packet) {
    return SioEncoder.encode(packet, mapper);
  }

  List<EnginePacket> connectOk(String nsp, String sid, String pid) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("sid", sid);
    if (pid != null) {
      data.put("pid", pid);
    }
    return encode(new SioPacket(SioPacketType.CONNECT, nsp, SioPacket.NO_ID, data));
  }

  List<EnginePacket> connectError(String nsp, String message, Object errorData) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("message", message);
    if (errorData != null) {
      data.set("data", toNode(errorData));
    }
    return encode(new SioPacket(SioPacketType.CONNECT_ERROR, nsp, SioPacket.NO_ID, data));
  }

  /** JSON tree to plain Java values (Map, List, String, Long, Double, Boolean, null, byte[]). */
  static Object toPlain(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isBinary()) {
      return ((BinaryNode) node).binaryValue();
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      for (JsonNode child : node) {
        out.add(toPlain(child));
      }
      return out;
    }
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), toPlain(e.getValue())));
    return out;
  }

  /** The JSON array of a payload: core's own as it is, another's (plain values) converted. */
  JsonNode array(dev.parley.adapter.Payload payload) {
    return payload instanceof JsonPayload ? ((JsonPayload) payload).array() : fromPlain(payload.toPlain());
  }

  /** A payload's values as {@link Args} (an ack's arguments). */
  Args args(dev.parley.adapter.Payload payload) {
    return args(array(payload), 0);
  }

  /** Plain Java values (as {@link #toPlain} makes, or from another node) to a JSON tree. */
  JsonNode fromPlain(Object value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value instanceof java.util.Map) {
      ObjectNode obj = f.objectNode();
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) value).entrySet()) {
        obj.set(String.valueOf(e.getKey()), fromPlain(e.getValue()));
      }
      return obj;
    }
    if (value instanceof List) {
      ArrayNode arr = f.arrayNode();
      for (Object o : (List<?>) value) {
        arr.add(fromPlain(o));
      }
      return arr;
    }
    return toNode(value);
  }

  static void checkEventName(String event) {
    if (event == null) {
      throw new NullPointerException("event == null");
    }
    if (SioDecoder.RESERVED_EVENTS.contains(event)) {
      throw new IllegalArgumentException("\"" + event + "\" is a reserved event name");
    }
  }
}
