package dev.parley.adapter.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections of one server on sharded pub/sub, shared by the adapters of all its namespaces,
 * on a single Redis (7 or later) or a Redis Cluster.
 *
 * <p>A shard channel lives on the shard that owns its hash slot, so the bus keeps one subscriber
 * connection per node it needs (on a single Redis, one), and places each wanted channel on the node
 * that owns it now. It repairs the placement itself rather than leave it to Lettuce's reconnect, which
 * would resubscribe on the node that was lost, not the one that took its slots over:
 * <ul>
 *   <li>a lost subscriber connection is closed for good, and its channels are placed again, after a
 *       topology refresh, once a second until every one is placed (one warning when the connection is
 *       lost, one line when every channel is back);
 *   <li>a {@code sunsubscribe} Redis sends by itself (a slot moved away) places that channel again;
 *   <li>on a cluster, every 2 s each channel's owner is checked against the topology Lettuce holds (a
 *       lookup, no command), which it refreshes periodically and on MOVED and reconnects.
 * </ul>
 * Publishing ({@code SPUBLISH}) and counting ({@code PUBSUB SHARDNUMSUB}) go over one more connection,
 * which Lettuce's cluster client routes to each channel's owner.
 */
// For engineers: why this file is over 500 lines. It is the one place that knows Redis Cluster's slot
// map for sharded pub/sub: which master owns each channel, subscribing there, following MOVED, slot
// migrations and failovers (reconcile, retry, lost, movedAway), and publishing. Splitting the
// ownership map from the code that acts on it would put one invariant (each channel subscribed on its
// owner exactly once) in two files.
final class ShardedBus extends SharedBus {
  private static final Logger log = LoggerFactory.getLogger(ShardedRedisAdapter.class);
  private static final long RETRY_MILLIS = 1000;
  private static final long CHECK_MILLIS = 2000;

  private final RedisClient nodes;
  private final RedisClusterClient cluster;
  private final RedisURI seed;
  private final StatefulConnection<byte[], byte[]> pub;
  private final BaseRedisAsyncCommands<byte[], byte[]> commands;
  /** The publishing connection on a cluster, else null. */
  private final StatefulRedisClusterConnection<byte[], byte[]> clusterPub;
  private final Duration timeout;
  private final ScheduledThreadPoolExecutor keeper;
  /** The channels to be subscribed, and whose messages they carry. */
  private final Map<String, ShardedRedisAdapter> wanted = new ConcurrentHashMap<>();
  /** Where each subscribed channel is subscribed. */
  private final Map<String, NodeSub> placed = new ConcurrentHashMap<>();
  /** The subscriber connections by {@code host:port}; changed holding the lock. */
  private final Map<String, NodeSub> subs = new ConcurrentHashMap<>();
  private final AtomicBoolean retrying = new AtomicBoolean();
  /** Guards the placement: held while subscribing, and by joins only when free (they never wait for it). */
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean stopped;

