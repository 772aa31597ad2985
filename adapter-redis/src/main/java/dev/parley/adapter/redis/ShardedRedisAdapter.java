package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.ClusterAdapter;
import dev.parley.adapter.ClusterFormat;
import dev.parley.adapter.ClusterMessage;
import dev.parley.adapter.redis.ShardedRedisAdapterOptions.SubscriptionMode;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A cluster adapter over Redis sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH}, Redis 7 or later),
 * wire-compatible with {@code createShardedAdapter} of {@code @socket.io/redis-adapter} 8.3, so Parley
 * and Node.js servers can share one cluster. It runs on a single Redis or on a <b>Redis Cluster</b>,
 * where each channel lives on the shard that owns its slot: unlike classic {@code PUBLISH}, which a
 * cluster copies to every shard, sharded pub/sub grows with the shards.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .adapter(ShardedRedisAdapter.factory("redis://10.0.0.1:7000,redis://10.0.0.2:7000",
 *         ShardedRedisAdapterOptions.DEFAULT))
 *     .build();
 * }</pre>
 *
 * <p>{@link ClusterAdapter} does the work, in socket.io-adapter's format ({@link ClusterFormat}); this
 * class is the channels and the encoding, as Node's:
 * <ul>
 *   <li>every server of namespace N subscribes {@code P#N#} and its own {@code P#N#<uid>#} ({@code P} is
 *       the channel prefix, {@code uid} 16 hex characters); in the {@code DYNAMIC} modes also
 *       {@code P#N#<room>#} while it holds sockets in that room ({@link SubscriptionMode});
 *   <li>a broadcast without acks to exactly one room goes to the room's channel in the dynamic modes
 *       (not for a socket-id room in {@code DYNAMIC}: Node takes any 20-character name for one); every
 *       other message goes to {@code P#N#}, and answers to the requester's {@code P#N#<uid>#};
 *   <li>a message is JSON {@code {type, data, uid, nsp}}, or msgpack when its data holds binary;
 *   <li>the server count is {@code PUBSUB SHARDNUMSUB P#N#}.
 * </ul>
 *
 * <p>Use <b>one factory per server</b>. When a shard fails over or a slot moves, the adapter
 * subscribes again on the node that now owns each channel (one warning, then delivery resumes); while
 * a channel's shard is away, local delivery goes on and nothing is thrown. Incoming messages are handled
 * in order on one thread per server, which also runs server-side listeners: they must not block.
 */
public class ShardedRedisAdapter extends RedisClusterAdapter<ShardedBus, ShardedRedisAdapterOptions> {
  /** {@code P#N#}: every message but answers, and the channel that counts the servers. */
  private final String channel;
  /** {@code P#N#<uid>#}: answers to this server. */
  private final String responseChannel;
  private final SubscriptionMode mode;

  ShardedRedisAdapter(AdapterContext context, ShardedBus bus, ShardedRedisAdapterOptions options) {
    super(context, bus, options, options.requestsTimeout(), ClusterAdapter::randomId);
    this.channel = options.channelPrefix() + "#" + nsp + "#";
    this.responseChannel = channel + uid() + "#";
    this.mode = options.subscriptionMode();
  }

  /**
   * An adapter factory for a server on {@code redisUris}: the URI of a single Redis, or of any node of
   * a Redis Cluster (told apart with {@code INFO cluster}), or a comma-separated list of cluster seed
   * nodes ({@code redis://10.0.0.1:7000,redis://10.0.0.2:7000}). The client is created and shut down
   * with the adapters; on a cluster it refreshes its topology every 10 s and on MOVED and reconnects.
   *
   * <pre>{@code
   * Adapter.Factory adapters = ShardedRedisAdapter.factory(System.getenv("REDIS_URL"),
   *     ShardedRedisAdapterOptions.DEFAULT.withChannelPrefix("chat"));
   * }</pre>
   */
  public static Adapter.Factory factory(String redisUris, ShardedRedisAdapterOptions options) {
    Objects.requireNonNull(redisUris, "redisUris == null");
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("ShardedRedisAdapter", () -> ShardedBus.open(redisUris, options.requestsTimeout()),
        (context, bus) -> new ShardedRedisAdapter(context, bus, options));
  }

  /**
   * An adapter factory for a server on the caller's cluster client, which the adapters do not shut
   * down. Configure it with {@code DisconnectedBehavior.REJECT_COMMANDS} (so broadcasts made while a
   * shard is away are dropped, not queued and sent late) and with topology refresh.
   */
  public static Adapter.Factory factory(RedisClusterClient client, ShardedRedisAdapterOptions options) {
    Objects.requireNonNull(client, "client == null");
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("ShardedRedisAdapter", () -> ShardedBus.onCluster(client, false, options.requestsTimeout()),
        (context, bus) -> new ShardedRedisAdapter(context, bus, options));
  }

  @Override
  void subscribe() {
    bus.subscribe(this, channel, responseChannel);
  }

  @Override
  void unsubscribe() {
    List<String> mine = bus.channelsOf(this);
    mine.add(channel);
    mine.add(responseChannel);
    bus.unsubscribe(mine);
  }

  /** Servers are counted on {@code P#N#}. */
  @Override
  long subscribers() {
    return bus.numsub(channel, options.requestsTimeout());
  }

  // ------------------------------------------------------------------ dynamic room channels

  @Override
  public void addAll(String socketId, Set<String> roomsToJoin) {
    if (mode == SubscriptionMode.STATIC) {
      super.addAll(socketId, roomsToJoin);
      return;
    }
    List<String> fresh = null;
    for (String room : roomsToJoin) {
      if (!rooms.containsKey(room)) {
        (fresh == null ? fresh = new ArrayList<>() : fresh).add(room);
      }
    }
    super.addAll(socketId, roomsToJoin);
    if (fresh != null) {
      fresh.forEach(this::roomChanged);
    }
  }

  @Override
  public void del(String socketId, String room) {
    super.del(socketId, room);
    if (mode != SubscriptionMode.STATIC && !rooms.containsKey(room)) {
      roomChanged(room);
    }
  }

  @Override
  public void delAll(String socketId) {
    Set<String> had = mode == SubscriptionMode.STATIC ? null : sids.get(socketId);
    super.delAll(socketId);
    if (had != null) {
      for (String room : had) {
        if (!rooms.containsKey(room) && (mode == SubscriptionMode.DYNAMIC_PRIVATE || !looksLikeASocketId(room) || !room.equals(socketId))) {
          roomChanged(room);
        }
      }
    }
  }

  private void roomChanged(String room) {
    if (mode == SubscriptionMode.DYNAMIC_PRIVATE || !looksLikeASocketId(room) || !sids.containsKey(room) || !rooms.containsKey(room)) {
      bus.roomChanged(this, room, roomChannel(room));
    }
  }

  /**
   * Whether this server must now be subscribed to {@code room}'s own channel: in a dynamic mode, while
   * it holds sockets in the room, and (in {@code DYNAMIC}) the room is not a socket id, as Node decides
   * it when a room is created or deleted. One refinement: a socket id that is not 20 characters long
   * gets its channel too, since a sender, which cannot tell, publishes to it.
   */
  boolean wantsRoomChannel(String room) {
    return !isClosed() && mode != SubscriptionMode.STATIC && rooms.containsKey(room)
        && (mode == SubscriptionMode.DYNAMIC_PRIVATE || !looksLikeASocketId(room) || !sids.containsKey(room));
  }

  /** What a sender in {@code DYNAMIC} mode takes for a socket id, as Node: 20 characters. */
  private static boolean looksLikeASocketId(String room) {
    return room.length() == 20;
  }

  private String roomChannel(String room) {
    return channel + room + "#";
  }

  // ------------------------------------------------------------------ outgoing

  @Override
  protected CompletionStage<String> doPublish(ClusterMessage message) {
    bus.publish(channelFor(message), encode(message));
    return SENT; // the bus reports failures itself
  }

  /**
   * A broadcast with no acks to exactly one room goes to the room's own channel in the dynamic modes
   * (in {@code DYNAMIC}, unless the room looks like a socket id: 20 characters); the rest to {@code P#N#}.
   * A broadcast with acks never does: the origin counts every server's answer.
   */
  String channelFor(ClusterMessage message) {
    if (message instanceof ClusterMessage.Broadcast b && b.options().rooms().size() == 1) {
      String room = b.options().rooms().iterator().next();
      if (mode == SubscriptionMode.DYNAMIC_PRIVATE || mode == SubscriptionMode.DYNAMIC && !looksLikeASocketId(room)) {
        return roomChannel(room);
      }
    }
    return channel;
  }

  @Override
  protected CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response) {
    if (requesterUid != null) {
      bus.publish(channel + requesterUid + "#", encode(response));
    }
    return SENT;
  }

  /** {@code {type, data, uid, nsp}}: msgpack when the data of a type that may hold binary does, else JSON. */
  private byte[] encode(ClusterMessage message) {
    Map<String, Object> m = ClusterFormat.encode(uid(), nsp, message);
    boolean binary = ClusterFormat.typeOf(message).mayHoldBinary() && Json.hasBinary(m.get("data"));
    return binary ? Msgpack.encode(m) : Json.encode(m);
  }

  // ------------------------------------------------------------------ incoming (on the bus thread)

  /** A message on one of this namespace's channels: JSON when it starts with '{', else msgpack. */
  void onRawMessage(String from, byte[] raw) {
    ClusterFormat.Envelope e = decoded(
        () -> ClusterFormat.decode(raw.length > 0 && raw[0] == '{' ? Json.decode(raw) : Msgpack.decode(raw), nsp), from);
    if (e == null) {
      return;
    }
    try {
      onMessage(e.uid(), e.message(), null);
    } catch (RuntimeException ex) {
      log.warn("could not handle a message on {}", from, ex);
    }
  }

  /** For tests: the node each of this server's channels is subscribed on. */
  Map<String, String> placement() {
    return bus.placement();
  }
}
