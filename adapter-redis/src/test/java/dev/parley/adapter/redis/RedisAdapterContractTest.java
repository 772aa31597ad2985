package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.testkit.AdapterContractTest;
import java.util.ArrayList;
import java.util.List;

/** The Redis adapter keeps the adapter contract: alone on its key prefix, and three servers on one. */
class RedisAdapterContractTest extends AdapterContractTest {
  @Override
  protected Adapter create(AdapterContext context) {
    return RedisAdapter.factory(Redis.URI, Redis.options(Redis.freshKey())).create(context);
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    String key = Redis.freshKey();
    List<Adapter.Factory> factories = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      factories.add(RedisAdapter.factory(Redis.URI, Redis.options(key)));
    }
    return factories;
  }
}
