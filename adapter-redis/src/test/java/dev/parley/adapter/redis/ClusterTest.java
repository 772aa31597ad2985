package dev.parley.adapter.redis;

import dev.parley.adapter.RequestTimeoutException;

import static dev.parley.adapter.redis.Redis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.testkit.RecordingContext;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two servers (two adapters, two recording namespaces) on one Redis: A holds a1 (red) and a2 (red,
 * blue); B holds b1 (blue) and b2. What every cluster adapter does is in the contract
 * ({@link RedisAdapterContractTest}); these are the Redis adapter's wire and its own behaviour.
 */
@Timeout(30)
class ClusterTest {
  private String key;
  private Redis.Node a;
  private Redis.Node b;
  private RedisClient raw;

  @BeforeEach
  void twoNodes() {
    key = Redis.freshKey();
    a = new Redis.Node(Redis.URI, Redis.options(key)).socket("a1", "red").socket("a2", "red", "blue");
    b = new Redis.Node(Redis.URI, Redis.options(key)).socket("b1", "blue").socket("b2");
    raw = RedisClient.create(Redis.URI);
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
    raw.shutdown();
  }

  private static Packet event(Object... data) {
    return Redis.event(data);
  }

  private static BroadcastOptions to(Set<String> rooms, Set<String> except) {
    return new BroadcastOptions(rooms, except, BroadcastFlags.NONE);
  }

  private static List<String> receivers(Redis.Node node, Object... data) {
    List<Object> expected = List.of(data);
    List<String> out = new ArrayList<>();
    for (String id : List.of("a1", "a2", "b1", "b2")) {
      for (Object d : node.context.deliveries(id)) {
        if (expected.equals(d)) {
          out.add(id);
        }
      }
    }
    return out;
  }

  private List<String> everywhere(Object... data) {
    List<String> out = new ArrayList<>(receivers(a, data));
    out.addAll(receivers(b, data));
    Collections.sort(out);
    return out;
  }

  @Test
  void serverCountIsTheNumberOfServers() {
    assertThat(a.adapter.serverCount()).isEqualTo(2);
    assertThat(b.adapter.serverCount()).isEqualTo(2);
  }

  @Test
  void broadcastReachesEveryServer() {
    a.adapter.broadcast(event("news", "hello", 42, 3.5, true, Map.of("k", List.of(1, "x"))), BroadcastOptions.ALL);
    await("b2", () -> !b.context.deliveries("b2").isEmpty());
    Redis.flush(a, b);
    assertThat(everywhere("news", "hello", 42L, 3.5, true, Map.of("k", List.of(1L, "x")))).containsExactly("b1", "b2");
    assertThat(everywhere("news", "hello", 42, 3.5, true, Map.of("k", List.of(1, "x")))).containsExactly("a1", "a2");
  }

  @Test
  void binaryCrossesAsBinary() {
    a.adapter.broadcast(event("bin", new byte[] {1, 2, 3}), to(Set.of("b1"), Set.of()));
    await("b1", () -> !b.context.deliveries("b1").isEmpty());
    List<?> got = (List<?>) b.context.deliveries("b1").get(0);
    assertThat((byte[]) got.get(1)).containsExactly(1, 2, 3);
  }

