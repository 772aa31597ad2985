package dev.parley.adapter.redis;

import dev.parley.adapter.PacketType;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.BaseRedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Emits to the sockets of a Socket.IO cluster from a process that runs no server (a batch job, a
 * worker), through Redis; compatible with {@code @socket.io/redis-emitter} 5.1, so Node and Parley
 * servers on the Redis adapter both deliver. Immutable: {@code of}, {@code to}, {@code except} and
 * the flag methods return a new emitter sharing the same connection.
 *
 * <pre>{@code
 * try (RedisEmitter emitter = RedisEmitter.create("redis://127.0.0.1:6379")) {
 *   emitter.of("/chat").to("room1").emit("news", Map.of("title", "hello"));
 *   emitter.in("room2").socketsJoin("room3");
 * }
 * }</pre>
 *
 * <p>On a <b>Redis Cluster</b>, give the seed nodes as a comma-separated list (or a
 * {@code RedisClusterClient}): classic {@code PUBLISH} reaches the subscribers on every node, and the
 * emitter keeps working while any node is up. The emitter speaks the classic format only: servers on
 * {@link ShardedRedisAdapter} do not hear it (Node has no sharded emitter either).
 *
 * <p>Arguments are plain values: {@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}, {@code null} and {@code byte[]} (sent as binary). Each operation publishes before it
 * returns and throws a {@code RedisException} when Redis cannot be reached. Closing any emitter derived
 * from {@link #create} closes the shared connection.
 */
public final class RedisEmitter implements AutoCloseable {
  private static final Set<String> RESERVED = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

  private record Shared(AbstractRedisClient client, boolean ownsClient, StatefulConnection<byte[], byte[]> connection,
      BaseRedisCommands<byte[], byte[]> commands, String key) {}

  private final Shared shared;
  private final String nsp;
  private final Set<String> rooms;
  private final Set<String> except;
  private final Map<String, Object> flags;

  private RedisEmitter(Shared shared, String nsp, Set<String> rooms, Set<String> except, Map<String, Object> flags) {
    this.shared = shared;
    this.nsp = nsp;
    this.rooms = rooms;
    this.except = except;
    this.flags = flags;
  }

  /** An emitter on namespace {@code "/"} with key prefix {@code "socket.io"}. */
  public static RedisEmitter create(String redisUri) {
    return create(redisUri, "socket.io");
  }

  /**
   * An emitter with channel key prefix {@code key} (the adapters' {@code key} option) on
   * {@code redisUri}: one Redis URI, or a comma-separated list of Redis Cluster seed nodes.
   */
  public static RedisEmitter create(String redisUri, String key) {
    Objects.requireNonNull(redisUri, "redisUri == null");
    Objects.requireNonNull(key, "key == null");
    if (redisUri.contains(",")) {
      List<RedisURI> seeds = new ArrayList<>();
      for (String u : redisUri.split(",")) {
        if (!u.isBlank()) {
          seeds.add(RedisURI.create(u.trim()));
        }
      }
      RedisClusterClient client = RedisClusterClient.create(seeds);
      try {
        return create(client, true, key);
      } catch (RuntimeException e) {
        client.shutdown();
        throw e;
      }
    }
    RedisClient client = RedisClient.create(redisUri);
    try {
      return create(client, true, key);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /** An emitter on the caller's client, which {@link #close} does not shut down. */
  public static RedisEmitter create(RedisClient client, String key) {
    return create(Objects.requireNonNull(client, "client == null"), false, key);
  }

  /** An emitter on the caller's Redis Cluster client, which {@link #close} does not shut down. */
  public static RedisEmitter create(RedisClusterClient client, String key) {
    return create(Objects.requireNonNull(client, "client == null"), false, key);
  }

  private static RedisEmitter create(RedisClient client, boolean owns, String key) {
    Objects.requireNonNull(key, "key == null");
    StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
    return new RedisEmitter(new Shared(client, owns, c, c.sync(), key), "/", Set.of(), Set.of(), Map.of());
  }

  private static RedisEmitter create(RedisClusterClient client, boolean owns, String key) {
    Objects.requireNonNull(key, "key == null");
    StatefulRedisClusterConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
    return new RedisEmitter(new Shared(client, owns, c, c.sync(), key), "/", Set.of(), Set.of(), Map.of());
  }

  /** The same emitter on another namespace ({@code "/"} is prepended when missing). */
  public RedisEmitter of(String namespace) {
    Objects.requireNonNull(namespace, "namespace == null");
    String n = namespace.startsWith("/") ? namespace : "/" + namespace;
    return new RedisEmitter(shared, n, Set.of(), Set.of(), Map.of());
  }

  /** Also targets these rooms. */
  public RedisEmitter to(String... more) {
    return new RedisEmitter(shared, nsp, plus(rooms, more), except, flags);
  }

  /** Same as {@link #to}. */
  public RedisEmitter in(String... more) {
    return to(more);
  }

  /** Excludes sockets in these rooms. */
  public RedisEmitter except(String... more) {
    return new RedisEmitter(shared, nsp, rooms, plus(except, more), flags);
  }

  /** The event may be dropped for clients that cannot take it now (socket.io's {@code volatile}). */
  public RedisEmitter unreliable() {
    return withFlag("volatile", true);
  }

  /** Whether the payload may be compressed. */
  public RedisEmitter compress(boolean compress) {
    return withFlag("compress", compress);
  }

  private RedisEmitter withFlag(String name, Object value) {
    Map<String, Object> f = new LinkedHashMap<>(flags);
    f.put(name, value);
    return new RedisEmitter(shared, nsp, rooms, except, f);
  }

  /** Sends an event to every targeted socket of the cluster. */
  public void emit(String event, Object... args) {
    checkEvent(event);
    Map<String, Object> packet = new LinkedHashMap<>();
    packet.put("type", PacketType.EVENT.code()); // even with binary, as Node's emitter
    packet.put("data", eventData(event, args));
    packet.put("nsp", nsp);
    Map<String, Object> opts = new LinkedHashMap<>(); // the emitter's key order: rooms, flags, except
    opts.put("rooms", new ArrayList<>(rooms));
    opts.put("flags", new LinkedHashMap<>(flags));
    opts.put("except", new ArrayList<>(except));
    String prefix = shared.key + "#" + nsp + "#";
    String channel = rooms.size() == 1 ? prefix + rooms.iterator().next() + "#" : prefix;
    publish(channel, Msgpack.encode(List.of("emitter", packet, opts)));
  }

  /** Makes every targeted socket join rooms. */
  public void socketsJoin(String... more) {
    membership(ClassicFormat.Type.REMOTE_JOIN, "rooms", List.of(more));
  }

  /** Makes every targeted socket leave rooms. */
  public void socketsLeave(String... more) {
    membership(ClassicFormat.Type.REMOTE_LEAVE, "rooms", List.of(more));
  }

  /** Disconnects every targeted socket; with {@code close}, their whole connections. */
  public void disconnectSockets(boolean close) {
    membership(ClassicFormat.Type.REMOTE_DISCONNECT, "close", close);
  }

  /** Sends an event to the server-side listeners of every server of the namespace (no acks). */
  public void serverSideEmit(String event, Object... args) {
    checkEvent(event);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("uid", "emitter");
    message.put("type", ClassicFormat.Type.SERVER_SIDE_EMIT.code);
    message.put("data", eventData(event, args));
    publishRequest(message);
  }

  private void membership(ClassicFormat.Type type, String key, Object value) {
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("rooms", new ArrayList<>(rooms));
    opts.put("except", new ArrayList<>(except));
    Map<String, Object> message = new LinkedHashMap<>(); // no uid: every server acts on it
    message.put("type", type.code);
    message.put("opts", opts);
    message.put(key, value);
    publishRequest(message);
  }

  private void publishRequest(Map<String, Object> message) {
    byte[] bytes = Json.hasBinary(message) ? Msgpack.encode(message) : Json.encode(message);
    publish(shared.key + "-request#" + nsp + "#", bytes);
  }

  private void publish(String channel, byte[] message) {
    shared.commands.publish(RedisBus.bytes(channel), message);
  }

  private static List<Object> eventData(String event, Object[] args) {
    List<Object> data = new ArrayList<>(args.length + 1);
    data.add(event);
    data.addAll(Arrays.asList(args));
    return data;
  }

  private static void checkEvent(String event) {
    Objects.requireNonNull(event, "event == null");
    if (RESERVED.contains(event)) {
      throw new IllegalArgumentException("\"" + event + "\" is a reserved event name");
    }
  }

  private static Set<String> plus(Set<String> base, String[] more) {
    Set<String> out = new LinkedHashSet<>(base);
    for (String r : more) {
      out.add(Objects.requireNonNull(r, "room == null"));
    }
    return out;
  }

  /** Closes the connection shared by every emitter derived from the same {@link #create}. */
  @Override
  public void close() {
    shared.connection.close();
    if (shared.ownsClient) {
      shared.client.shutdown();
    }
  }
}
