package dev.parley.admin;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Sessions in Redis, shared by every server of a cluster: the same keys as the reference's
 * {@code RedisStore} ({@code <prefix>#<sessionId>} = {@code "1"} with an expiry, prefix
 * {@code socket.io-admin}, 24 hours), so Parley and Node servers on one Redis accept each other's
 * sessions. Needs Lettuce on the class path (an application on the Redis adapter has it).
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
 * SessionStore store = new RedisSessionStore(redis.connect());
 * }</pre>
 */
public final class RedisSessionStore implements SessionStore {
  private final StatefulRedisConnection<String, String> connection;
  private final String prefix;
  private final long seconds;

  /**
   * A store with the reference's prefix ({@code socket.io-admin}) and duration (24 hours).
   *
   * @param connection a Redis connection; the store does not close it
   */
  public RedisSessionStore(StatefulRedisConnection<String, String> connection) {
    this(connection, "socket.io-admin", Duration.ofHours(24));
  }

  /**
   * A store with its own key prefix and session duration.
   *
   * @param connection a Redis connection; the store does not close it
   * @param prefix the keys are {@code prefix + "#" + sessionId}
   * @param duration how long a session stays valid (whole seconds, at least one)
   */
  public RedisSessionStore(StatefulRedisConnection<String, String> connection, String prefix, Duration duration) {
    this.connection = Objects.requireNonNull(connection, "connection == null");
    this.prefix = Objects.requireNonNull(prefix, "prefix == null");
    this.seconds = Math.max(1, duration.toSeconds());
  }

  @Override
  public CompletionStage<Boolean> exists(String sessionId) {
    return connection.async().exists(key(sessionId)).thenApply(n -> n != null && n == 1L);
  }

  @Override
  public void save(String sessionId) {
    connection.async().set(key(sessionId), "1", SetArgs.Builder.ex(seconds));
  }

  private String key(String sessionId) {
    return prefix + "#" + sessionId;
  }
}
