package dev.parley;

/**
 * The root of Parley's exceptions; all unchecked.
 *
 * <pre>{@code
 * try {
 *   socket.emit("disconnect");
 * } catch (SocketIoException e) { ... }   // IllegalArgumentException is thrown for reserved names
 * }</pre>
 */
public class SocketIoException extends RuntimeException {
  /** @param message what went wrong */
  public SocketIoException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the exception underneath
   */
  public SocketIoException(String message, Throwable cause) {
    super(message, cause);
  }
}
