package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.testkit.AdapterContractTest;

/** The Redis Streams adapter keeps the adapter contract on one node (alone on its stream and channels). */
class RedisStreamsAdapterContractTest extends AdapterContractTest {
  @Override
  protected Adapter create(AdapterContext context) {
    return RedisStreamsAdapter.factory(Redis.URI, Streams.options(Redis.freshKey())).create(context);
  }
}
