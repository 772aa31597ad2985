package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.testkit.RecordingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Test helpers for the Streams adapter: options on a key of the test's own, and a server with recovery. */
final class Streams {
  private Streams() {}

  /** Stream, session keys and channels all under {@code key}, so tests never see each other. */
  static RedisStreamsAdapterOptions options(String key) {
    return RedisStreamsAdapterOptions.DEFAULT
        .withStreamName(key)
        .withSessionKeyPrefix(key + ":session:")
        .withChannelPrefix(key)
        .withBlockTime(Duration.ofMillis(500))
        .withRequestsTimeout(Duration.ofSeconds(2));
  }

  /** A recording context with connection state recovery on (deliveries record the offset as the last argument). */
  static final class RecoveryContext extends RecordingContext {
    private final long window;

    RecoveryContext(String namespace, long window) {
      super(namespace);
      this.window = window;
    }

    @Override
    public long maxDisconnectionDurationMillis() {
      return window;
    }
  }

  /** One server: namespace "/" on a Streams adapter of its own factory. */
  static final class Node implements Redis.Server, AutoCloseable {
    final RecordingContext context;
    final RedisStreamsAdapter adapter;
    private final List<String> sockets = new ArrayList<>();

    Node(RedisStreamsAdapterOptions options, long recoveryWindowMillis) {
      context = recoveryWindowMillis > 0 ? new RecoveryContext("/", recoveryWindowMillis) : new RecordingContext("/");
      Adapter.Factory factory = RedisStreamsAdapter.factory(Redis.URI, options);
      adapter = (RedisStreamsAdapter) factory.create(context);
      adapter.init();
    }

    /** Connects a socket and puts it in its own room plus {@code rooms}. */
    Node socket(String id, String... rooms) {
      context.connect(id);
      sockets.add(id);
      adapter.addAll(id, Set.of(id));
      if (rooms.length > 0) {
        adapter.addAll(id, Set.of(rooms));
      }
      return this;
    }

    @Override
    public Adapter adapter() {
      return adapter;
    }

    @Override
    public List<String> sockets() {
      return sockets;
    }

    @Override
    public void close() {
      adapter.close();
    }
  }
}
