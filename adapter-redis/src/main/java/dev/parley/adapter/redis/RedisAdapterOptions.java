package dev.parley.adapter.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the Redis adapter, named as in {@code @socket.io/redis-adapter}: the channel {@code key}
 * prefix (default {@code "socket.io"}), how long a cluster request (fetchSockets, allRooms,
 * serverSideEmitWithAck) waits for the other servers (default 5 s), and whether answers to another
 * node's request go to that node's own response channel (default false: the shared one).
 *
 * <pre>{@code
 * RedisAdapterOptions options = RedisAdapterOptions.DEFAULT
 *     .withKey("myapp")
 *     .withRequestsTimeout(Duration.ofSeconds(2));
 * }</pre>
 */
public record RedisAdapterOptions(String key, Duration requestsTimeout, boolean publishOnSpecificResponseChannel) {
  /** Node's defaults: key {@code socket.io}, 5 s, the shared response channel. */
  public static final RedisAdapterOptions DEFAULT = new RedisAdapterOptions("socket.io", Duration.ofSeconds(5), false);

  public RedisAdapterOptions {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(requestsTimeout, "requestsTimeout == null");
    if (requestsTimeout.isNegative() || requestsTimeout.isZero()) {
      throw new IllegalArgumentException("requestsTimeout <= 0");
    }
  }

  /** These options with the channel key prefix {@code v}. */
  public RedisAdapterOptions withKey(String v) {
    return new RedisAdapterOptions(v, requestsTimeout, publishOnSpecificResponseChannel);
  }

  /** These options with a request timeout of {@code v}. */
  public RedisAdapterOptions withRequestsTimeout(Duration v) {
    return new RedisAdapterOptions(key, v, publishOnSpecificResponseChannel);
  }

  /** These options answering on the requester's own response channel when {@code v}. */
  public RedisAdapterOptions withPublishOnSpecificResponseChannel(boolean v) {
    return new RedisAdapterOptions(key, requestsTimeout, v);
  }
}
