package dev.parley.adapter.redis;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * msgpack as notepack.io (the encoder of the Node adapter) writes and reads it, for plain values:
 * {@code Map}, {@code List}, {@code String} (str), {@code byte[]} (bin), integers in their smallest
 * form, non-integers as float64, {@code Boolean} and {@code null}. Never writes ext types; reads an ext
 * (notepack's {@code undefined} in an array) as {@code null}. Maps are decoded into insertion-ordered
 * maps, integers into {@code Long} (or {@code BigInteger} past {@code Long.MAX_VALUE}), floats into
 * {@code Double}, bin into {@code byte[]}.
 */
final class Msgpack {
  private Msgpack() {}

  static byte[] encode(Object value) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      write(p, value);
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(MessageBufferPacker p, Object v) throws IOException {
    if (v == null) {
      p.packNil();
    } else if (v instanceof String s) {
      p.packString(s);
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      p.packLong(((Number) v).longValue());
    } else if (v instanceof BigInteger b) {
      p.packBigInteger(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15 && !isNegativeZero(d)) {
        p.packLong((long) d); // notepack writes an integral number as an int
      } else {
        p.packDouble(d);
      }
    } else if (v instanceof Number n) {
      p.packDouble(n.doubleValue());
    } else if (v instanceof byte[] bytes) {
      p.packBinaryHeader(bytes.length);
      p.writePayload(bytes);
    } else if (v instanceof Map<?, ?> m) {
      p.packMapHeader(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        p.packString(String.valueOf(e.getKey()));
        write(p, e.getValue());
      }
    } else if (v instanceof List<?> list) {
      p.packArrayHeader(list.size());
      for (Object o : list) {
        write(p, o);
      }
    } else if (v instanceof Object[] arr) {
      write(p, java.util.Arrays.asList(arr));
    } else if (v instanceof CharSequence cs) {
      p.packString(cs.toString());
    } else {
      throw new IllegalArgumentException("not a plain value: " + v.getClass().getName());
    }
  }

  private static boolean isNegativeZero(double d) {
    return d == 0.0 && Double.doubleToRawLongBits(d) != 0L;
  }

  /** Decodes one value; throws {@link IllegalArgumentException} on malformed input. */
  static Object decode(byte[] bytes) {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
      return read(u);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed msgpack", e);
    }
  }

  private static Object read(MessageUnpacker u) throws IOException {
    MessageFormat f = u.getNextFormat();
    ValueType t = f.getValueType();
    switch (t) {
      case NIL:
        u.unpackNil();
        return null;
      case BOOLEAN:
        return u.unpackBoolean();
      case INTEGER:
        if (f == MessageFormat.UINT64) {
          BigInteger b = u.unpackBigInteger();
          return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        return u.unpackLong();
      case FLOAT:
        return u.unpackDouble();
      case STRING:
        return u.unpackString();
      case BINARY: {
        int n = u.unpackBinaryHeader();
        return u.readPayload(n);
      }
      case ARRAY: {
        int n = u.unpackArrayHeader();
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          out.add(read(u));
        }
        return out;
      }
      case MAP: {
        int n = u.unpackMapHeader();
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          Object k = read(u);
          out.put(String.valueOf(k), read(u));
        }
        return out;
      }
      case EXTENSION: {
        int n = u.unpackExtensionTypeHeader().getLength();
        u.readPayload(n);
        return null;
      }
      default:
        throw new IllegalArgumentException("unsupported msgpack type " + t);
    }
  }
}
