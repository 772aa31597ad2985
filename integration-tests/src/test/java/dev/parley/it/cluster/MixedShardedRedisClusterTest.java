package dev.parley.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.adapter.redis.testkit.LocalRedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The scenarios of {@link MixedClusterTest} on sharded pub/sub over a Redis Cluster of three masters that
 * the test starts on loopback ports: a Node.js server on {@code createShardedAdapter} with node-redis's
 * {@code createCluster}, and a Parley server on {@code ShardedRedisAdapter} given the same seed list.
 * Skipped without redis-server 7.
 */
class MixedShardedRedisClusterTest extends MixedShardedClusterTest {
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
  String redis() {
    return cluster.seeds();
  }
}
