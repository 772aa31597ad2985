package dev.parley.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.adapter.redis.testkit.LocalRedisCluster;
import dev.parley.examples.scenario.ScenarioServer;
import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shard killed under a mixed cluster: a Node.js server on {@code createShardedAdapter} (node-redis
 * {@code createCluster}) and two Parley servers on the sharded adapter, on a Redis Cluster of three
 * masters with a replica each that the test starts. Broadcasts flow both ways between Parley and Node;
 * the master of the namespace channel is killed; once its replica has taken over, they flow both ways
 * between the Parley servers (node-redis may keep retrying the killed master until it is back); the
 * node is restarted (it comes back as the new master's replica), they flow between the Parley servers
 * again, and both ways between Parley and a Node server started then. The Node server of the start is
 * not checked again: after the reconnect its node-redis 4.7 resubscribes all of the node's sharded channels
 * in one SSUBSCRIBE, which Redis refuses with CROSSSLOT when they hash to different slots (node-redis issue
 * 2902; seen in CI, with Parley's adapter back 2.6 s after the kill): Node's client, not the wire between them.
 * Skipped without redis-server 7.
 */
@Timeout(300)
class MixedShardedFailoverTest {
  private static LocalRedisCluster cluster;
  private final String key = "parley-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final Clients clients = new Clients();
  private Member parley;
  private Member parley2;
  private Member node;
  private Member node2;
  private Client onParley;
  private Client onNode;
  private Client onParley2;
  private Client onNode2;
  /** The killed node's port while it is down, else -1: what a timeout's report leaves out. */
  private int killed = -1;

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

  @AfterEach
  void tearDown() {
    try {
      clients.close();
    } finally {
      for (Member m : new Member[] {parley, parley2, node, node2}) {
        if (m != null) {
          m.close();
        }
      }
    }
  }

  @Test
  void broadcastsFlowBothWaysAfterAFailover() throws Exception {
    parley = Member.parley(new ParleyNode("parley", ScenarioServer.adapter(
        Map.of("ADAPTER", "redis-sharded", "REDIS_URL", cluster.seeds(), "CHANNEL_PREFIX", key))));
    parley2 = Member.parley(new ParleyNode("parley2", ScenarioServer.adapter(
        Map.of("ADAPTER", "redis-sharded", "REDIS_URL", cluster.seeds(), "CHANNEL_PREFIX", key))));
    node = Member.node(new NodeServer(key, cluster.seeds(), "sharded"));
    onParley = clients.connect(Clients.Kind.JAVA, parley.url(), parley.label(), "p-java", "r1");
    onParley2 = clients.connect(Clients.Kind.JAVA, parley2.url(), parley2.label(), "p2-java", "r1");
    onNode = clients.connect(Clients.Kind.NODE, node.url(), node.label(), "n-node", "r1");
    ClusterScenarios.awaitRooms(parley, onParley, "r1");
    ClusterScenarios.awaitRooms(parley2, onParley2, "r1");
    ClusterScenarios.awaitRooms(node, onNode, "r1");
    flowsBothWays("before", node, onNode);

    int port = cluster.ownerOf(SlotHash.getSlot(key + "#/#"), cluster.ports().get(0));
    cluster.kill(port);
    killed = port;
    // Parley's side of the failover, between two Parley servers: node-redis 4.7 (the Node peer's client)
    // does not always leave a killed master while it stays down (seen in CI: it retried it for the whole
    // 90 s while Parley's adapter was back after 2 s), so the mixed flow is checked once it is back
    flowsBothWays("after-failover", parley2, onParley2);
    killed = -1;

    cluster.restart(port);
    cluster.awaitOk();
    flowsBothWays("after-restart", parley2, onParley2);
    // the mixed cluster as the failover left it: a Node server that joins it now and Parley, both ways
    // (the first Node server's node-redis 4.7 cannot resubscribe after the failover: see the class comment)
    node2 = Member.node(new NodeServer(key, cluster.seeds(), "sharded"));
    onNode2 = clients.connect(Clients.Kind.NODE, node2.url(), node2.label(), "n2-node", "r1");
    ClusterScenarios.awaitRooms(node2, onNode2, "r1");
    flowsBothWays("after-restart-node", node2, onNode2);
  }

  /**
   * Broadcasts from Parley and from {@code other} to room r1, again and again, until the other server's
   * client has one.
   */
  private void flowsBothWays(String event, Member other, Client onOther) throws Exception {
    retry(event + " parley -> " + other.label(), () -> parley.emit(List.of("r1"), List.of(), event, "from parley"),
        () -> !onOther.received(event).isEmpty());
    retry(event + " " + other.label() + " -> parley", () -> other.emit(List.of("r1"), List.of(), event, "from other"),
        () -> onParley.received(event).stream().anyMatch(s -> s.args().get(0).asText().equals("from other")));
  }

  /** {@code CLUSTER NODES} from a node that is up: whether the failover happened, who owns what. */
  private String clusterNodes() {
    for (int p : cluster.ports()) {
      if (p != killed) {
        try {
          return LocalRedisCluster.cli(p, "cluster", "nodes");
        } catch (Exception e) {
          return "(cluster nodes from " + p + " failed: " + e + ")";
        }
      }
    }
    return "(no live node)";
  }

  /** The stacks of the sharded adapter's keeper threads (the Parley node runs in this JVM): where a retry waits. */
  private static String keepers() {
    StringBuilder b = new StringBuilder();
    Thread.getAllStackTraces().forEach((t, stack) -> {
      if (t.getName().startsWith("parley-redis-sharded-keeper")) {
        b.append(t.getName()).append(' ').append(t.getState()).append('\n');
        for (StackTraceElement e : stack) {
          b.append("  at ").append(e).append('\n');
        }
      }
    });
    return b.length() == 0 ? "(none)\n" : b.toString();
  }

  interface Action {
    void run() throws Exception;
  }

  private void retry(String what, Action action, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; the cluster as a live node sees it:\n"
            + clusterNodes() + "the sharded adapter's keeper threads:\n" + keepers());
      }
      action.run();
      Thread.sleep(250);
    }
  }
}
