package dev.parley.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;

/**
 * Writes the JSON of packet data made only of arrays, strings, whole numbers that fit a
 * {@code long}, booleans and nulls (the arguments of most events and acks) straight into the
 * packet's text, exactly as Jackson's default generator would, without a generator and a
 * serializer provider per packet. Anything else (objects, fractions, big numbers, POJO nodes)
 * and any mapper configured to write differently (pretty printing, escaped non-ASCII, custom
 * escapes, numbers as strings) is left to Jackson.
 *
 * <pre>{@code
 * StringBuilder sb = new StringBuilder("43");
 * if (!SimpleJson.append(sb, args, mapper)) {
 *   sb.append(mapper.writeValueAsString(args)); // the general path
 * }
 * }</pre>
 */
final class SimpleJson {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  /** Deepest nesting the fast path writes; deeper data goes to Jackson (which has its own limits). */
  private static final int MAX_DEPTH = 16;

  private SimpleJson() {}

  /**
   * Appends {@code node}'s JSON to {@code sb} and returns true, or leaves {@code sb} as it was and
   * returns false when the node or the mapper is outside the fast path.
   */
  static boolean append(StringBuilder sb, JsonNode node, ObjectMapper mapper) {
    if (!writesPlainJson(mapper)) {
      return false;
    }
    int mark = sb.length();
    if (write(sb, node, 0)) {
      return true;
    }
    sb.setLength(mark);
    return false;
  }

  /** The mapper writes JSON the way Jackson does by default (what {@link #write} reproduces). */
  static boolean writesPlainJson(ObjectMapper mapper) {
    JsonFactory f = mapper.getFactory();
    return f.getCharacterEscapes() == null
        && !f.isEnabled(JsonGenerator.Feature.ESCAPE_NON_ASCII)
        && !f.isEnabled(JsonGenerator.Feature.WRITE_NUMBERS_AS_STRINGS)
        && !mapper.isEnabled(SerializationFeature.INDENT_OUTPUT)
        && "JSON".equals(f.getFormatName());
  }

  private static boolean write(StringBuilder sb, JsonNode node, int depth) {
    JsonNodeType type = node.getNodeType();
    switch (type) {
      case STRING:
        appendString(sb, node.textValue());
        return true;
      case NUMBER:
        if (!node.isInt() && !node.isLong() && !node.isShort()) {
          return false; // fractions and big integers: Jackson's own formatting
        }
        sb.append(node.longValue());
        return true;
      case BOOLEAN:
        sb.append(node.booleanValue());
        return true;
      case NULL:
        sb.append("null");
        return true;
      case ARRAY:
        if (depth >= MAX_DEPTH || !(node instanceof ArrayNode)) {
          return false;
        }
        sb.append('[');
        for (int i = 0, n = node.size(); i < n; i++) {
          if (i > 0) {
            sb.append(',');
          }
          if (!write(sb, node.get(i), depth + 1)) {
            return false;
          }
        }
        sb.append(']');
        return true;
      default:
        return false; // objects, binary, POJO and missing nodes
    }
  }

  /** A JSON string as Jackson writes it: {@code "}, {@code \} and control characters escaped, nothing else. */
  static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    int from = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      sb.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\f' -> sb.append("\\f");
        case '\r' -> sb.append("\\r");
        default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    sb.append(s, from, n).append('"');
  }
}
