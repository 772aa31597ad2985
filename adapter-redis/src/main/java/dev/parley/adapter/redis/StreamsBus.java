package dev.parley.adapter.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections of one server for the Streams adapter, shared by all its namespaces: one
 * connection for commands (XADD, XRANGE, SET, GETDEL, PUBLISH, NUMSUB), one pub/sub connection for the
 * requests and responses (so each namespace's public channel has exactly one subscriber per server,
 * which is what {@code PUBSUB NUMSUB} counts), one blocking {@code XREAD} connection and thread per
 * stream, and one thread that handles pub/sub messages in order and runs request timers.
 */
final class StreamsBus extends SharedBus {
  private static final Logger log = LoggerFactory.getLogger(RedisStreamsAdapter.class);
  /** Keys and fields as UTF-8 strings, values as bytes (msgpack on pub/sub, UTF-8 text in the stream). */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisStreamsAdapterOptions options;
  /** The client, typed: the readers open their connections with it. */
  private final RedisClient redis;
  private final StatefulRedisConnection<String, byte[]> cmd;
  private final StatefulRedisPubSubConnection<String, byte[]> sub;
  private final Map<String, RedisStreamsAdapter> byChannel = new ConcurrentHashMap<>();
  private final Map<String, Reader> readers = new ConcurrentHashMap<>();

