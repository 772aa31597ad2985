package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.testkit.AdapterContractTest;

/** The Redis adapter keeps the adapter contract on one node (alone on its key prefix). */
class RedisAdapterContractTest extends AdapterContractTest {
  @Override
  protected Adapter create(AdapterContext context) {
    return RedisAdapter.factory(Redis.URI, Redis.options(Redis.freshKey())).create(context);
  }
}
