package dev.parley.adapter.redis;

import dev.parley.adapter.redis.ShardedRedisAdapterOptions.SubscriptionMode;

/** The adapter contract for the sharded Redis adapter in {@code STATIC} mode (two channels per namespace). */
class ShardedRedisAdapterStaticContractTest extends ShardedRedisAdapterContractTest {
  @Override
  SubscriptionMode mode() {
    return SubscriptionMode.STATIC;
  }
}
