package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The adapter factory of both Redis adapters: it serves one server, whose namespaces share one bus
 * (made again when the last namespace closed the previous one). A second server on the same factory
 * is refused: it would share the Redis connection, Redis would count the two as one server, and
 * cluster requests would skip one of them without a word.
 *
 * <pre>{@code
 * Adapter.Factory f = new ServerFactory<>("RedisAdapter", () -> new RedisBus(client, false),
 *     (context, bus) -> new RedisAdapter(context, bus, options), a -> a.closed.get());
 * }</pre>
 */
final class ServerFactory<A extends Adapter, B extends SharedBus> implements Adapter.Factory {
  private final String adapterName;
  private final Supplier<B> newBus;
  private final BiFunction<AdapterContext, B, A> newAdapter;
  private final Predicate<A> isClosed;
  private final Map<String, A> live = new HashMap<>();
  private B bus;

  ServerFactory(String adapterName, Supplier<B> newBus, BiFunction<AdapterContext, B, A> newAdapter,
      Predicate<A> isClosed) {
    this.adapterName = adapterName;
    this.newBus = newBus;
    this.newAdapter = newAdapter;
    this.isClosed = isClosed;
  }

  @Override
  public synchronized Adapter create(AdapterContext context) {
    A existing = live.get(context.namespace());
    if (existing != null && !isClosed.test(existing)) {
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
