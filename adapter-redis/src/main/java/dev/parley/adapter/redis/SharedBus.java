package dev.parley.adapter.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * What the two adapters' buses share: the Redis connections of one server, counted by the adapters
 * (namespaces) that use them and closed with the last; one thread that handles incoming messages in
 * order and runs request timers; and one warning per outage. Subclasses open their connections,
 * then call {@link #watch()}.
 *
 * <pre>{@code
 * final class MyBus extends SharedBus {
 *   MyBus(RedisClient client, boolean owns) {
 *     super(client, owns, "parley-redis-mine-", log);
 *     conn = client.connect();
 *     watch();
 *   }
 *   List<StatefulConnection<?, ?>> connections() { return List.of(conn); }
 * }
 * }</pre>
 */
abstract class SharedBus {
  /** Numbers the threads of every bus (their names). */
  static final AtomicInteger THREADS = new AtomicInteger();

  final AbstractRedisClient client;
  private final boolean ownsClient;
  private final Logger log;
  final ScheduledThreadPoolExecutor executor;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicInteger outages = new AtomicInteger();
  private final RedisConnectionStateListener stateListener = new RedisConnectionStateListener() {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (uses(connection)) {
        failed("connection lost");
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {}

    @Override
    public void onRedisExceptionCaught(RedisChannelHandler<?, ?> connection, Throwable cause) {}
  };
  private int users;
  private boolean closed;

  SharedBus(AbstractRedisClient client, boolean ownsClient, String threadPrefix, Logger log) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.log = log;
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadPrefix + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  /** Starts reporting outages of this bus's connections; called once they are open. */
  final void watch() {
    client.addListener(stateListener);
  }

  /** This bus's connections, watched for outages and closed with it. */
  abstract List<StatefulConnection<?, ?>> connections();

  private boolean uses(RedisChannelHandler<?, ?> connection) {
    return connections().stream().anyMatch(c -> c == connection);
  }

  /** Called once when the last user leaves, before the thread and the connections stop. */
  void stopping() {}

  final ScheduledExecutorService executor() {
    return executor;
  }

  /** Adds a user; false when the bus was already closed (the caller makes a new one). */
  final synchronized boolean retain() {
    if (closed) {
      return false;
    }
    users++;
    return true;
  }

  /** Removes a user; the last one closes the bus. Returns true when this call closed it. */
  final boolean release() {
    synchronized (this) {
      if (--users > 0 || closed) {
        return false;
      }
      closed = true;
    }
    client.removeListener(stateListener);
    stopping();
    executor.shutdown();
    if (ownsClient) {
      client.shutdownAsync(0, 2, TimeUnit.SECONDS); // closes every connection
    } else {
      connections().forEach(StatefulConnection::closeAsync); // a client the bus does not own stays open
    }
    return true;
  }

  /** True from a reported failure until Redis answers again. */
  final boolean down() {
    return down.get();
  }

  /** How many outages were reported (for tests). */
  final int outages() {
    return outages.get();
  }

  final void failed(String why) {
    if (down.compareAndSet(false, true)) {
      outages.incrementAndGet();
      log.warn("Redis unreachable ({}): delivering to this server's sockets only until it is back", why);
    }
  }

  /**
   * The sum of the counts a {@code PUBSUB NUMSUB} answers (a cluster answers per node), or -1 when
   * Redis does not answer within {@code timeout}; reports the outcome as {@link #ok} or {@link #failed}.
   */
  final <K> long sum(Supplier<RedisFuture<Map<K, Long>>> numsub, Duration timeout) {
    try {
      Map<K, Long> counts = reply(numsub.get(), timeout.toMillis());
      ok();
      long n = 0;
      for (Long v : counts.values()) {
        n += v == null ? 0 : v;
      }
      return n;
    } catch (Exception e) {
      failed(e.getMessage());
      return -1;
    }
  }

  /** The reply to {@code command} within {@code millis}, or what went wrong (an interrupt keeps its flag). */
  static <T> T reply(RedisFuture<T> command, long millis) throws Exception {
    try {
      return command.get(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  /** Sends a command without waiting; its outcome is reported ({@link #ok}, {@link #failed}), never thrown. */
  final <T> CompletableFuture<T> send(Supplier<RedisFuture<T>> command) {
    try {
      return command.get().toCompletableFuture().whenComplete((x, e) -> {
        if (e != null) {
          failed(e.getMessage());
        } else {
          ok();
        }
      });
    } catch (RuntimeException e) {
      failed(e.getMessage());
      return CompletableFuture.failedFuture(e);
    }
  }

  final void ok() {
    if (down.compareAndSet(true, false)) {
      log.info("Redis reachable again: delivery across servers resumed");
    }
  }
}
