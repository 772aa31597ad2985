package dev.parley.adapter.redis;

import static dev.parley.adapter.redis.Redis.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.redis.ShardedRedisAdapterOptions.SubscriptionMode;
import dev.parley.adapter.testkit.RecordingContext;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the sharded adapter puts on the wire and takes from it, on the single Redis, compared with the
 * messages of Node's {@code createShardedAdapter} (docs: /work/shared/REDIS-ADAPTER.md section 8): channel
 * names per subscription mode, JSON {@code {type, data, uid, nsp}} or msgpack with binary, and the
 * room channels a server subscribes while it holds the room.
 */
class ShardedWireTest {
  private static final String SID = "AAAAAAAAAAAAAAAAAAAA"; // 20 characters: a socket id to Node
  private final String prefix = Redis.freshKey();
  private final RedisClient client = RedisClient.create(Redis.URI);
  private final StatefulRedisPubSubConnection<String, byte[]> spy = client.connectPubSub(StreamsBus.CODEC);
  private final StatefulRedisConnection<String, String> redis = client.connect();
  private final BlockingQueue<Map.Entry<String, byte[]>> seen = new LinkedBlockingQueue<>();
  private final RecordingContext context = new RecordingContext("/");
  private ShardedRedisAdapter adapter;

  ShardedWireTest() {
    spy.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void smessage(String channel, byte[] message) {
        seen.add(Map.entry(channel, message));
      }
    });
  }

  private void start(SubscriptionMode mode) {
    Adapter.Factory f = ShardedRedisAdapter.factory(Redis.URI, ShardedRedisAdapterOptions.DEFAULT
        .withChannelPrefix(prefix).withSubscriptionMode(mode));
    adapter = (ShardedRedisAdapter) f.create(context);
    adapter.init();
    context.connect(SID);
    adapter.addAll(SID, Set.of(SID));
    adapter.addAll(SID, Set.of("room1"));
  }

  @AfterEach
  void stop() {
    if (adapter != null) {
      adapter.close();
    }
    client.shutdown();
  }

  private Map.Entry<String, byte[]> next() throws InterruptedException {
    Map.Entry<String, byte[]> m = seen.poll(5, TimeUnit.SECONDS);
    assertThat(m).as("a message").isNotNull();
    return m;
  }

  private static BroadcastOptions to(String... rooms) {
    return new BroadcastOptions(Set.of(rooms), Set.of(), BroadcastFlags.NONE);
  }

  @Test
  void broadcastsAreNodesJsonOnTheChannelOfTheirMode() throws Exception {
    start(SubscriptionMode.DYNAMIC);
    spy.sync().ssubscribe(prefix + "#/#", prefix + "#/#room1#", prefix + "#/#" + SID + "#");

    adapter.broadcast(context.event("news", "all"), BroadcastOptions.ALL);
    Map.Entry<String, byte[]> m = next();
    assertThat(m.getKey()).isEqualTo(prefix + "#/#");
    assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo(
        "{\"type\":3,\"data\":{\"packet\":{\"type\":2,\"data\":[\"news\",\"all\"]},\"opts\":{\"rooms\":[],\"except\":[],\"flags\":{}}},"
            + "\"uid\":\"" + adapter.uid() + "\",\"nsp\":\"/\"}");

    adapter.broadcast(context.event("news", "room1"), to("room1"));
    assertThat(next().getKey()).as("one public room: its own channel").isEqualTo(prefix + "#/#room1#");

    adapter.broadcast(context.event("news", "solo"), to(SID));
    assertThat(next().getKey()).as("a socket id: the namespace channel").isEqualTo(prefix + "#/#");

    adapter.broadcast(context.event("bin", new byte[] {1, 2, 3}), BroadcastOptions.ALL);
    m = next();
    assertThat(m.getValue()[0]).as("binary: msgpack").isNotEqualTo((byte) '{');
    assertThat(Msgpack.decode(m.getValue())).isInstanceOf(Map.class);
  }

  @Test
  void dynamicPrivateGivesSocketIdsAChannel() throws Exception {
    start(SubscriptionMode.DYNAMIC_PRIVATE);
    spy.sync().ssubscribe(prefix + "#/#", prefix + "#/#" + SID + "#");
    adapter.broadcast(context.event("news", "solo"), to(SID));
    assertThat(next().getKey()).isEqualTo(prefix + "#/#" + SID + "#");
    await("the socket-id channel subscribed", () -> shardChannels().contains(prefix + "#/#" + SID + "#"));
  }

  @Test
  void staticUsesTwoChannels() throws Exception {
    start(SubscriptionMode.STATIC);
    spy.sync().ssubscribe(prefix + "#/#", prefix + "#/#room1#");
    adapter.broadcast(context.event("news", "room1"), to("room1"));
    assertThat(next().getKey()).isEqualTo(prefix + "#/#");
    assertThat(shardChannels()).containsExactlyInAnyOrder(prefix + "#/#", prefix + "#/#room1#", prefix + "#/#" + adapter.uid() + "#");
  }

  @Test
  void aServerSubscribesThePublicRoomsItHoldsWhileItHoldsThem() {
    start(SubscriptionMode.DYNAMIC);
    String room1 = prefix + "#/#room1#";
    await("room1 subscribed", () -> shardChannels().contains(room1));
    assertThat(shardChannels()).doesNotContain(prefix + "#/#" + SID + "#");
    adapter.del(SID, "room1");
    await("room1 unsubscribed", () -> !shardChannels().contains(room1));
    adapter.addAll(SID, Set.of("room2"));
    await("room2 subscribed", () -> shardChannels().contains(prefix + "#/#room2#"));
    adapter.delAll(SID);
    await("room2 unsubscribed", () -> !shardChannels().contains(prefix + "#/#room2#"));
  }

  @Test
  void nodesMessagesAreReceived() {
    start(SubscriptionMode.DYNAMIC);
    await("room1 subscribed", () -> shardChannels().contains(prefix + "#/#room1#"));
    // as a Node server on createShardedAdapter sends them (REDIS-ADAPTER.md section 8)
    redis.sync().spublish(prefix + "#/#room1#", "{\"type\":3,\"data\":{\"packet\":{\"type\":2,\"data\":[\"news\",\"from node\"]},"
        + "\"opts\":{\"rooms\":[\"room1\"],\"except\":[],\"flags\":{}}},\"uid\":\"1206214adca04bf6\",\"nsp\":\"/\"}");
    redis.sync().spublish(prefix + "#/#", "{\"type\":4,\"data\":{\"opts\":{\"rooms\":[],\"except\":[]},\"rooms\":[\"joined\"]},"
        + "\"uid\":\"1206214adca04bf6\",\"nsp\":\"/\"}");
    await("the broadcast", () -> context.deliveries(SID).contains(List.of("news", "from node")));
    await("the join", () -> adapter.socketRooms(SID).contains("joined"));
  }

  /** The shard channels of this test's prefix that have subscribers. */
  private List<String> shardChannels() {
    return redis.sync().pubsubShardChannels(prefix + "#*");
  }
}
