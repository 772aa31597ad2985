package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.testkit.RecordingContext;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Test helpers: the real Redis on 127.0.0.1:6379, a fresh key prefix per test, polling. */
final class Redis {
  static final String URI = "redis://127.0.0.1:6379";

  private Redis() {}

  /** A key prefix no other test uses, so tests do not see each other's messages. */
  static String freshKey() {
    return "parley-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static RedisAdapterOptions options(String key) {
    return RedisAdapterOptions.DEFAULT.withKey(key).withRequestsTimeout(Duration.ofSeconds(2));
  }

  /** One server: a recording namespace "/" on a Redis adapter of its own factory. */
  static final class Node implements AutoCloseable {
    final RecordingContext context;
    final RedisAdapter adapter;

    Node(String uri, RedisAdapterOptions options) {
      this(uri, options, "/");
    }

    Node(String uri, RedisAdapterOptions options, String namespace) {
      context = new RecordingContext(namespace);
      Adapter.Factory factory = RedisAdapter.factory(uri, options);
      adapter = (RedisAdapter) factory.create(context);
      adapter.init();
    }

    /** Connects a socket and puts it in its own room plus {@code rooms}. */
    Node socket(String id, String... rooms) {
      context.connect(id);
      adapter.addAll(id, Set.of(id));
      if (rooms.length > 0) {
        adapter.addAll(id, Set.of(rooms));
      }
      return this;
    }

    @Override
    public void close() {
      adapter.close();
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Waits a little so that a message that should not arrive has had the time to. */
  static void settle() {
    try {
      Thread.sleep(150);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
