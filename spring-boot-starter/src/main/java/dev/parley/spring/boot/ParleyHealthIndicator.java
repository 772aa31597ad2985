package dev.parley.spring.boot;

import dev.parley.ServerStats;
import dev.parley.SocketIoServer;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code parley} component of {@code /actuator/health}: UP while the Socket.IO server admits
 * clients, DOWN once it is closed (or closing), with the open connections, connected sockets and
 * adapter as details.
 */
public class ParleyHealthIndicator extends AbstractHealthIndicator {
  private final SocketIoServer io;

  /**
   * A health indicator for {@code io}.
   *
   * @param io the server to report on
   */
  public ParleyHealthIndicator(SocketIoServer io) {
    super("Parley health check failed");
    this.io = io;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    ServerStats stats = io.stats();
    if (io.engine().isClosed()) {
      builder.down();
    } else {
      builder.up();
    }
    builder.withDetail("connections", stats.openConnections())
        .withDetail("sockets", stats.connectedSockets())
        .withDetail("adapter", io.sockets().adapter().getClass().getSimpleName());
  }
}
