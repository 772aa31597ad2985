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
  public SocketIoException(String message) {
    super(message);
  }

  public SocketIoException(String message, Throwable cause) {
    super(message, cause);
  }
}
