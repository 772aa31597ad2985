package dev.parley.adapter.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the sharded Redis adapter, named and defaulted as in {@code createShardedAdapter} of
 * {@code @socket.io/redis-adapter} 8.3: the channel prefix (default {@code "socket.io"}), the
 * {@link SubscriptionMode} (default {@link SubscriptionMode#DYNAMIC}), and how long a cluster request
 * (fetchSockets, serverSideEmitWithAck) waits for the other servers (default 5 s, as Node's
 * ClusterAdapter).
 *
 * <pre>{@code
 * ShardedRedisAdapterOptions options = ShardedRedisAdapterOptions.DEFAULT
 *     .withChannelPrefix("myapp")
 *     .withSubscriptionMode(ShardedRedisAdapterOptions.SubscriptionMode.STATIC);
 * }</pre>
 *
 * <p>Every server of a cluster, Java or Node, must use the same prefix and the same mode: a server in
 * {@code STATIC} mode never hears the broadcasts a {@code DYNAMIC} server sends to a room's own channel.
 */
public record ShardedRedisAdapterOptions(String channelPrefix, SubscriptionMode subscriptionMode, Duration requestsTimeout) {
  /** Node's defaults: prefix {@code socket.io}, {@link SubscriptionMode#DYNAMIC}, 5 s. */
  public static final ShardedRedisAdapterOptions DEFAULT =
      new ShardedRedisAdapterOptions("socket.io", SubscriptionMode.DYNAMIC, Duration.ofSeconds(5));

  /**
   * Which channels a namespace uses, and so how much of the cluster a broadcast to one room reaches.
   * The names on the wire are Node's {@code "static"}, {@code "dynamic"} and {@code "dynamic-private"}.
   */
  public enum SubscriptionMode {
    /**
     * Two channels per namespace ({@code P#N#} and the server's own {@code P#N#<uid>#}); every
     * broadcast reaches every server. Suits many dynamic namespaces.
     */
    STATIC("static"),
    /**
     * Also one channel per public room a server holds ({@code P#N#<room>#}, subscribed while the room
     * has local sockets), so a broadcast to exactly one room reaches only the servers that hold it.
     * Rooms that are socket ids (and any room name of 20 characters, which Node takes for one) still go
     * through {@code P#N#}.
     */
    DYNAMIC("dynamic"),
    /** Like {@link #DYNAMIC}, with a channel for each socket-id room too: for much 1:1 messaging. */
    DYNAMIC_PRIVATE("dynamic-private");

    private final String wireName;

    SubscriptionMode(String wireName) {
      this.wireName = wireName;
    }

    /** The name Node's option uses. */
    public String wireName() {
      return wireName;
    }

    /**
     * The mode Node's option names {@code name} ({@code static}, {@code dynamic}, {@code dynamic-private}).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static SubscriptionMode of(String name) {
      for (SubscriptionMode m : values()) {
        if (m.wireName.equals(name)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown subscription mode: " + name);
    }
  }

  /** Checks the values: none null, the timeout positive. */
  public ShardedRedisAdapterOptions {
    Objects.requireNonNull(channelPrefix, "channelPrefix == null");
    Objects.requireNonNull(subscriptionMode, "subscriptionMode == null");
    Objects.requireNonNull(requestsTimeout, "requestsTimeout == null");
    if (requestsTimeout.isNegative() || requestsTimeout.isZero()) {
      throw new IllegalArgumentException("requestsTimeout <= 0");
    }
  }

  /** These options with the channel prefix {@code v}. */
  public ShardedRedisAdapterOptions withChannelPrefix(String v) {
    return new ShardedRedisAdapterOptions(v, subscriptionMode, requestsTimeout);
  }

  /** These options with the subscription mode {@code v}. */
  public ShardedRedisAdapterOptions withSubscriptionMode(SubscriptionMode v) {
    return new ShardedRedisAdapterOptions(channelPrefix, v, requestsTimeout);
  }

  /** These options with a request timeout of {@code v}. */
  public ShardedRedisAdapterOptions withRequestsTimeout(Duration v) {
    return new ShardedRedisAdapterOptions(channelPrefix, subscriptionMode, v);
  }
}
