package dev.parley.adapter.redis;

import static dev.parley.adapter.redis.Redis.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis goes away for server A (its connection runs through a proxy that the test cuts): A keeps
 * delivering locally, logs one warning, throws nothing, and delivery across servers resumes when the
 * proxy is back, in both directions (Lettuce reconnects and resubscribes).
 */
@Timeout(60)
class OutageTest {
  private static BroadcastOptions to(String room) {
    return new BroadcastOptions(Set.of(room), Set.of(), BroadcastFlags.NONE);
  }

  @Test
  void localDeliveryGoesOnAndClusterDeliveryResumes() throws Exception {
    String key = Redis.freshKey();
    try (TcpProxy proxy = new TcpProxy(6379);
        Redis.Node a = new Redis.Node("redis://127.0.0.1:" + proxy.port(), Redis.options(key)).socket("a1");
        Redis.Node b = new Redis.Node(Redis.URI, Redis.options(key)).socket("b1")) {
      a.adapter.broadcast(Redis.event("before"), BroadcastOptions.ALL);
      await("before", () -> b.context.deliveries("b1").contains(List.of("before")));

      proxy.stop();
      for (int i = 0; i < 50; i++) {
        a.adapter.broadcast(Redis.event("during", i), BroadcastOptions.ALL);
      }
      assertThat(a.context.deliveries("a1").stream().filter(d -> ((List<?>) d).get(0).equals("during"))).hasSize(50);
      assertThat(a.adapter.serverCount()).isEqualTo(1); // only itself while Redis is unreachable
      assertThat(a.adapter.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get()).hasSize(1);
      assertThat(a.adapter.outages()).isEqualTo(1);
      assertThat(a.adapter.backendReachable()).isFalse();

      proxy.start();
      retryUntil("A -> B", () -> a.adapter.broadcast(Redis.event("after"), to("b1")),
          () -> b.context.deliveries("b1").contains(List.of("after")));
      retryUntil("B -> A", () -> b.adapter.broadcast(Redis.event("back"), to("a1")),
          () -> a.context.deliveries("a1").contains(List.of("back")));
      assertThat(b.context.deliveries("b1").stream().filter(d -> ((List<?>) d).get(0).equals("during"))).isEmpty();
      assertThat(a.adapter.serverCount()).isEqualTo(2);
      assertThat(a.adapter.outages()).isEqualTo(1);
      assertThat(a.adapter.backendReachable()).isTrue();
    }
  }

  private static void retryUntil(String what, Runnable action, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      action.run();
      Thread.sleep(100);
    }
  }
}
