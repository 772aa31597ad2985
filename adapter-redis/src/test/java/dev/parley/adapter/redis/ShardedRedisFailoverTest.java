package dev.parley.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.redis.testkit.LocalRedisCluster;
import dev.parley.adapter.testkit.RecordingContext;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shard of a Redis Cluster (three masters with a replica each, started by the test on loopback
 * ports) killed under two servers on the sharded adapter: its replica takes over, the servers subscribe
 * again on the new owner, and delivery resumes without a restart; the killed node comes back as a
 * replica, and every message is still delivered exactly once. A slot moved to another master
 * (resharding) is followed the same way. Skipped without redis-server 7.
 */
@Timeout(240)
class ShardedRedisFailoverTest {
  private static LocalRedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    assumeTrue(LocalRedisCluster.available(), "no redis-server 7 on the PATH");
    cluster = LocalRedisCluster.start(3, 1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One server: a recording namespace "/" on a sharded adapter of its own factory. */
  private static final class Server implements AutoCloseable {
    final RecordingContext context = new RecordingContext("/");
    final ShardedRedisAdapter adapter;

    Server(String prefix) {
      Adapter.Factory factory = ShardedRedisAdapter.factory(cluster.seeds(),
          ShardedRedisAdapterOptions.DEFAULT.withChannelPrefix(prefix).withRequestsTimeout(Duration.ofSeconds(2)));
      adapter = (ShardedRedisAdapter) factory.create(context);
      adapter.init();
    }

    Server socket(String id, String... rooms) {
      context.connect(id);
      adapter.addAll(id, Set.of(id));
      adapter.addAll(id, Set.of(rooms));
      return this;
    }

    long received(String socket, Object... data) {
      return context.deliveries(socket).stream().filter(List.of(data)::equals).count();
    }

    @Override
    public void close() {
      adapter.close();
    }
  }

  private static BroadcastOptions to(String... rooms) {
    return new BroadcastOptions(Set.of(rooms), Set.of(), BroadcastFlags.NONE);
  }

  @Test
  void aKilledShardFailsOverAndDeliveryResumes() throws Exception {
    String prefix = Redis.freshKey();
    String main = prefix + "#/#";
    try (Server a = new Server(prefix).socket("a1", "red"); Server b = new Server(prefix).socket("b1", "red").socket("b2")) {
      await("two servers", Duration.ofSeconds(10), () -> a.adapter.serverCount() == 2 && b.adapter.serverCount() == 2);
      await("B subscribed to red", Duration.ofSeconds(10), () -> b.adapter.placement().containsKey(prefix + "#/#red#"));
      a.adapter.broadcast(a.context.event("before"), BroadcastOptions.ALL);
      await("before", Duration.ofSeconds(10), () -> b.received("b1", "before") == 1 && b.received("b2", "before") == 1);

      // kill the master that holds the namespace's channel, under both servers' subscriptions
      String owner = b.adapter.placement().get(main);
      int port = Integer.parseInt(owner.substring(owner.lastIndexOf(':') + 1));
      cluster.kill(port);

      // its replica takes over; the servers subscribe there and delivery resumes, nothing restarted
      int[] n = {0};
      await("a broadcast after the failover", Duration.ofSeconds(90), () -> {
        a.adapter.broadcast(a.context.event("after", n[0]++), BroadcastOptions.ALL);
        return b.context.deliveries("b2").stream().anyMatch(d -> ((List<?>) d).get(0).equals("after"));
      });
      assertThat(b.adapter.placement().get(main)).isNotEqualTo(owner);
      int[] r = {0};
      await("a room broadcast after the failover", Duration.ofSeconds(30), () -> {
        a.adapter.broadcast(a.context.event("red-after", r[0]++), to("red"));
        return b.context.deliveries("b1").stream().anyMatch(d -> ((List<?>) d).get(0).equals("red-after"));
      });
      await("two servers again", Duration.ofSeconds(30), () -> a.adapter.serverCount() == 2);
      assertThat(a.adapter.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .extracting(AdapterContext.SocketDetails::id).containsExactlyInAnyOrder("a1", "b1", "b2");
      assertThat(b.adapter.outages()).as("warnings of server B").isEqualTo(1);

      // the killed node comes back (as a replica of its successor): every message still arrives once
      cluster.restart(port);
      cluster.awaitOk();
      b.adapter.broadcast(b.context.event("rejoined"), BroadcastOptions.ALL);
      a.adapter.broadcast(a.context.event("rejoined-red"), to("red"));
      await("rejoined", Duration.ofSeconds(10), () -> a.received("a1", "rejoined") == 1 && b.received("b1", "rejoined-red") == 1);
      a.adapter.broadcast(a.context.event("last"), BroadcastOptions.ALL);
      await("last", Duration.ofSeconds(10), () -> b.received("b2", "last") == 1);
      assertThat(a.received("a1", "rejoined")).isEqualTo(1);
      assertThat(b.received("b1", "rejoined-red")).isEqualTo(1);
      assertThat(b.received("b1", "before")).isEqualTo(1);
    }
  }

  @Test
  void aMovedSlotIsFollowed() throws Exception {
    String prefix = Redis.freshKey();
    String main = prefix + "#/#";
    try (Server a = new Server(prefix).socket("a1", "red"); Server b = new Server(prefix).socket("b1", "red").socket("b2")) {
      await("two servers", Duration.ofSeconds(10), () -> a.adapter.serverCount() == 2 && b.adapter.serverCount() == 2);
      String owner = b.adapter.placement().get(main);
      int from = Integer.parseInt(owner.substring(owner.lastIndexOf(':') + 1));
      int to = cluster.masters(from).keySet().stream().filter(p -> p != from).findFirst().orElseThrow();

      cluster.moveSlot(SlotHash.getSlot(main), from, to);

      await("both on the new owner", Duration.ofSeconds(30),
          () -> (":" + to).equals(portOf(b.adapter.placement().get(main))) && (":" + to).equals(portOf(a.adapter.placement().get(main))));
      int[] n = {0};
      await("a broadcast after the move", Duration.ofSeconds(30), () -> {
        a.adapter.broadcast(a.context.event("moved", n[0]++), BroadcastOptions.ALL);
        return b.context.deliveries("b2").stream().anyMatch(d -> ((List<?>) d).get(0).equals("moved"));
      });
      await("two servers on the new owner", Duration.ofSeconds(30), () -> a.adapter.serverCount() == 2);
      b.adapter.broadcast(b.context.event("once"), BroadcastOptions.ALL);
      await("once", Duration.ofSeconds(10), () -> a.received("a1", "once") == 1);
      a.adapter.broadcast(a.context.event("last"), BroadcastOptions.ALL);
      await("last", Duration.ofSeconds(10), () -> b.received("b2", "last") == 1);
      assertThat(a.received("a1", "once")).isEqualTo(1);
    }
  }

  /** ":port" of a "host:port", or null. */
  private static String portOf(String hostPort) {
    return hostPort == null ? null : hostPort.substring(hostPort.lastIndexOf(':'));
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
