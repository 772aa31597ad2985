package dev.parley.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.testkit.AdapterContractTest;
import dev.parley.adapter.testkit.RecordingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster adapter base keeps the adapter contract on a loopback broker (one server, three
 * servers), and goes on delivering locally when the broker fails.
 */
class ClusterAdapterTest extends AdapterContractTest {
  private final List<LoopbackBroker> brokers = new ArrayList<>();

  @Override
  protected Adapter create(AdapterContext context) {
    return broker().plain().create(context);
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    return Collections.nCopies(servers, broker().plain());
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

  @Test
  void anOutageIsReportedOnceAndLocalDeliveryGoesOn() throws Exception {
    LoopbackBroker.Plain plain = (LoopbackBroker.Plain) adapter;
    plain.broker.failing = true;
    for (int i = 0; i < 3; i++) {
      adapter.broadcast(context.event("during", i), BroadcastOptions.ALL);
      adapter.addSockets(BroadcastOptions.ALL, Set.of("joined-" + i));
    }
    assertThat(context.deliveries("a")).containsExactly(List.of("during", 0), List.of("during", 1), List.of("during", 2));
    assertThat(adapter.sockets(Set.of("joined-2"))).hasSize(4);
    assertThat(adapter.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get(5, TimeUnit.SECONDS)).hasSize(4);
    assertThat(plain.outagesStarted).isEqualTo(1);
    assertThat(plain.outagesEnded).isZero();
    assertThat(plain.outages()).isEqualTo(1);
    assertThat(plain.backendReachable()).isFalse();

    plain.broker.failing = false;
    adapter.broadcast(context.event("after"), BroadcastOptions.ALL);
    adapter.broadcast(context.event("after", 2), BroadcastOptions.ALL);
    assertThat(plain.outagesStarted).isEqualTo(1);
    assertThat(plain.outagesEnded).isEqualTo(1);
    assertThat(plain.outages()).isEqualTo(1);
    assertThat(plain.backendReachable()).isTrue();
  }

  @Test
  void requestsAndTheirTimeoutsAreCounted() {
    LoopbackBroker broker = broker();
    ClusterAdapter a = (ClusterAdapter) broker.plain().create(new RecordingContext("/"));
    Adapter b = broker.plain().create(new RecordingContext("/")); // never answers: its listeners do not call back
    a.init();
    b.init();
    try {
      assertThat(a.requestsSent()).isZero();
      var pending = a.serverSideEmitWithAck(List.of("ping")).toCompletableFuture();
      assertThat(a.requestsSent()).isEqualTo(1);
      assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(RequestTimeoutException.class);
      assertThat(a.requestTimeouts()).isEqualTo(1);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void aClosedAdapterFailsWhatIsStillWaiting() {
    LoopbackBroker broker = broker();
    RecordingContext other = new RecordingContext("/");
    Adapter a = broker.plain().create(new RecordingContext("/"));
    Adapter b = broker.plain().create(other); // never answers: its listeners do not call back
    a.init();
    b.init();
    var pending = a.serverSideEmitWithAck(List.of("ping")).toCompletableFuture();
    a.close();
    b.close();
    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessage("adapter closed");
  }
}