  private ShardedBus(AbstractRedisClient client, RedisClusterClient cluster, RedisURI seed, boolean owns, Duration timeout) {
    super(client, owns, "parley-redis-sharded-", log);
    this.cluster = cluster;
    this.seed = seed;
    this.timeout = timeout;
    this.nodes = RedisClient.create(client.getResources());
    nodes.setOptions(ClientOptions.builder()
        .autoReconnect(false) // a lost subscriber is replaced, on the node that owns its channels by then
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    try {
      if (cluster != null) {
        StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
        this.pub = c;
        this.commands = c.async();
        this.clusterPub = c;
        connectMasters().join();
      } else {
        this.clusterPub = null;
        StatefulRedisConnection<byte[], byte[]> c = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE, seed);
        this.pub = c;
        this.commands = c.async();
      }
    } catch (RuntimeException e) {
      nodes.shutdown(0, 2, TimeUnit.SECONDS);
      executor.shutdown();
      throw e;
    }
    this.keeper = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "parley-redis-sharded-keeper-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    keeper.setRemoveOnCancelPolicy(true);
    if (cluster != null) {
      keeper.scheduleWithFixedDelay(() -> reconcile(false), CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }
    watch();
  }

  /**
   * A bus on {@code uris}: one URI of a single Redis or of any node of a cluster (which one is asked with
   * {@code INFO cluster}), or a comma-separated list of cluster seed nodes.
   *
   * @throws IllegalStateException when a single URI cannot be reached to tell which it is
   */
  static ShardedBus open(String uris, Duration timeout) {
    List<RedisURI> seeds = new ArrayList<>();
    for (String u : uris.split(",")) {
      if (!u.isBlank()) {
        seeds.add(RedisURI.create(u.trim()));
      }
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no Redis URI in \"" + uris + "\"");
    }
    if (seeds.size() == 1) {
      RedisClient client = ServerFactory.newClient(seeds.get(0).toString());
      boolean clustered;
      try (StatefulRedisConnection<String, String> probe = client.connect(seeds.get(0))) {
        clustered = probe.sync().info("cluster").contains("cluster_enabled:1");
      } catch (RuntimeException e) {
        client.shutdown(0, 2, TimeUnit.SECONDS);
        throw new IllegalStateException("could not reach Redis at " + seeds.get(0), e);
      }
      if (!clustered) {
        try {
          return new ShardedBus(client, null, seeds.get(0), true, timeout);
        } catch (RuntimeException e) {
          client.shutdown(0, 2, TimeUnit.SECONDS);
          throw new IllegalStateException("could not reach Redis at " + seeds.get(0), e);
        }
      }
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
    return onCluster(newClusterClient(seeds), true, timeout);
  }

  /** A bus on a cluster client ({@code owns}: the bus shuts it down with its last adapter). */
  static ShardedBus onCluster(RedisClusterClient client, boolean owns, Duration timeout) {
    try {
      RedisURI any = client.getPartitions().iterator().next().getUri(); // loads the topology, or throws
      return new ShardedBus(client, client, any, owns, timeout);
    } catch (RuntimeException e) {
      if (owns) {
        client.shutdown(0, 2, TimeUnit.SECONDS);
      }
      throw new IllegalStateException("could not reach the Redis Cluster", e);
    }
  }

  /**
   * A cluster client on {@code seeds} that refreshes its topology every 10 s and on every adaptive
   * trigger (MOVED, ASK, reconnects), and fails commands at once while a node is unreachable.
   */
  static RedisClusterClient newClusterClient(List<RedisURI> seeds) {
    RedisClusterClient c = RedisClusterClient.create(seeds);
    c.setOptions(ClusterClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(Duration.ofSeconds(10))
            .enableAllAdaptiveRefreshTriggers()
            .build())
        .build());
    return c;
  }

  // ------------------------------------------------------------------ subscriptions

