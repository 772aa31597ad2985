package dev.parley.protocol;

/**
 * Thrown when an incoming Socket.IO packet breaks the protocol (bad type, bad JSON, wrong payload
 * shape, reserved event name, bad attachments). The server answers by closing the connection.
 *
 * <pre>{@code
 * decoder.add(EnginePacket.message("2abc")); // throws SioParseException("invalid payload")
 * }</pre>
 */
public final class SioParseException extends Exception {
  public SioParseException(String message) {
    super(message);
  }
}