  StreamsBus(RedisClient client, boolean ownsClient, RedisStreamsAdapterOptions options) {
    super(client, ownsClient, "parley-redis-streams-", log);
    this.options = options;
    this.redis = client;
    this.cmd = client.connect(CODEC);
    this.sub = client.connectPubSub(CODEC);
    sub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, byte[] message) {
        RedisStreamsAdapter a = byChannel.get(channel);
        if (a != null) {
          executor.execute(() -> a.onPubSub(message));
        }
      }
    });
    watch();
  }

  RedisAsyncCommands<String, byte[]> commands() {
    return cmd.async();
  }

  /**
   * Registers an adapter: starts reading its stream (from the stream's current end, so nothing added
   * from now on is missed) and subscribes its channels, waiting for Redis to confirm both.
   */
  void register(RedisStreamsAdapter adapter, String stream, String... channels) {
    long wait = options.requestsTimeout().toMillis();
    try {
      Reader reader;
      synchronized (this) {
        reader = readers.get(stream);
        if (reader == null) {
          List<StreamMessage<String, byte[]>> last = reply(cmd.async().xrevrange(stream, Range.unbounded(), Limit.from(1)), wait);
          reader = new Reader(stream, last.isEmpty() ? "0-0" : last.get(0).getId());
          readers.put(stream, reader);
          reader.start();
        }
      }
      reader.adapters.put(adapter.namespace(), adapter);
      for (String c : channels) {
        byChannel.put(c, adapter);
      }
      reply(sub.async().subscribe(channels), wait);
    } catch (Exception e) {
      throw new IllegalStateException("could not reach Redis for namespace " + adapter.namespace(), e);
    }
  }

  /** The reader of a stream this server reads (registered adapters only). */
  Reader reader(String stream) {
    return readers.get(stream);
  }

  /** Unregisters an adapter; the connections close with the last one. */
  void unregister(RedisStreamsAdapter adapter, String stream, String... channels) {
    for (String c : channels) {
      byChannel.remove(c, adapter);
    }
    Reader reader = readers.get(stream);
    if (reader != null) {
      reader.adapters.remove(adapter.namespace(), adapter);
    }
    try {
      reply(sub.async().unsubscribe(channels), 1000);
    } catch (Exception e) {
      log.debug("unsubscribe failed", e);
    }
    release();
  }

  @Override
  void stopping() {
    for (Reader r : readers.values()) {
      r.stop();
    }
  }

  @Override
  List<StatefulConnection<?, ?>> connections() {
    return List.of(sub, cmd);
  }

  /** {@code PUBSUB NUMSUB channel}, or -1 when Redis does not answer in time. */
  long numsub(String channel) {
    return sum(() -> cmd.async().pubsubNumsub(channel), options.requestsTimeout());
  }

  /**
   * Reads one stream with {@code XREAD BLOCK} on a connection and thread of its own, and hands every
   * entry, in stream order, to the adapter of its namespace. {@link #position} is the id of the last
   * entry handled; handling an entry and advancing the position happen under {@link #lock}, so that
   * a restore reading the position knows which entries its socket got live and which it must replay.
   */
  final class Reader {
    final String stream;
    final Object lock = new Object();
    final Map<String, RedisStreamsAdapter> adapters = new ConcurrentHashMap<>();
    private final StatefulRedisConnection<String, byte[]> connection;
    private final Thread thread;
    private final List<Waiter> waiters = new ArrayList<>();
    private volatile String position;
    private volatile boolean stopped;

    private record Waiter(long[] id, CompletableFuture<Void> done) {}

    Reader(String stream, String from) {
      this.stream = stream;
      this.position = from;
      this.connection = redis.connect(CODEC);
      this.thread = new Thread(this::loop, "parley-redis-streams-reader-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void stop() {
      stopped = true;
      connection.closeAsync();
      synchronized (lock) {
        for (Waiter w : waiters) {
          w.done.completeExceptionally(new IllegalStateException("adapter closed"));
        }
        waiters.clear();
      }
    }

    /** The id of the last entry handled; read under {@link #lock} when it must not move meanwhile. */
    String position() {
      return position;
    }

    /** Completes once this reader has handled entry {@code id} (at once if it has). */
    CompletableFuture<Void> reached(String id) {
      long[] target = StreamIds.parse(id);
      CompletableFuture<Void> done = new CompletableFuture<>();
      synchronized (lock) {
        if (StreamIds.compare(StreamIds.parse(position), target) >= 0) {
          done.complete(null);
          return done;
        }
        waiters.add(new Waiter(target, done));
      }
      return done;
    }

    private void loop() {
      long backoff = 50;
      XReadArgs args = XReadArgs.Builder.block(options.blockTime().toMillis()).count(options.readCount());
      while (!stopped) {
        List<StreamMessage<String, byte[]>> batch;
        try {
          batch = connection.sync().xread(args, XReadArgs.StreamOffset.from(stream, position));
          backoff = 50;
        } catch (RuntimeException e) {
          if (stopped) {
            return;
          }
          failed(e.getMessage());
          try {
            Thread.sleep(backoff); // Redis is away: retry, from the same position, a little later
          } catch (InterruptedException ie) {
            return;
          }
          backoff = Math.min(backoff * 2, 1000);
          continue;
        }
        if (batch == null || batch.isEmpty()) {
          continue;
        }
        synchronized (lock) {
          for (StreamMessage<String, byte[]> entry : batch) {
            handle(entry);
            position = entry.getId();
          }
          long[] now = StreamIds.parse(position);
          for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (StreamIds.compare(now, w.id) >= 0) {
              it.remove();
              w.done.complete(null);
            }
          }
        }
      }
    }

    private void handle(StreamMessage<String, byte[]> entry) {
      try {
        byte[] nsp = entry.getBody().get("nsp");
        if (nsp == null) {
          return;
        }
        RedisStreamsAdapter a = adapters.get(new String(nsp, java.nio.charset.StandardCharsets.UTF_8));
        if (a != null) {
          a.onStreamEntry(entry.getId(), entry.getBody());
        }
      } catch (RuntimeException e) {
        log.warn("could not handle stream entry {} of {}", entry.getId(), stream, e);
      }
    }
  }

  /** Stream ids {@code <ms>-<seq>}: parsing and ordering. */
  static final class StreamIds {
    private StreamIds() {}

    static boolean valid(String id) {
      return id != null && id.matches("[0-9]+-[0-9]+");
    }

    static long[] parse(String id) {
      int dash = id.indexOf('-');
      return new long[] {Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))};
    }

    static int compare(long[] a, long[] b) {
      int c = Long.compareUnsigned(a[0], b[0]);
      return c != 0 ? c : Long.compareUnsigned(a[1], b[1]);
    }

    /** The smallest id after {@code id} (XRANGE's exclusive start only exists from Redis 6.2). */
    static String next(String id) {
      long[] p = parse(id);
      return p[1] == -1L ? Long.toUnsignedString(p[0] + 1) + "-0" : Long.toUnsignedString(p[0]) + "-" + Long.toUnsignedString(p[1] + 1);
    }
  }
}
