package dev.parley.it.sio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The one representation tests compare: Jackson trees with binary as {@link BinaryNode}, whichever
 * client a value came from. Converts Java values, the Node driver's {@code {"$bin": base64}} form and
 * the Java client's org.json values (JSONObject, JSONArray, byte[], JSONObject.NULL) to and from it.
 */
final class SioJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectMapper LENIENT = new ObjectMapper()
      .configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true)
      .configure(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES, true);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private SioJson() {}

  /** Parses test JSON; single quotes and unquoted names allowed: {@code json("{a: 'x', b: [1, 2.5]}")}. */
  static JsonNode json(String text) {
    try {
      return LENIENT.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A Java value as a tree: records, maps, lists, primitives, strings, null, JsonNode; byte[] and
   * ByteBuffer (its remaining bytes) become BinaryNode at any depth.
   */
  static JsonNode tree(Object value) {
    if (value == null) {
      return F.nullNode();
    }
    if (value instanceof JsonNode) {
      return (JsonNode) value;
    }
    if (value instanceof byte[]) {
      return F.binaryNode((byte[]) value);
    }
    if (value instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) value).duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return F.binaryNode(bytes);
    }
    return embedded(MAPPER.valueToTree(value));
  }

  /** Each value as a tree, in an array. */
  static ArrayNode array(Object... values) {
    ArrayNode a = F.arrayNode();
    for (Object v : values) {
      a.add(tree(v));
    }
    return a;
  }

  private static JsonNode embedded(JsonNode n) {
    if (n instanceof POJONode) {
      Object pojo = ((POJONode) n).getPojo();
      if (pojo instanceof byte[] || pojo instanceof ByteBuffer) {
        return tree(pojo);
      }
    }
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        o.set(name, embedded(o.get(name)));
      }
    } else if (n.isArray()) {
      ArrayNode a = (ArrayNode) n;
      for (int i = 0; i < a.size(); i++) {
        a.set(i, embedded(a.get(i)));
      }
    }
    return n;
  }

  /** The bytes of a BinaryNode (fails the test for anything else). */
  static byte[] bytes(JsonNode node) {
    if (node == null || !node.isBinary()) {
      throw new AssertionError("not binary: " + node);
    }
    try {
      return node.binaryValue();
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ the Node driver's wire form

  /** BinaryNode -> {"$bin": base64}, at any depth (a copy). */
  static JsonNode toDriver(JsonNode n) {
    if (n.isBinary()) {
      return F.objectNode().put("$bin", Base64.getEncoder().encodeToString(bytes(n)));
    }
    if (n.isObject()) {
      ObjectNode o = F.objectNode();
      n.properties().forEach(e -> o.set(e.getKey(), toDriver(e.getValue())));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = F.arrayNode();
      n.forEach(x -> a.add(toDriver(x)));
      return a;
    }
    return n;
  }

  /** {"$bin": base64} -> BinaryNode, at any depth (a copy). */
  static JsonNode fromDriver(JsonNode n) {
    if (n.isObject()) {
      if (n.size() == 1 && n.has("$bin")) {
        return F.binaryNode(Base64.getDecoder().decode(n.get("$bin").asText()));
      }
      ObjectNode o = F.objectNode();
      n.properties().forEach(e -> o.set(e.getKey(), fromDriver(e.getValue())));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = F.arrayNode();
      n.forEach(x -> a.add(fromDriver(x)));
      return a;
    }
    return n;
  }

  // ------------------------------------------------------------------ the Java client's org.json values

  /** A tree as the org.json value the Java client sends (BinaryNode -> byte[], null -> JSONObject.NULL). */
  static Object toOrg(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return JSONObject.NULL;
    }
    if (n.isBinary()) {
      return bytes(n);
    }
    try {
      if (n.isObject()) {
        JSONObject o = new JSONObject();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          o.put(e.getKey(), toOrg(e.getValue()));
        }
        return o;
      }
      if (n.isArray()) {
        JSONArray a = new JSONArray();
        n.forEach(x -> a.put(toOrg(x)));
        return a;
      }
    } catch (JSONException e) {
      throw new IllegalArgumentException("org.json refused " + n, e);
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isInt() || n.isShort()) {
      return n.intValue();
    }
    if (n.isLong()) {
      return n.longValue();
    }
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("no org.json form for " + n.getNodeType() + ": " + n);
  }

  /** What the Java client hands a listener, as a tree (byte[] -> BinaryNode; ints normalised). */
  static JsonNode fromOrg(Object v) {
    if (v == null || JSONObject.NULL.equals(v)) {
      return F.nullNode();
    }
    if (v instanceof byte[]) {
      return F.binaryNode((byte[]) v);
    }
    if (v instanceof JSONObject) {
      JSONObject o = (JSONObject) v;
      ObjectNode node = F.objectNode();
      for (Iterator<?> it = o.keys(); it.hasNext(); ) {
        String key = String.valueOf(it.next());
        node.set(key, fromOrg(o.opt(key)));
      }
      return node;
    }
    if (v instanceof JSONArray) {
      JSONArray a = (JSONArray) v;
      ArrayNode node = F.arrayNode();
      for (int i = 0; i < a.length(); i++) {
        node.add(fromOrg(a.opt(i)));
      }
      return node;
    }
    if (v instanceof String) {
      return F.textNode((String) v);
    }
    if (v instanceof Boolean) {
      return F.booleanNode((Boolean) v);
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return F.numberNode(((Number) v).intValue());
    }
    if (v instanceof Long || v instanceof BigInteger) {
      // Jackson parses integers that fit in an int as IntNode: compare like with like
      BigInteger big = v instanceof Long ? BigInteger.valueOf((Long) v) : (BigInteger) v;
      if (big.bitLength() < 32) {
        return F.numberNode(big.intValue());
      }
      if (big.bitLength() < 64) {
        return F.numberNode(big.longValue());
      }
      return F.numberNode(big);
    }
    if (v instanceof Double || v instanceof Float) {
      return F.numberNode(((Number) v).doubleValue());
    }
    if (v instanceof BigDecimal) {
      return F.numberNode(((BigDecimal) v).doubleValue());
    }
    if (v instanceof Exception) {
      return F.textNode(v.getClass().getName() + ": " + ((Exception) v).getMessage());
    }
    return F.textNode(String.valueOf(v));
  }

  /** Java client listener arguments (no Ack among them) as an array of trees. */
  static ArrayNode fromOrgArgs(Object[] args, int from, int to) {
    ArrayNode a = F.arrayNode();
    for (int i = from; i < to; i++) {
      a.add(fromOrg(args[i]));
    }
    return a;
  }
}
