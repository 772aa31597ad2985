package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The adapter factory of both Redis adapters: it serves one server, whose namespaces share one bus
 * (made again when the last namespace closed the previous one). A second server on the same factory
 * is refused: it would share the Redis connection, Redis would count the two as one server, and
 * cluster requests would skip one of them without a word.
 *
 * <pre>{@code
 * Adapter.Factory f = new ServerFactory<>("RedisAdapter", "redis://127.0.0.1:6379", RedisBus::new,
 *     (context, bus) -> new RedisAdapter(context, bus, options));
 * }</pre>
 */
final class ServerFactory<A extends RedisClusterAdapter<B, ?>, B extends SharedBus> implements Adapter.Factory {
  /** Makes the bus of a server from its client ({@code owns}: the bus shuts the client down). */
  interface BusMaker<B> {
    B make(RedisClient client, boolean owns);
  }

  private final String adapterName;
  private final Supplier<B> newBus;
  private final BiFunction<AdapterContext, B, A> newAdapter;
  private final Map<String, A> live = new HashMap<>();
  private B bus;

  /** A factory whose server connects to {@code redisUri} with a client of its own. */
  ServerFactory(String adapterName, String redisUri, BusMaker<B> newBus, BiFunction<AdapterContext, B, A> newAdapter) {
    this(adapterName, newBus, newAdapter, () -> newClient(Objects.requireNonNull(redisUri, "redisUri == null")), true);
  }

  /** A factory whose server uses the caller's {@code client}, which it never shuts down. */
  ServerFactory(String adapterName, RedisClient client, BusMaker<B> newBus, BiFunction<AdapterContext, B, A> newAdapter) {
    this(adapterName, newBus, newAdapter, constant(Objects.requireNonNull(client, "client == null")), false);
  }

  private ServerFactory(String adapterName, BusMaker<B> newBus, BiFunction<AdapterContext, B, A> newAdapter,
      Supplier<RedisClient> clients, boolean owns) {
    this(adapterName, () -> newBus.make(clients.get(), owns), newAdapter);
  }

  /** A factory whose server makes its bus (and the bus its client) with {@code newBus}. */
  ServerFactory(String adapterName, Supplier<B> newBus, BiFunction<AdapterContext, B, A> newAdapter) {
    this.adapterName = adapterName;
    this.newBus = newBus;
    this.newAdapter = newAdapter;
  }

  private static Supplier<RedisClient> constant(RedisClient client) {
    return () -> client;
  }

  @Override
  public synchronized Adapter create(AdapterContext context) {
    A existing = live.get(context.namespace());
    if (existing != null && !existing.closed()) {
      throw new IllegalStateException("this " + adapterName + " factory already serves namespace "
          + context.namespace() + " for another server: give each server its own " + adapterName + ".factory(...)");
    }
    if (bus == null || !bus.retain()) {
      bus = newBus.get();
      bus.retain();
    }
    A adapter = newAdapter.apply(context, bus);
    live.put(context.namespace(), adapter);
    return adapter;
  }

  /** A client for a URI, set to fail commands at once while Redis is unreachable instead of queueing them. */
  static RedisClient newClient(String redisUri) {
    RedisClient c = RedisClient.create(redisUri);
    c.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    return c;
  }
}
