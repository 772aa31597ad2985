package dev.parley.adapter.redis;

import static dev.parley.adapter.redis.Redis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.testkit.RecordingContext;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mixed cluster on one Redis: a Node.js socket.io 4.8.4 server on {@code @socket.io/redis-adapter}
 * 8.3.0 with real clients n1 (room1) and n2 (room2), and a Parley Redis adapter (recording namespace)
 * with j1 (room1) and j2 (room2). Tests share the cluster and use distinct event names.
 */
@Timeout(60)
class NodeInteropTest {
  private static NodePeer node;
  private static Redis.Node parley;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(new File(NodePeer.DIR, "node_modules/@socket.io/redis-adapter").isDirectory(),
        "npm ci has not run in " + NodePeer.DIR);
    String key = Redis.freshKey();
    node = new NodePeer(key);
    parley = new Redis.Node(Redis.URI, Redis.options(key)).socket("j1", "room1").socket("j2", "room2");
  }

  @AfterAll
  static void stop() throws Exception {
    if (parley != null) {
      parley.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> nodeReceived(String client) throws Exception {
    return (List<Object>) NodePeer.map(node.call("received").get("received")).get(client);
  }

  private static List<Object> named(List<Object> deliveries, String event) {
    return deliveries.stream().filter(d -> ((List<?>) d).get(0).equals(event)).collect(Collectors.toList());
  }

  private static BroadcastOptions to(String... rooms) {
    return new BroadcastOptions(Set.of(rooms), Set.of(), BroadcastFlags.NONE);
  }

  @Test
  void bothCountTwoServers() throws Exception {
    assertThat(parley.adapter.serverCount()).isEqualTo(2);
    assertThat(node.call("serverCount").get("count")).isEqualTo(2L);
  }

  @Test
  void nodeBroadcastReachesParleySockets() throws Exception {
    node.call("emit", "rooms", List.of("room1"), "args", List.of("n2p", "from node", 1, 3.5, Map.of("k", true)));
    await("j1", () -> !named(parley.context.deliveries("j1"), "n2p").isEmpty());
    assertThat(named(parley.context.deliveries("j1"), "n2p")).containsExactly(List.of("n2p", "from node", 1L, 3.5, Map.of("k", true)));
    // Node publishes in order: once its next broadcast has reached j2, the first one would have too
    node.call("emit", "rooms", List.of(), "args", List.of("n2p-flush"));
    await("j2 flushed", () -> !named(parley.context.deliveries("j2"), "n2p-flush").isEmpty());
    assertThat(named(parley.context.deliveries("j2"), "n2p")).isEmpty();
    assertThat(named(parley.context.deliveries("j1"), "n2p")).hasSize(1);
  }

  @Test
  void parleyBroadcastReachesNodeClients() throws Exception {
    parley.adapter.broadcast(Redis.event("p2n", "from parley", 42, new byte[] {1, 2}), to("room2"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (nodeReceived("n2").stream().noneMatch(e -> ((List<?>) e).get(0).equals("p2n")) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(nodeReceived("n2")).contains(List.of("p2n", "from parley", 42L, Map.of("bin", List.of(1L, 2L))));
    assertThat(nodeReceived("n1")).noneMatch(e -> ((List<?>) e).get(0).equals("p2n"));
  }

  @Test
  void parleyFetchesNodeSockets() throws Exception {
    List<AdapterContext.SocketDetails> found = parley.adapter.fetchSockets(to("room1"))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(found.stream().map(AdapterContext.SocketDetails::id).collect(Collectors.toList()))
        .containsExactlyInAnyOrder("j1", node.id("n1"));
    AdapterContext.SocketDetails n1 = found.stream().filter(d -> d.id().equals(node.id("n1"))).findFirst().orElseThrow();
    assertThat(n1.rooms()).containsExactly(node.id("n1"), "room1");
    assertThat(n1.data()).isEqualTo(Map.of("name", "n1"));
    assertThat(n1.handshake()).containsEntry("auth", Map.of("name", "n1", "rooms", List.of("room1")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void nodeFetchesParleySockets() throws Exception {
    List<Object> sockets = (List<Object>) node.call("fetch", "rooms", List.of("room2")).get("sockets");
    List<Object> ids = new ArrayList<>();
    for (Object s : sockets) {
      ids.add(NodePeer.map(s).get("id"));
    }
    assertThat(ids).containsExactlyInAnyOrder("j2", node.id("n2"));
  }

  @Test
  void serverSideEmitWithAckBothWays() throws Exception {
    parley.context.answerServerSideEvents(Map.of("pong", "parley"));
    assertThat(node.call("serverSideEmitWithAck", "args", List.of("ping-ssa", "from node")).get("answers"))
        .isEqualTo(List.of(Map.of("pong", "parley")));
    assertThat(parley.context.serverSideEvents()).contains(List.of("ping-ssa", "from node"));
    assertThat(parley.adapter.serverSideEmitWithAck(List.of("ping-ssa", "from parley")).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .containsExactly(Map.of("pong", "node", "got", "from parley"));
  }

  @Test
  void parleyBroadcastWithAckCollectsNodeClientAcks() {
    List<Integer> counts = new CopyOnWriteArrayList<>();
    List<Object> acks = new CopyOnWriteArrayList<>();
    parley.adapter.broadcastWithAck(Redis.eventWithAck(99, "ackme", "please"), new BroadcastOptions(
        Set.of("room1", "room2"), Set.of("j1", "j2"), BroadcastFlags.NONE.withTimeoutMillis(3000)), counts::add, RecordingContext.answersInto(acks));
    await("acks", () -> acks.size() == 2);
    assertThat(counts).containsExactlyInAnyOrder(0, 2);
    assertThat(acks).containsExactlyInAnyOrder(List.of(Map.of("from", "n1")), List.of(Map.of("from", "n2")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void nodeBroadcastWithAckCollectsParleyAcks() throws Exception {
    Thread answer = new Thread(() -> {
      await("j1 asked", () -> parley.context.deliveries("j1").stream().anyMatch(d -> ((List<?>) d).get(0).equals("ask")));
      parley.context.answerAck("j1", List.of("from-j1", "ignored"));
    });
    answer.start();
    Map<String, Object> reply = node.call("emitWithAck", "rooms", List.of("room1"), "args", List.of("ask", 1));
    answer.join();
    assertThat((List<Object>) reply.get("answers")).containsExactlyInAnyOrder(Map.of("from", "n1"), "from-j1");
  }

  @Test
  @SuppressWarnings("unchecked")
  void nodeSocketsJoinReachesParley() throws Exception {
    node.call("join", "rooms", List.of("room2"), "join", List.of("joined-by-node"));
    await("j2 joined", () -> parley.adapter.sockets(Set.of("joined-by-node")).contains("j2"));
    parley.adapter.addSockets(to("room1"), Set.of("joined-by-parley"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!node.call("rooms", "name", "n1").get("rooms").toString().contains("joined-by-parley") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat((List<Object>) node.call("rooms", "name", "n1").get("rooms")).contains("joined-by-parley");
  }
}
