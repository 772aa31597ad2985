package dev.parley.adapter.redis;

import static dev.parley.adapter.redis.Redis.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.testkit.RecordingContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The single Redis goes away for server A of the sharded adapter (its connections run through a proxy
 * the test cuts): A keeps delivering locally, logs one warning, throws nothing, and once the proxy is
 * back its lost subscriber connection is replaced and delivery resumes both ways, the room channel too.
 */
@Timeout(60)
class ShardedOutageTest {
  private static BroadcastOptions to(String room) {
    return new BroadcastOptions(Set.of(room), Set.of(), BroadcastFlags.NONE);
  }

  private static final class Server implements AutoCloseable {
    final RecordingContext context = new RecordingContext("/");
    final ShardedRedisAdapter adapter;

    Server(String uri, String prefix, String socket, String room) {
      Adapter.Factory f = ShardedRedisAdapter.factory(uri, ShardedRedisAdapterOptions.DEFAULT.withChannelPrefix(prefix)
          .withRequestsTimeout(Duration.ofSeconds(2)));
      adapter = (ShardedRedisAdapter) f.create(context);
      adapter.init();
      context.connect(socket);
      adapter.addAll(socket, Set.of(socket));
      adapter.addAll(socket, Set.of(room));
    }

    @Override
    public void close() {
      adapter.close();
    }
  }

  @Test
  void localDeliveryGoesOnAndClusterDeliveryResumes() throws Exception {
    String prefix = Redis.freshKey();
    try (TcpProxy proxy = new TcpProxy(6379);
        Server a = new Server("redis://127.0.0.1:" + proxy.port(), prefix, "a1", "red");
        Server b = new Server(Redis.URI, prefix, "b1", "blue")) {
      await("two servers", () -> a.adapter.serverCount() == 2);
      a.adapter.broadcast(a.context.event("before"), BroadcastOptions.ALL);
      await("before", () -> b.context.deliveries("b1").contains(List.of("before")));

      proxy.stop();
      for (int i = 0; i < 20; i++) {
        a.adapter.broadcast(a.context.event("during", i), BroadcastOptions.ALL);
      }
      assertThat(a.context.deliveries("a1").stream().filter(d -> ((List<?>) d).get(0).equals("during"))).hasSize(20);
      assertThat(a.adapter.serverCount()).isEqualTo(1);

      proxy.start();
      retryUntil("A -> B", () -> a.adapter.broadcast(a.context.event("after"), to("blue")),
          () -> b.context.deliveries("b1").contains(List.of("after")));
      retryUntil("B -> A, on the room channel", () -> b.adapter.broadcast(b.context.event("back"), to("red")),
          () -> a.context.deliveries("a1").contains(List.of("back")));
      assertThat(a.adapter.serverCount()).isEqualTo(2);
      assertThat(a.adapter.outages()).isEqualTo(1);
    }
  }

  private static void retryUntil(String what, Runnable action, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      action.run();
      Thread.sleep(100);
    }
  }
}
