package dev.parley.spring.boot;

import dev.parley.ServerStats;
import dev.parley.SocketIoServer;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.ClusterAdapter;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code parley} component of {@code /actuator/health}: UP while the Socket.IO server admits
 * clients, DOWN once it is closed (or closing), with the open connections, connected sockets and
 * adapter as details. With a cluster adapter (Redis), the details say whether its backend answers
 * ({@code backendReachable}) and how many outages it had; an outage leaves the status UP, as the
 * server goes on serving its own clients (a DOWN would have an orchestrator restart every server of
 * the cluster at once when Redis blinks).
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
    Adapter adapter = io.sockets().adapter();
    builder.withDetail("connections", stats.openConnections())
        .withDetail("sockets", stats.connectedSockets())
        .withDetail("adapter", adapter.getClass().getSimpleName());
    if (adapter instanceof ClusterAdapter cluster) {
      builder.withDetail("backendReachable", cluster.backendReachable())
          .withDetail("outages", cluster.outages());
    }
  }
}