  /** Subscribes an adapter's channels on their nodes and waits for Redis to confirm. */
  void subscribe(ShardedRedisAdapter adapter, String... channels) {
    lock.lock();
    try {
      for (String c : channels) {
        wanted.put(c, adapter);
      }
      for (String c : channels) {
        place(c, true);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not subscribe to Redis for namespace " + adapter.namespace(), e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Brings a room channel in line with what its adapter wants now ({@link ShardedRedisAdapter#wantsRoomChannel})
   * without waiting for Redis: the SSUBSCRIBE or SUNSUBSCRIBE is written at once when the placement is
   * free and the channel's node connected, else left to the keeper thread. Joins and leaves never block.
   */
  void roomChanged(ShardedRedisAdapter adapter, String room, String channel) {
    if (lock.tryLock()) {
      try {
        syncRoom(adapter, room, channel, false);
      } finally {
        lock.unlock();
      }
      return;
    }
    later(keeper, () -> {
      lock.lock();
      try {
        syncRoom(adapter, room, channel, true);
      } finally {
        lock.unlock();
      }
    });
  }

  /** Holding the lock. */
  private void syncRoom(ShardedRedisAdapter adapter, String room, String channel, boolean mayConnect) {
    if (stopped) {
      return;
    }
    if (!adapter.wantsRoomChannel(room)) {
      if (wanted.remove(channel) != null) {
        drop(channel);
      }
      return;
    }
    wanted.put(channel, adapter);
    try {
      if (!place(channel, false, mayConnect)) {
        later(keeper, () -> reconcile(false));
      }
    } catch (Exception e) {
      retryLater(e);
    }
  }

  /** Unsubscribes channels (not waiting); the connections close with the last adapter. */
  void unsubscribe(List<String> channels) {
    lock.lock();
    try {
      for (String c : channels) {
        wanted.remove(c);
        drop(c);
      }
    } finally {
      lock.unlock();
    }
    release();
  }

  /** The channels an adapter has on this bus (its room channels included). */
  List<String> channelsOf(ShardedRedisAdapter adapter) {
    List<String> out = new ArrayList<>();
    wanted.forEach((c, a) -> {
      if (a == adapter) {
        out.add(c);
      }
    });
    return out;
  }

  /**
   * Opens the publishing connection's link to every master of the topology: with
   * {@code REJECT_COMMANDS}, Lettuce rejects a command for a node it is still connecting to, so a
   * master's first SPUBLISH would be lost.
   */
  private CompletableFuture<Void> connectMasters() {
    List<CompletableFuture<?>> links = new ArrayList<>();
    for (RedisClusterNode n : cluster.getPartitions()) {
      if (n.getRole().isUpstream() && !n.is(RedisClusterNode.NodeFlag.FAIL)) {
        links.add(clusterPub.getConnectionAsync(n.getUri().getHost(), n.getUri().getPort())
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(e -> null));
      }
    }
    return CompletableFuture.allOf(links.toArray(CompletableFuture[]::new));
  }

  /** The node channel {@code c} must be subscribed on now: the seed on a single Redis, else its slot's master. */
  private RedisURI owner(String c) {
    if (cluster == null) {
      return seed;
    }
    RedisClusterNode node = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(bytes(c)));
    if (node == null) {
      throw new IllegalStateException("no node serves the slot of " + c);
    }
    return node.getUri();
  }

  /** {@code host:port} of a node: the key of its subscriber connection. */
  private static String key(RedisURI node) {
    return node.getHost() + ":" + node.getPort();
  }

  private void place(String c, boolean waitForReply) throws Exception {
    place(c, waitForReply, true);
  }

  /**
   * Subscribes {@code c} on its owner unless it is already, holding the lock: waiting for the reply, or
   * not (a failure then schedules a retry). False when the owner is not connected and
   * {@code mayConnect} is false (connecting blocks).
   */
  private boolean place(String c, boolean waitForReply, boolean mayConnect) throws Exception {
    if (!wanted.containsKey(c)) {
      return true;
    }
    RedisURI node = owner(c);
    String key = key(node);
    NodeSub current = placed.get(c);
    if (current != null && current.key.equals(key) && current.open()) {
      return true;
    }
    NodeSub target = subs.get(key);
    if (target == null || !target.open()) {
      if (!mayConnect) {
        return false;
      }
      // the seed's settings (password, TLS, timeouts) with the owner's address
      RedisURI uri = cluster == null ? seed
          : RedisURI.builder(seed).withHost(node.getHost()).withPort(node.getPort()).build();
      target = new NodeSub(key, nodes.connectPubSub(ByteArrayCodec.INSTANCE, uri));
      subs.put(key, target);
    }
    RedisFuture<Void> subscribed = target.conn.async().ssubscribe(bytes(c));
    if (waitForReply) {
      reply(subscribed, timeout.toMillis());
    } else {
      subscribed.whenComplete((x, e) -> {
        if (e != null) {
          retryLater(e instanceof Exception ex ? ex : new IllegalStateException(e));
        }
      });
    }
    placed.put(c, target);
    if (current != null && current != target && current.open()) {
      current.conn.async().sunsubscribe(bytes(c)); // the slot moved: leave the old owner
    }
    return true;
  }

  /** Unsubscribes a channel that is no longer wanted (its node connection stays for the next). Holding the lock. */
  private void drop(String c) {
    NodeSub n = placed.remove(c);
    if (n != null && n.open()) {
      n.conn.async().sunsubscribe(bytes(c));
    }
  }

  /**
   * Places every wanted channel on its owner ({@code refresh}: after reloading the cluster topology);
   * retries once a second while one cannot be placed.
   */
  private void reconcile(boolean refresh) {
    // Whatever throws here must end in a retry: this runs on the keeper, where an escaping exception
    // would end the retries for good (and a periodic check's schedule with them) while a failover
    // is still under way, e.g. the topology changing under connectMasters.
    Exception failure = null;
    lock.lock();
    try {
      if (stopped) {
        return;
      }
      if (refresh && cluster != null) {
        try {
          cluster.refreshPartitions();
        } catch (RuntimeException e) {
          log.debug("topology refresh failed", e);
        }
      }
      if (cluster != null) {
        try {
          connectMasters(); // not waiting: a new master's link is ready by the next publish
        } catch (RuntimeException e) {
          failure = e;
        }
      }
      for (String c : new ArrayList<>(wanted.keySet())) {
        try {
          place(c, true);
        } catch (Exception e) {
          failure = e;
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      lock.unlock();
    }
    if (failure != null) {
      retryLater(failure);
    } else {
      ok();
    }
  }

  private void retryLater(Exception cause) {
    if (stopped) {
      return;
    }
    failed(String.valueOf(cause.getMessage()));
    if (retrying.compareAndSet(false, true)) {
      schedule(() -> {
        retrying.set(false);
        reconcile(true);
      }, RETRY_MILLIS);
    }
  }

  private void schedule(Runnable task, long millis) {
    try {
      keeper.schedule(task, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // stopping meanwhile
    }
  }

  /** A subscriber connection was lost: close it for good and place its channels again. */
  private void lost(NodeSub n) {
    lock.lock();
    try {
      if (stopped || subs.get(n.key) != n) {
        return;
      }
      subs.remove(n.key);
      placed.values().removeIf(x -> x == n);
    } finally {
      lock.unlock();
    }
    n.conn.closeAsync();
    failed("lost the subscriber connection to " + n.key);
    schedule(() -> reconcile(true), RETRY_MILLIS / 2);
  }

  /** Redis unsubscribed a channel by itself (its slot moved): place it again. */
  private void movedAway(NodeSub n, String c) {
    lock.lock();
    try {
      if (stopped || placed.get(c) != n || !wanted.containsKey(c)) {
        return; // our own SUNSUBSCRIBE
      }
      placed.remove(c);
    } finally {
      lock.unlock();
    }
    log.info("Redis moved shard channel {} away from {}: subscribing on its new owner", c, n.key);
    later(keeper, () -> reconcile(true));
  }

  /** One subscriber connection, to one node. */
  private final class NodeSub {
    final String key;
    final StatefulRedisPubSubConnection<byte[], byte[]> conn;

    NodeSub(String key, StatefulRedisPubSubConnection<byte[], byte[]> conn) {
      this.key = key;
      this.conn = conn;
      NodeSub self = this;
      conn.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void smessage(byte[] channel, byte[] message) {
          String ch = new String(channel, StandardCharsets.UTF_8);
          ShardedRedisAdapter a = wanted.get(ch);
          if (a != null) {
            later(executor, () -> a.onRawMessage(ch, message));
          }
        }

        @Override
        public void sunsubscribed(byte[] channel, long count) {
          String ch = new String(channel, StandardCharsets.UTF_8);
          later(keeper, () -> movedAway(self, ch));
        }
      });
      conn.addListener(new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
          later(keeper, () -> lost(self));
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {}

        @Override
        public void onRedisExceptionCaught(RedisChannelHandler<?, ?> connection, Throwable cause) {}
      });
    }

    boolean open() {
      return conn.isOpen();
    }
  }

  // ------------------------------------------------------------------ publishing and counting

  /** {@code SPUBLISH} without waiting; a failure is logged once per outage and never thrown. */
  void publish(String channel, byte[] message) {
    send(() -> commands.spublish(bytes(channel), message));
  }

  /** {@code PUBSUB SHARDNUMSUB channel} on the channel's owner, or -1 when Redis does not answer in time. */
  long numsub(String channel, Duration wait) {
    return sum(() -> commands.pubsubShardNumsub(bytes(channel)), wait);
  }

  @Override
  List<StatefulConnection<?, ?>> connections() {
    List<StatefulConnection<?, ?>> out = new ArrayList<>();
    if (pub.isOpen()) {
      out.add(pub);
    }
    for (NodeSub n : subs.values()) {
      out.add(n.conn);
    }
    return out;
  }

  @Override
  void stopping() {
    lock.lock();
    try {
      stopped = true;
      subs.clear();
      placed.clear();
    } finally {
      lock.unlock();
    }
    keeper.shutdownNow();
    // closed before the client shuts down, which would otherwise close the cluster's node links twice
    pub.close();
    // closes the subscriber connections; before the main client, whose resources (event loops) it uses
    nodes.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** Runs {@code task} on {@code on}, unless the bus has stopped (then there is nothing left to do). */
  private void later(Executor on, Runnable task) {
    if (stopped) {
      return;
    }
    try {
      on.execute(task);
    } catch (RejectedExecutionException e) {
      // stopping meanwhile
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** For tests: the node each subscribed channel is on. */
  Map<String, String> placement() {
    Map<String, String> out = new HashMap<>();
    placed.forEach((c, n) -> out.put(c, n.key));
    return out;
  }
}
