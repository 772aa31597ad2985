package dev.parley.adapter.redis;

import static dev.parley.adapter.redis.Redis.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.adapter.redis.testkit.LocalRedisCluster;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emitter on a Redis Cluster of three masters (started by the test; skipped without redis-server 7)
 * given its seed list: its classic PUBLISHes reach servers subscribed on other nodes of the cluster.
 */
class RedisEmitterClusterTest {
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

  @Test
  void emitsReachServersOnAnyNode() {
    String key = Redis.freshKey();
    List<Integer> ports = cluster.ports();
    try (Redis.Node a = new Redis.Node("redis://127.0.0.1:" + ports.get(1), Redis.options(key)).socket("a1", "room1");
        Redis.Node b = new Redis.Node("redis://127.0.0.1:" + ports.get(2), Redis.options(key)).socket("b1");
        RedisEmitter emitter = RedisEmitter.create(cluster.seeds(), key)) {
      emitter.to("room1").emit("news", "room1 only");
      emitter.emit("news", "everyone", new byte[] {7});
      await("room1", () -> a.context.deliveries("a1").contains(List.of("news", "room1 only")));
      await("everyone", () -> b.context.deliveries("b1").size() == 1 && a.context.deliveries("a1").size() == 2);
      emitter.in("room1").socketsJoin("joined");
      await("joined", () -> a.adapter.socketRooms("a1").contains("joined"));
    }
  }
}
