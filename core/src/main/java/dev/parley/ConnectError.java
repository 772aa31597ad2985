package dev.parley;

import java.util.Objects;

/**
 * Refuses a namespace connection from connect middleware. The client receives
 * {@code connect_error} with this message and, when given, the data (any JSON-convertible value).
 *
 * <pre>{@code
 * io.use((socket, next) -> {
 *   if (!valid(socket.handshake().auth().path("token").asText(null))) {
 *     next.fail(new ConnectError("unauthorized", Map.of("code", 401)));
 *   } else {
 *     next.proceed();
 *   }
 * });
 * }</pre>
 */
public final class ConnectError extends SocketIoException {
  private final transient Object data;

  /** A refusal whose {@code connect_error} carries {@code message} only. */
  public ConnectError(String message) {
    this(message, null);
  }

  /**
   * A refusal whose {@code connect_error} carries {@code message} and {@code data} (any value Jackson
   * converts; null for none).
   */
  public ConnectError(String message, Object data) {
    super(Objects.requireNonNull(message, "message == null"));
    this.data = data;
  }

  /** The data sent to the client with the error, or {@code null} for none. */
  public Object data() {
    return data;
  }
}
