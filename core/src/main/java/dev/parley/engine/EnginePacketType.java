package dev.parley.engine;

/**
 * The seven Engine.IO v4 packet types, each written on the wire as one ASCII digit.
 *
 * <pre>{@code
 * EnginePacketType type = EnginePacketType.fromDigit('4'); // MESSAGE
 * char digit = EnginePacketType.PING.digit();              // '2'
 * }</pre>
 */
public enum EnginePacketType {
  /** Server to client: the handshake JSON. */
  OPEN('0'),
  /** Either way: close the session. */
  CLOSE('1'),
  /** Server to client heartbeat; {@code 2probe} from a client during an upgrade. */
  PING('2'),
  /** Client answer to a ping; {@code 3probe} from the server during an upgrade. */
  PONG('3'),
  /** Application data, text or binary. */
  MESSAGE('4'),
  /** Client to server: completes the switch to a new transport. */
  UPGRADE('5'),
  /** Server to client: releases a pending long-poll request. */
  NOOP('6');

  private static final EnginePacketType[] BY_DIGIT = values();

  private final char digit;

  EnginePacketType(char digit) {
    this.digit = digit;
  }

  /** The ASCII digit that encodes this type. */
  public char digit() {
    return digit;
  }

  /** Returns the type for a digit, or {@code null} when {@code c} is not {@code '0'..'6'}. */
  public static EnginePacketType fromDigit(char c) {
    int i = c - '0';
    return i >= 0 && i < BY_DIGIT.length ? BY_DIGIT[i] : null;
  }
}
