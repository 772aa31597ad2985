package dev.parley;

import java.time.Duration;
import java.util.Objects;

/**
 * Connection state recovery settings (socket.io's {@code connectionStateRecovery}): how long a
 * disconnected socket's session (id, rooms, data) and the events it misses are kept, and whether a
 * recovered socket skips the connect middlewares.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .connectionStateRecovery(Duration.ofMinutes(2), true)
 *     .build();
 * }</pre>
 */
public record ConnectionStateRecovery(Duration maxDisconnectionDuration, boolean skipMiddlewares) {
  /** The reasons after which a session is kept (socket.io's {@code RECOVERABLE_DISCONNECT_REASONS}). */
  public static final java.util.Set<String> RECOVERABLE_REASONS = java.util.Set.of(
      DisconnectReason.TRANSPORT_ERROR, DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.FORCED_CLOSE,
      DisconnectReason.PING_TIMEOUT, DisconnectReason.SERVER_SHUTTING_DOWN, "forced server close");

  public ConnectionStateRecovery {
    Objects.requireNonNull(maxDisconnectionDuration, "maxDisconnectionDuration == null");
    if (maxDisconnectionDuration.toMillis() <= 0) {
      throw new IllegalArgumentException("maxDisconnectionDuration must be positive: " + maxDisconnectionDuration);
    }
  }

  /** Node's defaults: 2 minutes, middlewares skipped. */
  public static ConnectionStateRecovery defaults() {
    return new ConnectionStateRecovery(Duration.ofMinutes(2), true);
  }
}
