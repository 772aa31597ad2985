package dev.parley.internal.json;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Reads the JSON of an incoming packet when it is an array of strings, whole numbers of at most 18
 * digits, booleans, nulls and such arrays (the arguments of most events and acks), into the same
 * tree Jackson's {@code readTree} makes, without a parser and a deserialization context per packet.
 * It accepts only strict JSON; anything else, valid or not (objects, fractions, exponents, long
 * numbers, deep nesting, odd whitespace, errors), returns {@code null} and the caller asks Jackson,
 * which decides as before. So what it accepts, Jackson would accept and read the same way.
 *
 * <pre>{@code
 * JsonNode data = SimpleJsonReader.read(text, from, reader);
 * if (data == null) {
 *   data = reader.readTree(text.substring(from)); // the general path, with Jackson's errors
 * }
 * }</pre>
 */
final class SimpleJsonReader {
  private static final int MAX_DEPTH = 16;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String s;
  private int i;

  private SimpleJsonReader(String s, int from) {
    this.s = s;
    this.i = from;
  }

  /** The tree of {@code s} from {@code from} to its end, or null when Jackson should read it. */
  static JsonNode read(String s, int from, ObjectReader reader) {
    if (!readsPlainTrees(reader) || s.length() - from > maxLength(reader)) {
      return null;
    }
    SimpleJsonReader r = new SimpleJsonReader(s, from);
    r.skipSpace();
    if (r.i >= s.length() || s.charAt(r.i) != '[') {
      return null;
    }
    JsonNode tree = r.array(0);
    if (tree == null) {
      return null;
    }
    r.skipSpace();
    return r.i == s.length() ? tree : null; // trailing tokens: Jackson's error
  }

  /** The reader builds the default nodes: ints as IntNode or LongNode, the default node factory. */
  static boolean readsPlainTrees(ObjectReader reader) {
    return !reader.isEnabled(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        && !reader.isEnabled(DeserializationFeature.USE_LONG_FOR_INTS)
        && reader.getConfig().getNodeFactory().getClass() == JsonNodeFactory.class;
  }

  /** The longest input read here: within every length limit Jackson would apply; 0 under a token limit. */
  private static long maxLength(ObjectReader reader) {
    StreamReadConstraints c = reader.getFactory().streamReadConstraints();
    if (c.getMaxTokenCount() > 0) {
      return 0;
    }
    long max = c.getMaxStringLength();
    return c.getMaxDocumentLength() > 0 ? Math.min(max, c.getMaxDocumentLength()) : max;
  }

  private void skipSpace() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      i++;
    }
  }

  /** At '['; returns the array with {@code i} past its ']', or null. */
  private ArrayNode array(int depth) {
    if (depth >= MAX_DEPTH) {
      return null;
    }
    i++; // '['
    ArrayNode out = NODES.arrayNode();
    skipSpace();
    if (i < s.length() && s.charAt(i) == ']') {
      i++;
      return out;
    }
    while (true) {
      skipSpace();
      JsonNode v = value(depth);
      if (v == null) {
        return null;
      }
      out.add(v);
      skipSpace();
      if (i >= s.length()) {
        return null;
      }
      char c = s.charAt(i++);
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        return null;
      }
    }
  }

  private JsonNode value(int depth) {
    if (i >= s.length()) {
      return null;
    }
    char c = s.charAt(i);
    switch (c) {
      case '"':
        return string();
      case '[':
        return array(depth + 1);
      case 't':
        return word("true", BooleanNode.TRUE);
      case 'f':
        return word("false", BooleanNode.FALSE);
      case 'n':
        return word("null", NullNode.instance);
      default:
        return c == '-' || (c >= '0' && c <= '9') ? number() : null;
    }
  }

  private JsonNode word(String w, JsonNode node) {
    if (!s.startsWith(w, i)) {
      return null;
    }
    i += w.length();
    return endsToken() ? node : null;
  }

  /** The next character may follow a value: a separator, whitespace or the end. */
  private boolean endsToken() {
    if (i >= s.length()) {
      return true;
    }
    char c = s.charAt(i);
    return c == ',' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  /** An integer of at most 18 digits, no leading zero; fractions and exponents go to Jackson. */
  private JsonNode number() {
    int start = i;
    boolean negative = s.charAt(i) == '-';
    if (negative) {
      i++;
    }
    int digitsFrom = i;
    long v = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      i++;
    }
    int digits = i - digitsFrom;
    if (digits == 0 || digits > 18 || (digits > 1 && s.charAt(digitsFrom) == '0') || !endsToken()) {
      return null; // "-", too long, a leading zero, or '.', 'e', 'E' or junk after it
    }
    if (negative) {
      v = -v;
    }
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
  }

  /** The value of an ASCII hex digit, or -1 (not {@code Character.digit}, which takes other scripts' digits). */
  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  /** At '"'; a string with JSON's escapes, no raw control characters. */
  private JsonNode string() {
    int from = ++i;
    StringBuilder sb = null;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        String text = sb == null ? s.substring(from, i) : sb.append(s, from, i).toString();
        i++;
        return TextNode.valueOf(text);
      }
      if (c < 0x20) {
        return null; // Jackson refuses raw control characters
      }
      if (c != '\\') {
        i++;
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(i - from + 16);
      }
      sb.append(s, from, i);
      if (i + 1 >= s.length()) {
        return null;
      }
      char e = s.charAt(i + 1);
      i += 2;
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            return null;
          }
          int u = 0;
          for (int k = 0; k < 4; k++) {
            int d = hex(s.charAt(i + k));
            if (d < 0) {
              return null;
            }
            u = (u << 4) | d;
          }
          sb.append((char) u);
          i += 4;
        }
        default -> {
          return null;
        }
      }
      from = i;
    }
    return null; // unterminated
  }
}
