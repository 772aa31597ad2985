package dev.parley.it.cluster;

import dev.parley.examples.scenario.ScenarioServer;
import java.util.Map;

/**
 * The scenarios of {@link MixedClusterTest} on sharded pub/sub: a Node.js socket.io 4.8.4 server on
 * {@code createShardedAdapter} of {@code @socket.io/redis-adapter} 8.3.0 (default "dynamic" mode) and a
 * Parley server on the {@code ShardedRedisAdapter} the scenario server makes for
 * {@code ADAPTER=redis-sharded} ({@link ScenarioServer#adapter}), on the single Redis on 127.0.0.1:6379
 * (sharded pub/sub needs no cluster), with the test's channel prefix.
 */
class MixedShardedClusterTest extends MixedClusterTest {
  /** The Redis both servers use: one URI, or a Redis Cluster's seeds. */
  String redis() {
    return ParleyNode.REDIS;
  }

  @Override
  Member[] start(boolean fromNode) throws Exception {
    // the adapter the scenario server makes for ADAPTER=redis-sharded
    Member parley = Member.parley(new ParleyNode("parley", ScenarioServer.adapter(
        Map.of("ADAPTER", "redis-sharded", "REDIS_URL", redis(), "CHANNEL_PREFIX", key))));
    Member node;
    try {
      node = Member.node(new NodeServer(key, redis(), "sharded"));
    } catch (Exception | Error e) {
      parley.close();
      throw e;
    }
    return fromNode ? new Member[] {node, parley} : new Member[] {parley, node};
  }
}
