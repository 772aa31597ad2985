package dev.parley.engine.protocol;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.EnginePacketType;
import dev.parley.internal.engine.PacketEncodings;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * The pure Engine.IO v4 codec: single packets (WebSocket frames) and long-polling payloads, where
 * packets are joined by the record separator {@code \x1e} and binary messages travel as
 * {@code b<base64>}. No I/O happens here.
 *
 * <pre>{@code
 * String body = EngineCodec.encodePayload(List.of(EnginePacket.message("hello"),
 *     EnginePacket.message(new byte[] {1, 2, 3, 4})));          // "4hello\u001ebAQIDBA=="
 * List<EnginePacket> packets = EngineCodec.decodePayload(body);  // the same two packets
 * }</pre>
 */
public final class EngineCodec {
  /** The record separator between packets of a polling payload. */
  public static final char SEPARATOR = '\u001e';

  private EngineCodec() {}

  /**
   * Encodes a text packet as {@code <digit><payload>}, the form of a WebSocket text frame. The result
   * is cached on the packet, so a packet shared by many sessions is encoded once.
   *
   * @throws IllegalArgumentException for a binary packet, which travels as raw bytes on WebSocket
   */
  public static String encodeText(EnginePacket packet) {
    if (packet.isBinary()) {
      throw new IllegalArgumentException("binary packet has no text form; send its bytes");
    }
    return PacketEncodings.text(packet);
  }

  /**
   * The UTF-8 bytes of {@link #encodeText}: the payload of a WebSocket text frame. Cached on the
   * packet like the text, so a broadcast's frame payload is encoded once for all recipients. The array
   * is shared: callers must not change it.
   *
   * @throws IllegalArgumentException for a binary packet
   */
  public static byte[] encodeTextUtf8(EnginePacket packet) {
    if (packet.isBinary()) {
      throw new IllegalArgumentException("binary packet has no text form; send its bytes");
    }
    return PacketEncodings.utf8(packet);
  }

  /**
   * The UTF-8 bytes of {@code b<base64>}, the text form of a binary message: what a WebSocket sends
   * to a client that asked for base64 ({@code b64=1}, the client's {@code forceBase64}).
   *
   * @throws IllegalArgumentException for a text packet
   */
  public static byte[] encodeBase64Utf8(EnginePacket packet) {
    if (!packet.isBinary()) {
      throw new IllegalArgumentException("text packet: encode it with encodeTextUtf8");
    }
    byte[] b64 = Base64.getEncoder().encode(packet.binary());
    byte[] out = new byte[b64.length + 1];
    out[0] = 'b';
    System.arraycopy(b64, 0, out, 1, b64.length);
    return out;
  }

  /**
   * Decodes one text packet, as received in a WebSocket text frame. A text starting with {@code b} is
   * a binary message in base64, as a client with {@code forceBase64} sends it (the reference decodes
   * it on every transport).
   *
   * @throws EngineParseException when the text is empty, starts with anything but {@code 0..6} or
   *     {@code b}, or is {@code b} followed by invalid base64
   */
  public static EnginePacket decodeText(String text) throws EngineParseException {
    if (text.isEmpty()) {
      throw new EngineParseException("empty packet");
    }
    if (text.charAt(0) == 'b') {
      return decodePayloadItem(text, 0, text.length());
    }
    EnginePacketType type = EnginePacketType.fromDigit(text.charAt(0));
    if (type == null) {
      throw new EngineParseException("invalid packet type '" + printable(text.charAt(0)) + "'");
    }
    return cached(type, text);
  }

  /** A binary WebSocket frame is always a message packet; its bytes are used as they are. */
  public static EnginePacket decodeBinary(byte[] data) {
    return EnginePacket.message(data);
  }

