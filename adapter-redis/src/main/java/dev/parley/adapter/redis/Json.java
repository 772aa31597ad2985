package dev.parley.adapter.redis;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for plain values, as the Node adapter writes its requests and responses with
 * {@code JSON.stringify}: objects keep insertion order, integral numbers are written without a
 * fraction, {@code null} values in maps are written (Node omits undefined, which Java does not have).
 * Reads objects into insertion-ordered maps, integers into {@code Long} (or {@code BigInteger}), other
 * numbers into {@code Double}. {@code byte[]} cannot travel in JSON; callers use msgpack when a message
 * holds binary ({@link #hasBinary}).
 */
final class Json {
  private Json() {}

  static byte[] encode(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** True when {@code value} holds a {@code byte[]} at any depth. */
  static boolean hasBinary(Object value) {
    if (value instanceof byte[]) {
      return true;
    }
    if (value instanceof Map<?, ?> m) {
      for (Object v : m.values()) {
        if (hasBinary(v)) {
          return true;
        }
      }
    } else if (value instanceof List<?> l) {
      for (Object v : l) {
        if (hasBinary(v)) {
          return true;
        }
      }
    }
    return false;
  }

  private static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof CharSequence s) {
      string(sb, s.toString());
    } else if (v instanceof Boolean b) {
      sb.append(b.booleanValue());
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        sb.append("null"); // as JSON.stringify
      } else if (d == Math.rint(d) && Math.abs(d) < 1e21) {
        sb.append(new java.math.BigDecimal(d).toBigInteger());
      } else {
        sb.append(d);
      }
    } else if (v instanceof Number n) {
      sb.append(n);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, l.get(i));
      }
      sb.append(']');
    } else if (v instanceof byte[]) {
      throw new IllegalArgumentException("binary cannot be written as JSON");
    } else {
      throw new IllegalArgumentException("not a plain value: " + v.getClass().getName());
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(s, i)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** Parses one JSON value; throws {@link IllegalArgumentException} on malformed input. */
  static Object decode(byte[] bytes) {
    Reader r = new Reader(new String(bytes, StandardCharsets.UTF_8));
    Object v = r.value();
    r.ws();
    if (r.pos != r.s.length()) {
      throw new IllegalArgumentException("trailing characters at " + r.pos);
    }
    return v;
  }

  private static final class Reader {
    final String s;
    int pos;

    Reader(String s) {
      this.s = s;
    }

    void ws() {
      while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at " + pos);
    }

    Object value() {
      ws();
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{': {
          pos++;
          Map<String, Object> out = new LinkedHashMap<>();
          ws();
          if (peek() == '}') {
            pos++;
            return out;
          }
          while (true) {
            ws();
            if (peek() != '"') {
              throw error("expected a key");
            }
            String k = str();
            ws();
            expect(':');
            out.put(k, value());
            ws();
            if (peek() == ',') {
              pos++;
            } else {
              expect('}');
              return out;
            }
          }
        }
        case '[': {
          pos++;
          List<Object> out = new ArrayList<>();
          ws();
          if (peek() == ']') {
            pos++;
            return out;
          }
          while (true) {
            out.add(value());
            ws();
            if (peek() == ',') {
              pos++;
            } else {
              expect(']');
              return out;
            }
          }
        }
        case '"':
          return str();
        case 't':
          word("true");
          return Boolean.TRUE;
        case 'f':
          word("false");
          return Boolean.FALSE;
        case 'n':
          word("null");
          return null;
        default:
          return number();
      }
    }

    char peek() {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(pos);
    }

    void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    void word(String w) {
      if (!s.startsWith(w, pos)) {
        throw error("expected " + w);
      }
      pos += w.length();
    }

    String str() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = peek();
        pos++;
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = peek();
        pos++;
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("bad escape");
            }
            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            pos += 4;
          }
          default -> throw error("bad escape");
        }
      }
    }

    Object number() {
      int start = pos;
      boolean integral = true;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c >= '0' && c <= '9' || c == '-' || c == '+') {
          pos++;
        } else if (c == '.' || c == 'e' || c == 'E') {
          integral = false;
          pos++;
        } else {
          break;
        }
      }
      String n = s.substring(start, pos);
      if (n.isEmpty()) {
        throw error("unexpected character");
      }
      try {
        if (integral) {
          BigInteger b = new BigInteger(n);
          return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        return Double.parseDouble(n);
      } catch (NumberFormatException e) {
        throw error("bad number");
      }
    }
  }
}
