package dev.parley.adapter.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections of one server, shared by the adapters of all its namespaces: one pub/sub
 * connection (so each request channel has exactly one subscriber per server, which is what
 * {@code PUBSUB NUMSUB} counts), one connection for PUBLISH and NUMSUB, and one thread that handles
 * incoming messages in order and runs request timers. Lettuce reconnects both connections and
 * resubscribes by itself after an outage; this class logs one warning per outage.
 */
final class RedisBus extends SharedBus {
  private static final Logger log = LoggerFactory.getLogger(RedisAdapter.class);
  private final StatefulRedisPubSubConnection<byte[], byte[]> sub;
  private final StatefulRedisConnection<byte[], byte[]> pub;
  private final Map<String, RedisAdapter> byPattern = new ConcurrentHashMap<>();
  private final Map<String, RedisAdapter> byChannel = new ConcurrentHashMap<>();

  RedisBus(RedisClient client, boolean ownsClient) {
    super(client, ownsClient, "parley-redis-", log);
    this.sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
    this.pub = client.connect(ByteArrayCodec.INSTANCE);
    sub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(byte[] channel, byte[] message) {
        String ch = new String(channel, StandardCharsets.UTF_8);
        RedisAdapter a = byChannel.get(ch);
        if (a != null) {
          executor.execute(() -> a.onChannelMessage(ch, message));
        }
      }

      @Override
      public void message(byte[] pattern, byte[] channel, byte[] message) {
        RedisAdapter a = byPattern.get(new String(pattern, StandardCharsets.UTF_8));
        if (a != null) {
          String ch = new String(channel, StandardCharsets.UTF_8);
          executor.execute(() -> a.onBroadcast(ch, message));
        }
      }
    });
    watch();
  }

  /** Subscribes an adapter's channels and waits for Redis to confirm. */
  void subscribe(RedisAdapter adapter, String pattern, String... channels) {
    byPattern.put(pattern, adapter);
    for (String c : channels) {
      byChannel.put(c, adapter);
    }
    long wait = adapter.options().requestsTimeout().toMillis();
    try {
      reply(sub.async().psubscribe(bytes(pattern)), wait);
      reply(sub.async().subscribe(bytes(channels)), wait);
    } catch (Exception e) {
      throw new IllegalStateException("could not subscribe to Redis for namespace " + adapter.namespace(), e);
    }
  }

  /** Unsubscribes an adapter's channels; the connections close with the last adapter. */
  void unsubscribe(String pattern, String... channels) {
    byPattern.remove(pattern);
    for (String c : channels) {
      byChannel.remove(c);
    }
    try {
      reply(sub.async().punsubscribe(bytes(pattern)), 1000);
      reply(sub.async().unsubscribe(bytes(channels)), 1000);
    } catch (Exception e) {
      log.debug("unsubscribe failed", e);
    }
    release();
  }

  @Override
  List<StatefulConnection<?, ?>> connections() {
    return List.of(sub, pub);
  }

  /** Publishes without waiting; a failure is logged once per outage and never thrown. */
  void publish(String channel, byte[] message) {
    send(() -> pub.async().publish(bytes(channel), message));
  }

  /** {@code PUBSUB NUMSUB channel}, or -1 when Redis does not answer in time. */
  long numsub(String channel, Duration timeout) {
    return sum(() -> pub.async().pubsubNumsub(bytes(channel)), timeout);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[][] bytes(String... s) {
    byte[][] out = new byte[s.length][];
    for (int i = 0; i < s.length; i++) {
      out[i] = bytes(s[i]);
    }
    return out;
  }
}
