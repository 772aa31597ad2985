package dev.parley.adapter.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.redis.testkit.LocalRedisCluster;
import dev.parley.adapter.testkit.AdapterContractTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The sharded Redis adapter keeps the adapter contract on a Redis Cluster of three masters that the
 * test starts on loopback ports (skipped without redis-server 7): each server's channels spread over
 * the shards that own their slots.
 */
class ShardedRedisClusterContractTest extends AdapterContractTest {
  private static LocalRedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    assumeTrue(LocalRedisCluster.available(), "no redis-server 7 on the PATH");
    cluster = LocalRedisCluster.start(3, 0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected Adapter create(AdapterContext context) {
    return ShardedRedisAdapter.factory(cluster.seeds(), ShardedRedisAdapterContractTest.options(Redis.freshKey(),
        ShardedRedisAdapterOptions.SubscriptionMode.DYNAMIC)).create(context);
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    String prefix = Redis.freshKey();
    List<Adapter.Factory> factories = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      factories.add(ShardedRedisAdapter.factory(cluster.seeds(), ShardedRedisAdapterContractTest.options(prefix,
          ShardedRedisAdapterOptions.SubscriptionMode.DYNAMIC)));
    }
    return factories;
  }
}
