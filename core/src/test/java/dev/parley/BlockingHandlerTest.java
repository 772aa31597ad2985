package dev.parley;

import dev.parley.testing.ManualScheduler;

import dev.parley.testing.FakeTransport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A handler that blocks holds up only its own client's later events: the connection's heartbeat and
 * outgoing packets go on (they run on the Engine.IO session's executor, handlers on the client's lane).
 * Uses real threads, so it waits with a deadline instead of driving an executor by hand.
 */
class BlockingHandlerTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final ManualScheduler scheduler = new ManualScheduler();
  private SocketIoServer io;

  @AfterEach
  void tearDown() throws InterruptedException {
    io.close();
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aBlockedHandlerDoesNotStopPingsOrBroadcastsToItsClient() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    io = SocketIoServer.builder()
        .executor(executor)
        .scheduler(scheduler)
        .pingInterval(Duration.ofMillis(1000))
        .build();
    io.onConnection(socket -> socket.on("slow", (args, ack) -> {
      entered.countDown();
      release.await(10, TimeUnit.SECONDS);
      ack.send("done");
    }));
    FakeTransport t = FakeTransport.webSocket();
    EngineSession session = io.engine().handshake(t,
        EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket").build());
    t.receive("40");
    awaitFrame(t, f -> f.startsWith("40{"));
    t.receive("421[\"slow\"]");
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

    scheduler.advance(1000);                 // ping due while the handler blocks
    awaitFrame(t, "2"::equals);
    io.emit("news", 1);                      // a broadcast reaches the client too
    awaitFrame(t, "42[\"news\",1]"::equals);

    release.countDown();
    awaitFrame(t, "431[\"done\"]"::equals);
    assertThat(session.isOpen()).isTrue();
  }

  private static void awaitFrame(FakeTransport t, java.util.function.Predicate<String> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      List<String> wire = t.wire();
      if (wire.stream().anyMatch(match)) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no matching frame in " + t.wire());
  }
}
