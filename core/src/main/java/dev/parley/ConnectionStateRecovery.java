package dev.parley;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

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
 *
 * @param maxDisconnectionDuration how long a session and the packets it misses are kept
 * @param skipMiddlewares whether a recovered socket connects without running the connect middlewares
 */
public record ConnectionStateRecovery(Duration maxDisconnectionDuration, boolean skipMiddlewares) {
  /**
   * The reasons after which a session is kept (socket.io's {@code RECOVERABLE_DISCONNECT_REASONS}):
   * those whose {@link DisconnectReason#recoverable()} is true.
   */
  public static final Set<DisconnectReason> RECOVERABLE_REASONS = recoverableReasons();

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException when {@code maxDisconnectionDuration} is not positive
   */
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

  private static Set<DisconnectReason> recoverableReasons() {
    Set<DisconnectReason> out = EnumSet.noneOf(DisconnectReason.class);
    for (DisconnectReason r : DisconnectReason.values()) {
      if (r.recoverable()) {
        out.add(r);
      }
    }
    return java.util.Collections.unmodifiableSet(out);
  }
}
