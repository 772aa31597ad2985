package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.PacketType;
import dev.parley.adapter.Payload;
import dev.parley.adapter.testkit.RecordingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Test helpers: the real Redis on 127.0.0.1:6379, a fresh key prefix per test, waiting, flushing. */
final class Redis {
  static final String URI = "redis://127.0.0.1:6379";

  private Redis() {}

  /** A key prefix no other test uses, so tests do not see each other's messages. */
  static String freshKey() {
    return "parley-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** An event on "/" without ack: {@code data} is {@code [event, ...args]}. */
  static Packet event(Object... data) {
    return Packet.event("/", Payload.ofPlain(Arrays.asList(data)));
  }

  /** An event on "/" carrying ack id {@code ackId}. */
  static Packet eventWithAck(long ackId, Object... data) {
    return new Packet(PacketType.EVENT, "/", Payload.ofPlain(Arrays.asList(data)), ackId);
  }

  static RedisAdapterOptions options(String key) {
    return RedisAdapterOptions.DEFAULT.withKey(key).withRequestsTimeout(Duration.ofSeconds(2));
  }

  /** A server of a test: its adapter and the ids of its sockets. */
  interface Server {
    Adapter adapter();

    List<String> sockets();
  }

  /** One server: a recording namespace "/" on a Redis adapter of its own factory. */
  static final class Node implements Server, AutoCloseable {
    final RecordingContext context;
    final RedisAdapter adapter;
    private final List<String> sockets = new ArrayList<>();

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

  private static final AtomicInteger MARKERS = new AtomicInteger();

  /**
   * Proves, without sleeping, that whatever was published before has been handled by every server:
   * each server in turn makes every socket join a marker room (a message through Redis, on the path
   * broadcasts and requests take: the one pub/sub connection, or the stream), and the test waits
   * until every server applied every marker. Redis hands a subscriber its messages in the order it ran
   * the PUBLISHes (a stream keeps its order), and each server handles them in order, so anything
   * published before a marker has been handled once the marker has.
   */
  static void flush(Server... servers) {
    for (Server from : servers) {
      String marker = "flush-" + MARKERS.incrementAndGet();
      from.adapter().addSockets(BroadcastOptions.ALL, Set.of(marker));
      for (Server s : servers) {
        await(marker, () -> s.adapter().sockets(Set.of(marker)).size() == s.sockets().size());
      }
    }
  }
}
