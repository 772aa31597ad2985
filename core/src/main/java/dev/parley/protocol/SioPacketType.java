package dev.parley.protocol;

/**
 * The seven Socket.IO v5 packet types, written on the wire as one digit after the Engine.IO
 * message digit ({@code 42[...]} is an EVENT).
 *
 * <pre>{@code
 * SioPacketType.fromDigit('5'); // BINARY_EVENT
 * }</pre>
 */
public enum SioPacketType {
  CONNECT,
  DISCONNECT,
  EVENT,
  ACK,
  CONNECT_ERROR,
  BINARY_EVENT,
  BINARY_ACK;

  private static final SioPacketType[] VALUES = values();

  /** The wire digit. */
  public char digit() {
    return (char) ('0' + ordinal());
  }

  /** True for the two types that carry binary attachments. */
  public boolean isBinary() {
    return this == BINARY_EVENT || this == BINARY_ACK;
  }

  /** The type for a digit, or {@code null}. */
  public static SioPacketType fromDigit(char c) {
    int i = c - '0';
    return i >= 0 && i < VALUES.length ? VALUES[i] : null;
  }
}
