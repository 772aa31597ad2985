package dev.parley.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.testkit.RecordingContext;
import dev.parley.adapter.RestoredSession;
import dev.parley.adapter.SessionToPersist;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two servers on one Redis stream: broadcasts, offsets that are stream ids, the stream entries' wire
 * form, cluster requests over pub/sub, and a session persisted by one server restored by the other.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisStreamsAdapterTest {
  private static final long WINDOW = 60_000;
  private final String key = Redis.freshKey();
  private final RedisStreamsAdapterOptions options = Streams.options(key);
  private final List<AutoCloseable> open = new ArrayList<>();
  private RedisClient client;
  private StatefulRedisConnection<String, String> redis;

  @BeforeEach
  void connect() {
    client = RedisClient.create(Redis.URI);
    redis = client.connect();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    List<String> keys = redis.sync().keys(key + "*");
    if (!keys.isEmpty()) {
      redis.sync().del(keys.toArray(String[]::new));
    }
    redis.close();
    client.shutdown();
  }

  private Streams.Node node(long window) {
    Streams.Node n = new Streams.Node(options, window);
    open.add(n);
    return n;
  }

  private static Packet event(Object... data) {
    return Redis.event(data);
  }

  private static BroadcastOptions to(String... rooms) {
    return new BroadcastOptions(Set.of(rooms), Set.of(), BroadcastFlags.NONE);
  }

  private static String offsetOf(Object delivery) {
    List<?> data = (List<?>) delivery;
    return (String) data.get(data.size() - 1);
  }

  private List<StreamMessage<String, String>> entries() {
    return redis.sync().xrange(key, Range.create("-", "+"));
  }

  @Test
  void aBroadcastReachesEveryServerWithItsStreamIdAsOffset() {
    Streams.Node a = node(WINDOW).socket("a1", "room1");
    Streams.Node b = node(WINDOW).socket("b1", "room1").socket("b2");

    a.adapter.broadcast(event("news", "hi"), to("room1"));

    Redis.await("a1 and b1 got it", () -> a.context.deliveries("a1").size() == 1 && b.context.deliveries("b1").size() == 1);
    List<StreamMessage<String, String>> entries = entries();
    assertThat(entries).hasSize(1);
    StreamMessage<String, String> entry = entries.get(0);
    assertThat(a.context.deliveries("a1")).containsExactly(List.of("news", "hi", entry.getId()));
    assertThat(b.context.deliveries("b1")).containsExactly(List.of("news", "hi", entry.getId()));
    assertThat(entry.getBody()).containsExactly(
        Map.entry("uid", a.adapter.uid()), Map.entry("nsp", "/"), Map.entry("type", "3"),
        Map.entry("data", "{\"packet\":{\"type\":2,\"data\":[\"news\",\"hi\"]},\"opts\":{\"rooms\":[\"room1\"],\"except\":[],\"flags\":{}}}"));
    Redis.flush(a, b);
    assertThat(b.context.deliveries("b2")).isEmpty();
    assertThat(a.context.deliveries("a1")).hasSize(1);
  }

  @Test
  void withoutRecoveryAServerDeliversItsOwnBroadcastAtOnceAndWithoutOffset() {
    Streams.Node a = node(0).socket("a1");
    Streams.Node b = node(0).socket("b1");

    a.adapter.broadcast(event("news", "x"), BroadcastOptions.ALL);

    assertThat(a.context.deliveries("a1")).containsExactly(List.of("news", "x"));
    Redis.await("b1 got it", () -> b.context.deliveries("b1").size() == 1);
    assertThat(b.context.deliveries("b1")).containsExactly(List.of("news", "x"));
    Redis.flush(a, b);
    assertThat(a.context.deliveries("a1")).hasSize(1);
  }

  @Test
  void binaryGoesAsBase64MsgpackAndArrivesAsBinary() {
    Streams.Node a = node(0).socket("a1");
    Streams.Node b = node(0).socket("b1");

    a.adapter.broadcast(event("bin", new byte[] {1, 2, 3}), BroadcastOptions.ALL);

    Redis.await("b1 got it", () -> b.context.deliveries("b1").size() == 1);
    List<?> got = (List<?>) b.context.deliveries("b1").get(0);
    assertThat(got.get(0)).isEqualTo("bin");
    assertThat((byte[]) got.get(1)).containsExactly(1, 2, 3);
    assertThat(entries().get(0).getBody().get("data")).doesNotStartWith("{");
  }

  @Test
  void aSessionPersistedByOneServerIsRestoredByAnotherWithWhatItMissed() throws Exception {
    Streams.Node a = node(WINDOW).socket("s1", "room1");
    Streams.Node b = node(WINDOW).socket("b1");
    a.adapter.broadcast(event("m", 0), to("room1"));
    Redis.await("s1 got m0", () -> a.context.deliveries("s1").size() == 1);
    String offset = offsetOf(a.context.deliveries("s1").get(0));

    a.adapter.persistSession(new SessionToPersist("s1", "pid1", Set.of("s1", "room1"), Map.of("user", "ann", "n", 3L)));
    a.adapter.delAll("s1");
    Redis.await("the session is in Redis", () -> redis.sync().exists(key + ":session:pid1") == 1);
    assertThat(redis.sync().pttl(key + ":session:pid1")).isBetween(1L, WINDOW);

    b.adapter.broadcast(event("m", 1), to("room1"));
    a.adapter.broadcast(event("m", 2), BroadcastOptions.ALL);
    a.adapter.broadcast(event("m", -1), to("room2"));
    b.adapter.broadcast(event("m", -2), new BroadcastOptions(Set.of(), Set.of("room1"), BroadcastFlags.NONE));
    a.adapter.broadcast(event("m", -3), new BroadcastOptions(Set.of(), Set.of(), BroadcastFlags.NONE.withDroppable(true)));
    b.adapter.broadcast(event("m", 3), to("room1", "room2"));
    a.adapter.broadcast(event("m", 4), BroadcastOptions.ALL);
    Redis.await("b1 got m4", () -> b.context.deliveries("b1").stream().anyMatch(d -> ((List<?>) d).get(1).equals(4L) || ((List<?>) d).get(1).equals(4)));

    Optional<RestoredSession> restored = b.adapter.restoreSession("pid1", offset).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(restored).isPresent();
    RestoredSession s = restored.get();
    assertThat(s.sid()).isEqualTo("s1");
    assertThat(s.pid()).isEqualTo("pid1");
    assertThat(s.rooms()).containsExactlyInAnyOrder("s1", "room1");
    assertThat(s.data()).containsEntry("user", "ann").containsEntry("n", 3L);
    List<Object> values = new ArrayList<>();
    List<String> offsets = new ArrayList<>();
    for (Packet p : s.missedPackets()) {
      List<?> data = p.data().toPlain();
      assertThat(data).hasSize(2);
      values.add(((Number) data.get(1)).longValue());
      offsets.add(p.offset());
    }
    // two servers' broadcasts have no order between them: the stream's order is the order
    assertThat(values).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    List<String> ids = entries().stream().map(StreamMessage::getId).toList();
    assertThat(ids).containsAll(offsets);
    assertThat(offsets).isSortedAccordingTo((x, y) -> Integer.compare(ids.indexOf(x), ids.indexOf(y)));

    assertThat(redis.sync().exists(key + ":session:pid1")).as("taken from Redis").isZero();
    assertThat(b.adapter.restoreSession("pid1", offset).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .as("core's second look-up on the same server").isPresent();
    assertThat(a.adapter.restoreSession("pid1", offset).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .as("another server cannot take it again").isEmpty();
  }

  @Test
  void anOffsetNoLongerInTheStreamOrAnUnknownSessionIsNotRestored() throws Exception {
    Streams.Node a = node(WINDOW).socket("s1", "room1");
    Streams.Node b = node(WINDOW);
    a.adapter.broadcast(event("m", 0), to("room1"));
    Redis.await("s1 got m0", () -> a.context.deliveries("s1").size() == 1);
    String offset = offsetOf(a.context.deliveries("s1").get(0));

    assertThat(b.adapter.restoreSession("nobody", offset).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(b.adapter.restoreSession("pid1", "not-an-offset").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();

    a.adapter.persistSession(new SessionToPersist("s1", "pid1", Set.of("s1", "room1"), Map.of()));
    Redis.await("the session is in Redis", () -> redis.sync().exists(key + ":session:pid1") == 1);
    a.adapter.broadcast(event("m", 1), to("room1"));
    Redis.await("two entries", () -> entries().size() == 2);
    redis.sync().xtrim(key, 1); // MAXLEN 1, exact: the client's offset is gone

    assertThat(b.adapter.restoreSession("pid1", offset).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void sessionsAreStoredAsNodeStoresThem() {
    Streams.Node a = node(WINDOW);
    a.adapter.persistSession(new SessionToPersist("s1", "pid1", Set.of("s1", "room1"), Map.of("user", "ann")));
    Redis.await("the session is in Redis", () -> redis.sync().exists(key + ":session:pid1") == 1);
    byte[] raw = java.util.Base64.getDecoder().decode(redis.sync().get(key + ":session:pid1"));
    assertThat(Msgpack.decode(raw)).isEqualTo(Map.of(
        "sid", "s1", "pid", "pid1", "rooms", List.of("s1", "room1"), "data", Map.of("user", "ann")));
  }

  @Test
  void clusterRequestsGoOverPubSub() throws Exception {
    Streams.Node a = node(0).socket("a1", "room1");
    Streams.Node b = node(0).socket("b1", "room1").socket("b2", "room2");
    assertThat(a.adapter.serverCount()).isEqualTo(2);

    List<String> fetched = a.adapter.fetchSockets(to("room1")).toCompletableFuture().get(5, TimeUnit.SECONDS)
        .stream().map(d -> d.id()).toList();
    assertThat(fetched).containsExactlyInAnyOrder("a1", "b1");
    assertThat(a.adapter.allRooms().toCompletableFuture().get(5, TimeUnit.SECONDS)).contains("room1", "room2", "a1", "b1", "b2");

    b.context.answerServerSideEvents(Map.of("pong", "b"));
    assertThat(a.adapter.serverSideEmitWithAck(List.of("ping", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .containsExactly(Map.of("pong", "b"));
    a.adapter.serverSideEmit(List.of("hello", "world"));
    Redis.await("b heard hello", () -> b.context.serverSideEvents().contains(List.of("hello", "world")));

    List<Integer> counts = new CopyOnWriteArrayList<>();
    List<Object> acks = new CopyOnWriteArrayList<>();
    a.adapter.broadcastWithAck(Redis.eventWithAck(7, "q"),
        new BroadcastOptions(Set.of("room1"), Set.of(), BroadcastFlags.NONE.withTimeoutMillis(2000)), counts::add, RecordingContext.answersInto(acks));
    Redis.await("b1 was asked", () -> b.context.deliveries("b1").contains(List.of("q")));
    Redis.await("two counts", () -> counts.size() == 2);
    assertThat(counts).containsExactlyInAnyOrder(1, 1);
    assertThat(b.context.answerAck("b1", List.of("ok-b"))).isTrue();
    assertThat(a.context.answerAck("a1", List.of("ok-a"))).isTrue();
    Redis.await("two acks", () -> acks.size() == 2);
    assertThat(acks).containsExactlyInAnyOrder(List.of("ok-a"), List.of("ok-b"));

    a.adapter.addSockets(to("room1"), Set.of("joined"));
    Redis.await("b1 joined", () -> b.adapter.socketRooms("b1").contains("joined"));
    assertThat(a.adapter.socketRooms("a1")).contains("joined");
    a.adapter.disconnectSockets(to("room2"), true);
    Redis.await("b2 disconnected", () -> b.context.disconnects().contains("b2+close"));
  }
}
