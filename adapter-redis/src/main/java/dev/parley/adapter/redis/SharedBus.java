package dev.parley.adapter.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import java.net.SocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *   boolean uses(RedisChannelHandler<?, ?> c) { return c == conn; }
 *   void closeConnections() { conn.closeAsync(); }
 * }
 * }</pre>
 */
abstract class SharedBus {
  /** Numbers the threads of every bus (their names). */
  static final AtomicInteger THREADS = new AtomicInteger();

  final RedisClient client;
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

  SharedBus(RedisClient client, boolean ownsClient, String threadPrefix, Logger log) {
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

  /** True when {@code connection} is one of this bus's. */
  abstract boolean uses(RedisChannelHandler<?, ?> connection);

  /** Closes this bus's connections (a client the bus does not own stays open). */
  abstract void closeConnections();

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
      closeConnections();
    }
    return true;
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

  final void ok() {
    if (down.compareAndSet(true, false)) {
      log.info("Redis reachable again: delivery across servers resumed");
    }
  }
}
