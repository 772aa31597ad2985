package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.redis.ShardedRedisAdapterOptions.SubscriptionMode;
import dev.parley.adapter.testkit.AdapterContractTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The sharded Redis adapter keeps the adapter contract on the single Redis (sharded pub/sub works
 * without a cluster), in the default {@code DYNAMIC} mode: alone on its prefix, and three servers on one.
 */
class ShardedRedisAdapterContractTest extends AdapterContractTest {
  /** The subscription mode under test. */
  SubscriptionMode mode() {
    return SubscriptionMode.DYNAMIC;
  }

  static ShardedRedisAdapterOptions options(String prefix, SubscriptionMode mode) {
    return ShardedRedisAdapterOptions.DEFAULT.withChannelPrefix(prefix).withSubscriptionMode(mode)
        .withRequestsTimeout(Duration.ofSeconds(2));
  }

  @Override
  protected Adapter create(AdapterContext context) {
    return ShardedRedisAdapter.factory(Redis.URI, options(Redis.freshKey(), mode())).create(context);
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    String prefix = Redis.freshKey();
    List<Adapter.Factory> factories = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      factories.add(ShardedRedisAdapter.factory(Redis.URI, options(prefix, mode())));
    }
    return factories;
  }
}
