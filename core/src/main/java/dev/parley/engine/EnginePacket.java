package dev.parley.engine;

import dev.parley.internal.engine.PacketEncodings;
import java.util.Objects;

/**
 * One Engine.IO packet: a type and either a text payload or, for binary messages, bytes.
 *
 * <p>Packets are immutable and may be shared: a broadcast builds one packet and hands the same instance
 * to every recipient's session. The byte array of a binary packet is never copied, so callers must not
 * change it after building the packet.
 *
 * <pre>{@code
 * EnginePacket hello = EnginePacket.message("hello");
 * EnginePacket bytes = EnginePacket.message(new byte[] {1, 2, 3});
 * session.send(hello);
 * }</pre>
 */
public final class EnginePacket {
  /** {@code 1}. */
  public static final EnginePacket CLOSE = new EnginePacket(EnginePacketType.CLOSE, "", null);
  /** {@code 2}. */
  public static final EnginePacket PING = new EnginePacket(EnginePacketType.PING, "", null);
  /** {@code 3}. */
  public static final EnginePacket PONG = new EnginePacket(EnginePacketType.PONG, "", null);
  /** {@code 2probe}. */
  public static final EnginePacket PING_PROBE = new EnginePacket(EnginePacketType.PING, "probe", null);
  /** {@code 3probe}. */
  public static final EnginePacket PONG_PROBE = new EnginePacket(EnginePacketType.PONG, "probe", null);
  /** {@code 5}. */
  public static final EnginePacket UPGRADE = new EnginePacket(EnginePacketType.UPGRADE, "", null);
  /** {@code 6}. */
  public static final EnginePacket NOOP = new EnginePacket(EnginePacketType.NOOP, "", null);

  private final EnginePacketType type;
  private final String text;
  private final byte[] binary;
  private volatile String encodedText;
  private volatile byte[] encodedUtf8;
  private volatile int size = -1;

  static {
    // the codec (dev.parley.engine.protocol, not API) reads the cached encodings through this table
    PacketEncodings.install(new PacketEncodings.Access() {
      @Override
      public String text(EnginePacket packet) {
        return packet.encodedText();
      }

      @Override
      public byte[] utf8(EnginePacket packet) {
        return packet.encodedUtf8();
      }
    });
  }

  private EnginePacket(EnginePacketType type, String text, byte[] binary) {
    this.type = type;
    this.text = text;
    this.binary = binary;
  }

  /** A packet of {@code type} with a text payload (may be empty). */
  public static EnginePacket of(EnginePacketType type, String text) {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(text, "text == null");
    return new EnginePacket(type, text, null);
  }

  /** A text message packet ({@code 4<text>}). */
  public static EnginePacket message(String text) {
    return of(EnginePacketType.MESSAGE, text);
  }

  /** A binary message packet. The array is shared, not copied. */
  public static EnginePacket message(byte[] data) {
    Objects.requireNonNull(data, "data == null");
    return new EnginePacket(EnginePacketType.MESSAGE, null, data);
  }

  /** The open packet carrying the handshake JSON. */
  public static EnginePacket open(String handshakeJson) {
    return of(EnginePacketType.OPEN, handshakeJson);
  }

  public EnginePacketType type() {
    return type;
  }

  /** True for a binary message packet, whose payload is {@link #binary()}. */
  public boolean isBinary() {
    return binary != null;
  }

  /** The text payload; {@code null} for a binary packet. */
  public String text() {
    return text;
  }

  /** The bytes of a binary packet (shared, do not modify); {@code null} for a text packet. */
  public byte[] binary() {
    return binary;
  }

  /**
   * Size on the wire in bytes (type digit plus UTF-8 payload, or the binary length), used for buffer
   * accounting; computed once per packet, so a broadcast pays for it once.
   */
  public int wireSize() {
    int s = size;
    if (s < 0) {
      s = binary != null ? binary.length : 1 + utf8Length(text);
      size = s;
    }
    return s;
  }

  /**
   * The text encoding ({@code <digit><payload>}) of a text packet, computed once and cached so a
   * packet shared by many recipients is encoded once.
   */
  byte[] encodedUtf8() {
    byte[] b = encodedUtf8;
    if (b == null) {
      String t = encodedText;
      b = (t != null ? t : type.digit() + text).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      encodedUtf8 = b;
      size = b.length;
    }
    return b;
  }

  String encodedText() {
    String s = encodedText;
    if (s == null) {
      s = type.digit() + text;
      encodedText = s;
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof EnginePacket)) {
      return false;
    }
    EnginePacket p = (EnginePacket) o;
    return type == p.type
        && Objects.equals(text, p.text)
        && java.util.Arrays.equals(binary, p.binary);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + (text != null ? text.hashCode() : java.util.Arrays.hashCode(binary));
  }

  @Override
  public String toString() {
    if (binary != null) {
      return "EnginePacket{MESSAGE, " + binary.length + " bytes}";
    }
    String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return "EnginePacket{" + type + ", " + shown + "}";
  }

  /** Length of {@code s} in UTF-8 bytes, without allocating. */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

}