  /** Encodes packets as one polling payload: {@code \x1e}-joined, binary as {@code b<base64>}. */
  public static String encodePayload(List<EnginePacket> packets) {
    if (packets.size() == 1) {
      return encodePayloadItem(packets.get(0));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < packets.size(); i++) {
      if (i > 0) {
        sb.append(SEPARATOR);
      }
      EnginePacket p = packets.get(i);
      if (p.isBinary()) {
        sb.append('b').append(Base64.getEncoder().encodeToString(p.binary()));
      } else {
        sb.append(PacketEncodings.text(p));
      }
    }
    return sb.toString();
  }

  private static String encodePayloadItem(EnginePacket p) {
    return p.isBinary() ? "b" + Base64.getEncoder().encodeToString(p.binary()) : PacketEncodings.text(p);
  }

  /** Decodes a whole polling payload; see {@link #decodePayload(String, Consumer)}. */
  public static List<EnginePacket> decodePayload(String payload) throws EngineParseException {
    List<EnginePacket> out = new ArrayList<>();
    decodePayload(payload, out::add);
    return out;
  }

  /**
   * Decodes a polling payload, handing each packet to {@code sink} in order. Decoding stops at the
   * first invalid packet: the packets before it have been delivered, then this throws. An empty
   * payload is invalid, as in the reference server.
   */
  public static void decodePayload(String payload, Consumer<EnginePacket> sink) throws EngineParseException {
    decodePayload(payload, 0, Integer.MAX_VALUE, sink);
  }

  /**
   * Decodes one part of a polling payload: the packets from index {@code from} on (the start of a
   * packet), handed to {@code sink} in order, until the packets handed over span at least
   * {@code maxChars} characters (one packet at least, however long). Returns the index where the next
   * part starts, or {@code -1} once the payload is done. A host uses it to hand a large body over in
   * slices, so one client's burst does not hold a thread for long.
   *
   * <pre>{@code
   * int next = 0;
   * while (next >= 0) {
   *   next = EngineCodec.decodePayload(body, next, 8192, session::receive); // one slice per task
   * }
   * }</pre>
   *
   * @throws EngineParseException at the first invalid packet, after the packets before it were delivered
   */
  public static int decodePayload(String payload, int from, int maxChars, Consumer<EnginePacket> sink)
      throws EngineParseException {
    int start = from;
    int len = payload.length();
    while (true) {
      int end = payload.indexOf(SEPARATOR, start);
      if (end < 0) {
        end = len;
      }
      sink.accept(decodePayloadItem(payload, start, end));
      if (end == len) {
        return -1;
      }
      start = end + 1;
      if (start - from >= maxChars) {
        return start;
      }
    }
  }

  private static EnginePacket decodePayloadItem(String payload, int start, int end) throws EngineParseException {
    if (start == end) {
      throw new EngineParseException("empty packet");
    }
    char c = payload.charAt(start);
    if (c == 'b') {
      try {
        return EnginePacket.message(Base64.getDecoder().decode(stripLineBreaks(payload.substring(start + 1, end))));
      } catch (IllegalArgumentException e) {
        throw new EngineParseException("invalid base64 in binary packet");
      }
    }
    EnginePacketType type = EnginePacketType.fromDigit(c);
    if (type == null) {
      throw new EngineParseException("invalid packet type '" + printable(c) + "'");
    }
    return cached(type, payload.substring(start, end));
  }

  /**
   * The Java client (engine.io-client 2.x) base64-encodes with MIME line breaks ({@code \n} every 76
   * characters and at the end); the strict decoder refuses them, so they are removed first.
   */
  private static String stripLineBreaks(String s) {
    if (s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\n' && c != '\r') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static EnginePacket cached(EnginePacketType type, String encoded) {
    if (encoded.length() == 1) {
      switch (type) {
        case PING:
          return EnginePacket.PING;
        case PONG:
          return EnginePacket.PONG;
        case CLOSE:
          return EnginePacket.CLOSE;
        case UPGRADE:
          return EnginePacket.UPGRADE;
        case NOOP:
          return EnginePacket.NOOP;
        default:
          break;
      }
    }
    return EnginePacket.of(type, encoded.substring(1));
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }
}
