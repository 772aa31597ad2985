package dev.parley.adapter;

/**
 * The seven Socket.IO v5 packet types, with the digit each is written as on the wire
 * ({@link #code}). A broadcast carries {@link #EVENT}; core turns it into a {@link #BINARY_EVENT}
 * itself when the data holds binary, so an adapter never has to.
 *
 * <pre>{@code
 * Packet p = Packet.event("/chat", Payload.ofPlain(List.of("news", 1)));
 * p.type();          // EVENT
 * p.type().code();   // 2, as cluster messages write it
 * }</pre>
 */
public enum PacketType {
  CONNECT,
  DISCONNECT,
  EVENT,
  ACK,
  CONNECT_ERROR,
  BINARY_EVENT,
  BINARY_ACK;

  private static final PacketType[] VALUES = values();

  /** The type's number on the wire (0 to 6). */
  public int code() {
    return ordinal();
  }

  /**
   * The type numbered {@code code}.
   *
   * @throws IllegalArgumentException when {@code code} is not 0 to 6
   */
  public static PacketType fromCode(int code) {
    if (code < 0 || code >= VALUES.length) {
      throw new IllegalArgumentException("not a Socket.IO packet type: " + code);
    }
    return VALUES[code];
  }
}
