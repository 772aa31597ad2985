package dev.parley.examples.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.testkit.AdapterContractTest;
import dev.parley.adapter.testkit.RecordingContext;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The example adapter of docs/custom-adapter.md keeps the contract, and forwards across its bus. */
// tag::contract[]
class InProcessBusAdapterTest extends AdapterContractTest {
  @Override
  protected Adapter create(AdapterContext context) {
    return new InProcessBusAdapter.Bus().factory().create(context);
  }
// end::contract[]

  @Test
  void twoServersOnOneBusShareBroadcastsAndFetchSockets() throws Exception {
    InProcessBusAdapter.Bus bus = new InProcessBusAdapter.Bus();
    RecordingContext ca = new RecordingContext("/");
    RecordingContext cb = new RecordingContext("/");
    Adapter a = bus.factory().create(ca);
    Adapter b = bus.factory().create(cb);
    a.init();
    b.init();
    ca.connect("x");
    cb.connect("y");
    a.addAll("x", Set.of("x", "room"));
    b.addAll("y", Set.of("y", "room"));

    a.broadcast(new Packet(2, "/", List.of("news"), -1),
        new BroadcastOptions(Set.of("room"), Set.of(), BroadcastFlags.NONE));
    b.broadcast(new Packet(2, "/", List.of("local only"), -1),
        new BroadcastOptions(Set.of("room"), Set.of(), BroadcastFlags.NONE.withLocal(true)));

    assertThat(ca.deliveries("x")).containsExactly(List.of("news"));
    assertThat(cb.deliveries("y")).containsExactly(List.of("news"), List.of("local only"));
    assertThat(a.serverCount()).isEqualTo(2);
    assertThat(a.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get())
        .extracting(AdapterContext.SocketDetails::id).containsExactlyInAnyOrder("x", "y");
    a.serverSideEmit(List.of("hello"));
    assertThat(cb.serverSideEvents()).containsExactly(List.of("hello"));
    b.close();
    assertThat(a.serverCount()).isEqualTo(1);
  }
}
