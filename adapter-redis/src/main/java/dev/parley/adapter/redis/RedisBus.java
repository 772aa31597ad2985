package dev.parley.adapter.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
          executor.execute(() -> a.onMessage(ch, message));
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
    Duration wait = adapter.options().requestsTimeout();
    try {
      sub.async().psubscribe(bytes(pattern)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
      sub.async().subscribe(bytes(channels)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not subscribe to Redis for namespace " + adapter.namespace(), e);
    }
  }

  /** Unsubscribes an adapter's channels; returns true when the bus has no users left and is closed. */
  boolean unsubscribe(String pattern, String... channels) {
    byPattern.remove(pattern);
    for (String c : channels) {
      byChannel.remove(c);
    }
    try {
      sub.async().punsubscribe(bytes(pattern)).get(1, TimeUnit.SECONDS);
      sub.async().unsubscribe(bytes(channels)).get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.debug("unsubscribe failed", e);
    }
    return release();
  }

  @Override
  boolean uses(RedisChannelHandler<?, ?> connection) {
    return connection == sub || connection == pub;
  }

  @Override
  void closeConnections() {
    sub.closeAsync();
    pub.closeAsync();
  }

  /** Publishes without waiting; a failure is logged once per outage and never thrown. */
  void publish(String channel, byte[] message) {
    try {
      pub.async().publish(bytes(channel), message).whenComplete((n, e) -> {
        if (e != null) {
          failed(e.getMessage());
        } else {
          ok();
        }
      });
    } catch (RuntimeException e) {
      failed(e.getMessage());
    }
  }

  /** {@code PUBSUB NUMSUB channel}, or -1 when Redis does not answer in time. */
  long numsub(String channel, Duration timeout) {
    try {
      Map<byte[], Long> reply = pub.async().pubsubNumsub(bytes(channel)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      ok();
      long n = 0;
      for (Long v : reply.values()) {
        n += v == null ? 0 : v;
      }
      return n;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      failed(e.getMessage());
      return -1;
    }
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
