package dev.parley.adapter.redis;

import dev.parley.adapter.redis.ShardedRedisAdapterOptions.SubscriptionMode;

/** The adapter contract for the sharded Redis adapter in {@code DYNAMIC_PRIVATE} mode (a channel per room, socket ids too). */
class ShardedRedisAdapterPrivateContractTest extends ShardedRedisAdapterContractTest {
  @Override
  SubscriptionMode mode() {
    return SubscriptionMode.DYNAMIC_PRIVATE;
  }
}
