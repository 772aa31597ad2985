package dev.parley.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.testkit.AdapterContractTest;
import dev.parley.adapter.testkit.RecordingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat variant keeps the adapter contract on a loopback broker that counts nobody: the
 * servers count each other from their heartbeats, forget one that says goodbye or falls silent, and
 * stop waiting for its answers.
 */
class ClusterAdapterWithHeartbeatTest extends AdapterContractTest {
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private final List<LoopbackBroker> brokers = new ArrayList<>();

  @Override
  protected Adapter create(AdapterContext context) {
    return broker().withHeartbeat(INTERVAL, TIMEOUT).create(context);
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    return Collections.nCopies(servers, broker().withHeartbeat(INTERVAL, TIMEOUT));
  }

  private LoopbackBroker broker() {
    LoopbackBroker b = new LoopbackBroker();
    brokers.add(b);
    return b;
  }

  @AfterEach
  void closeBrokers() {
    brokers.forEach(LoopbackBroker::close);
  }

  private static Adapter start(LoopbackBroker broker, RecordingContext context) {
    Adapter a = broker.withHeartbeat(INTERVAL, TIMEOUT).create(context);
    a.init();
    return a;
  }

  @Test
  void aServerThatSaysGoodbyeIsForgottenAndNotWaitedFor() throws Exception {
    LoopbackBroker broker = broker();
    RecordingContext cb = new RecordingContext("/");
    Adapter a = start(broker, new RecordingContext("/"));
    Adapter b = start(broker, cb);
    Adapter c = start(broker, new RecordingContext("/"));
    await("three servers", () -> a.serverCount() == 3 && b.serverCount() == 3 && c.serverCount() == 3);
    cb.answerServerSideEvents("pong-B");
    CompletableFuture<List<Object>> answers = a.serverSideEmitWithAck(List.of("ping")).toCompletableFuture();
    await("B answered", () -> !cb.serverSideEvents().isEmpty());
    c.close(); // C never answered: a goodbye ends the wait for it
    assertThat(answers.get(5, TimeUnit.SECONDS)).containsExactly("pong-B");
    await("two servers", () -> a.serverCount() == 2 && b.serverCount() == 2);
    a.close();
    b.close();
  }

  @Test
  void aSilentServerIsForgottenAfterTheHeartbeatTimeout() {
    LoopbackBroker broker = broker();
    Adapter a = start(broker, new RecordingContext("/"));
    LoopbackBroker.WithHeartbeat b = (LoopbackBroker.WithHeartbeat) start(broker, new RecordingContext("/"));
    await("two servers", () -> a.serverCount() == 2);
    broker.mute(b.uid()); // B dies without a word
    await("A forgets B", () -> a.serverCount() == 1);
    a.close();
    b.close();
  }

  @Test
  void aRequestNamesHowManyAnswersAreMissing() {
    LoopbackBroker broker = broker();
    Adapter a = start(broker, new RecordingContext("/"));
    Adapter b = start(broker, new RecordingContext("/")); // never answers, but keeps beating
    await("two servers", () -> a.serverCount() == 2);
    assertThatThrownBy(() -> a.serverSideEmitWithAck(List.of("ping")).toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RequestTimeoutException.class)
        .hasMessage("timeout reached: missing 1 responses");
    a.close();
    b.close();
  }
}
