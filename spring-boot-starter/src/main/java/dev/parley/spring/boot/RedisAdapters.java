package dev.parley.spring.boot;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.adapter.redis.RedisStreamsAdapter;
import dev.parley.adapter.redis.RedisStreamsAdapterOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.core.env.Environment;

/**
 * Builds the Redis adapter factories of {@code parley.adapter=redis|redis-streams}. A class of its
 * own so that the auto-configuration loads without parley-adapter-redis on the class path.
 */
final class RedisAdapters {
  private RedisAdapters() {}

  static Adapter.Factory factory(ParleyProperties properties, Environment env) {
    ParleyProperties.Redis redis = properties.getRedis();
    String uri = uri(redis, env);
    if (properties.getAdapter() == ParleyProperties.AdapterKind.REDIS_STREAMS) {
      return RedisStreamsAdapter.factory(uri, RedisStreamsAdapterOptions.DEFAULT
          .withStreamName(redis.getKey())
          .withRequestsTimeout(redis.getRequestsTimeout()));
    }
    return RedisAdapter.factory(uri, RedisAdapterOptions.DEFAULT
        .withKey(redis.getKey())
        .withRequestsTimeout(redis.getRequestsTimeout()));
  }

  /** {@code parley.redis.url}, else {@code spring.data.redis.url}, else one made of Boot's other Redis settings. */
  static String uri(ParleyProperties.Redis redis, Environment env) {
    if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
      return redis.getUrl();
    }
    String url = env.getProperty("spring.data.redis.url");
    if (url != null && !url.isBlank()) {
      return url;
    }
    boolean ssl = env.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
    String host = env.getProperty("spring.data.redis.host", "localhost");
    int port = env.getProperty("spring.data.redis.port", Integer.class, 6379);
    int database = env.getProperty("spring.data.redis.database", Integer.class, 0);
    String username = env.getProperty("spring.data.redis.username");
    String password = env.getProperty("spring.data.redis.password");
    StringBuilder b = new StringBuilder(ssl ? "rediss://" : "redis://");
    if (password != null && !password.isEmpty()) {
      if (username != null && !username.isEmpty()) {
        b.append(encode(username));
      }
      b.append(':').append(encode(password)).append('@');
    }
    b.append(host).append(':').append(port).append('/').append(database);
    return b.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
