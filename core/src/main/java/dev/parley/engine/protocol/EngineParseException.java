package dev.parley.engine.protocol;

/**
 * Thrown by {@link EngineCodec} when bytes or text are not a valid Engine.IO v4 packet or payload.
 * The server answers it by closing the session with reason {@code "parse error"}.
 *
 * <pre>{@code
 * try {
 *   EngineCodec.decodeText("abc");
 * } catch (EngineParseException e) {
 *   // e.getMessage(): "invalid packet type 'a'"
 * }
 * }</pre>
 */
public final class EngineParseException extends Exception {
  public EngineParseException(String message) {
    super(message);
  }
}
