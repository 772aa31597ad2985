package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.testkit.AdapterContractTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The Redis Streams adapter keeps the adapter contract: alone on its stream and channels, and three
 * servers on one stream (whose keys are deleted after each test).
 */
class RedisStreamsAdapterContractTest extends AdapterContractTest {
  private final List<String> keys = new ArrayList<>();

  @Override
  protected Adapter create(AdapterContext context) {
    return RedisStreamsAdapter.factory(Redis.URI, Streams.options(fresh())).create(context);
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    String key = fresh();
    List<Adapter.Factory> factories = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      factories.add(RedisStreamsAdapter.factory(Redis.URI, Streams.options(key)));
    }
    return factories;
  }

  private String fresh() {
    String key = Redis.freshKey();
    keys.add(key);
    return key;
  }

  @AfterEach
  void deleteKeys() {
    RedisClient client = RedisClient.create(Redis.URI);
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      for (String key : keys) {
        List<String> found = redis.sync().keys(key + "*");
        if (!found.isEmpty()) {
          redis.sync().del(found.toArray(String[]::new));
        }
      }
    } finally {
      client.shutdown();
    }
  }
}