  @Test
  void publishedBroadcastHasNodesExactLayout() throws Exception {
    StatefulRedisPubSubConnection<String, byte[]> sub = raw.connectPubSub(
        io.lettuce.core.codec.RedisCodec.of(io.lettuce.core.codec.StringCodec.UTF8, io.lettuce.core.codec.ByteArrayCodec.INSTANCE));
    List<byte[]> seen = new CopyOnWriteArrayList<>();
    sub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, byte[] message) {
        seen.add(message);
      }
    });
    sub.sync().subscribe(key + "#/#room1#");
    a.adapter.broadcast(Redis.event("news", "room1 only"), to(Set.of("room1"), Set.of()));
    await("message", () -> !seen.isEmpty());
    Map<String, Object> packet = new LinkedHashMap<>();
    packet.put("type", 2);
    packet.put("data", List.of("news", "room1 only"));
    packet.put("nsp", "/");
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("rooms", List.of("room1"));
    opts.put("except", List.of());
    opts.put("flags", Map.of());
    assertThat(seen.get(0)).isEqualTo(Msgpack.encode(List.of(a.adapter.uid(), packet, opts)));
    assertThat(seen.get(0)).hasSize(72);
    sub.close();
  }

  @Test
  void fetchSocketsMergesEveryServer() throws Exception {
    List<AdapterContext.SocketDetails> found = a.adapter.fetchSockets(to(Set.of("blue"), Set.of()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(found.stream().map(AdapterContext.SocketDetails::id).sorted().collect(Collectors.toList()))
        .containsExactly("a2", "b1");
    AdapterContext.SocketDetails b1 = found.stream().filter(d -> d.id().equals("b1")).findFirst().orElseThrow();
    // the id comes first on the wire, then the rooms it joined
    assertThat(b1.rooms()).containsExactly("b1", "blue");
    assertThat(b1.handshake()).containsEntry("auth", Map.of());
    assertThat(b.adapter.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .hasSize(4);
    assertThat(b.adapter.fetchSockets(to(Set.of("nobody"), Set.of())).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEmpty();
  }

  @Test
  void allRoomsMergesEveryServer() throws Exception {
    assertThat(a.adapter.allRooms().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "red", "blue");
  }

  @Test
  void socketsJoinAndLeaveActOnEveryServerOnce() {
    a.adapter.addSockets(to(Set.of("blue"), Set.of()), Set.of("joined"));
    assertThat(a.adapter.sockets(Set.of("joined"))).containsExactly("a2"); // at once on the asking server
    await("b1 joined", () -> b.adapter.sockets(Set.of("joined")).contains("b1"));
    a.adapter.delSockets(to(Set.of(), Set.of()), Set.of("blue"));
    await("blue gone", () -> b.adapter.sockets(Set.of("blue")).isEmpty());
    assertThat(a.adapter.sockets(Set.of("blue"))).isEmpty();
    Redis.flush(a, b);
    // the echo of A's own join was ignored: one JOIN room event for a2, not two
    assertThat(a.context.roomEvents().stream().filter(e -> e.room().equals("joined")
        && e.kind() == dev.parley.adapter.RoomEvent.Kind.JOIN).count()).isEqualTo(1);
  }

  @Test
  void disconnectSocketsActsOnEveryServerOnce() {
    b.adapter.disconnectSockets(to(Set.of("red", "b2"), Set.of("a2")), true);
    await("a1", () -> a.context.disconnects().contains("a1+close"));
    Redis.flush(a, b);
    assertThat(a.context.disconnects()).containsExactly("a1+close");
    assertThat(b.context.disconnects()).containsExactly("b2+close");
  }

  @Test
  void serverSideEmitWithoutAck() {
    a.adapter.serverSideEmit(List.of("hello", "world", 1, Map.of("k", "v")));
    await("event", () -> !b.context.serverSideEvents().isEmpty());
    Redis.flush(a, b);
    assertThat(b.context.serverSideEvents()).containsExactly(List.of("hello", "world", 1L, Map.of("k", "v")));
    assertThat(a.context.serverSideEvents()).isEmpty();
  }

  @Test
  void serverSideEmitWithAckCollectsOneAnswerPerOtherServer() throws Exception {
    b.context.answerServerSideEvents(Map.of("pong", "B", "n", 1));
    List<Object> answers = a.adapter.serverSideEmitWithAck(List.of("ping", "are you there?"))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(answers).containsExactly(Map.of("pong", "B", "n", 1L));
    assertThat(b.context.serverSideEvents()).containsExactly(List.of("ping", "are you there?"));
  }

  @Test
  void broadcastWithAckCountsPerServerAndForwardsFirstArguments() {
    List<Integer> counts = new CopyOnWriteArrayList<>();
    List<Object> acks = new CopyOnWriteArrayList<>();
    a.adapter.broadcastWithAck(Redis.eventWithAck(7, "ackme"),
        new BroadcastOptions(Set.of("blue"), Set.of(), BroadcastFlags.NONE.withTimeoutMillis(3000)),
        counts::add, RecordingContext.answersInto(acks));
    await("b1 got it", () -> !b.context.deliveries("b1").isEmpty());
    await("two counts", () -> counts.size() == 2);
    assertThat(counts).containsExactlyInAnyOrder(1, 1);
    assertThat(b.context.deliveries("b2")).isEmpty();
    assertThat(b.context.answerAck("b1", List.of(Map.of("from", "b1"), "dropped"))).isTrue();
    assertThat(a.context.answerAck("a2", List.of("from-a2"))).isTrue();
    await("two acks", () -> acks.size() == 2);
    assertThat(acks).containsExactlyInAnyOrder(List.of(Map.of("from", "b1")), List.of("from-a2"));
  }

  @Test
  void broadcastWithAckToNobodyStillCountsEveryServer() {
    List<Integer> counts = new CopyOnWriteArrayList<>();
    a.adapter.broadcastWithAck(Redis.eventWithAck(8, "ackme"),
        new BroadcastOptions(Set.of("nobody"), Set.of(), BroadcastFlags.NONE.withTimeoutMillis(3000)),
        counts::add, x -> { });
    await("two counts", () -> counts.size() == 2);
    assertThat(counts).containsExactly(0, 0);
  }

  @Test
  void nodeShapedRequestsAreAnswered() throws Exception {
    // a "Node peer" made by hand: legacy sid join, a fetch with no flags, both answered on the shared channel
    StatefulRedisPubSubConnection<String, String> sub = raw.connectPubSub();
    List<String> responses = new CopyOnWriteArrayList<>();
    sub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        responses.add(message);
      }
    });
    sub.sync().subscribe(key + "-response#/#");
    StatefulRedisConnection<String, String> pub = raw.connect();
    pub.sync().publish(key + "-request#/#",
        "{\"uid\":\"LEGACY\",\"requestId\":\"legacy1\",\"type\":2,\"sid\":\"b1\",\"room\":\"legacy-room\"}");
    await("legacy answer", () -> responses.contains("{\"requestId\":\"legacy1\"}"));
    assertThat(b.adapter.sockets(Set.of("legacy-room"))).containsExactly("b1");
    pub.sync().publish(key + "-request#/#",
        "{\"uid\":\"NodeAA\",\"requestId\":\"fetch1\",\"type\":5,\"opts\":{\"rooms\":[\"nobody\"],\"except\":[]}}");
    await("two empty answers", () -> responses.stream().filter("{\"requestId\":\"fetch1\",\"sockets\":[]}"::equals).count() == 2);
    pub.sync().publish(key + "-request#/#", "{not json");
    pub.sync().publish(key + "#/#", "garbage");
    b.adapter.broadcast(event("still-alive"), to(Set.of("a1"), Set.of()));
    await("still alive", () -> !a.context.deliveries("a1").isEmpty());
    sub.close();
    pub.close();
  }

  @Test
  void requestsTimeOutWhenAServerDoesNotAnswer() throws Exception {
    // an extra plain subscriber on the request channel counts as a server that never answers
    StatefulRedisPubSubConnection<String, String> ghost = raw.connectPubSub();
    ghost.sync().subscribe(key + "-request#/#");
    assertThat(a.adapter.serverCount()).isEqualTo(3);
    b.context.answerServerSideEvents("pong");
    long start = System.nanoTime();
    assertThatThrownBy(() -> a.adapter.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(RequestTimeoutException.class)
        .hasMessage("timeout reached while waiting for fetchSockets response");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1900L, 4000L);
    assertThatThrownBy(() -> a.adapter.allRooms().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .cause().hasMessage("timeout reached while waiting for allRooms response");
    try {
      a.adapter.serverSideEmitWithAck(List.of("ping")).toCompletableFuture().get(5, TimeUnit.SECONDS);
      throw new AssertionError("no timeout");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).hasMessage("timeout reached: only 1 responses received out of 2");
      assertThat(((RequestTimeoutException) e.getCause()).responses()).containsExactly("pong");
    }
    ghost.close();
    await("count back to 2", () -> a.adapter.serverCount() == 2);
  }

  @Test
  void namespacesAreSeparate() {
    try (Redis.Node chatB = new Redis.Node(Redis.URI, Redis.options(key), "/chat").socket("c1")) {
      assertThat(chatB.adapter.serverCount()).isEqualTo(1);
      a.adapter.broadcast(event("for-slash"), BroadcastOptions.ALL);
      await("b1", () -> !b.context.deliveries("b1").isEmpty());
      try (Redis.Node chatA = new Redis.Node(Redis.URI, Redis.options(key), "/chat").socket("c0")) {
        Redis.flush(chatA, chatB); // published after "for-slash": chatB would have had it first
      }
      assertThat(chatB.context.deliveries("c1")).isEmpty();
      assertThat(new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(key);
    }
  }
}
