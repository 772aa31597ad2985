package dev.parley.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.testkit.RecordingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory adapter's connection state recovery: offsets, the packet log and its bounds, sessions. */
@SuppressWarnings("unchecked")
class InMemoryAdapterRecoveryTest {
  private static final long WINDOW = 60_000;

  /** A context with recovery on and a hand-driven clock. */
  static final class RecoveryContext extends RecordingContext {
    long now = 1_000_000;

    RecoveryContext() {
      super("/");
    }

    @Override
    public long maxDisconnectionDurationMillis() {
      return WINDOW;
    }

    @Override
    public long nowMillis() {
      return now;
    }
  }

  private final RecoveryContext ctx = new RecoveryContext();
  private final InMemoryAdapter adapter = new InMemoryAdapter(ctx, 5);

  private Packet event(Object... data) {
    return ctx.event(data);
  }

  private String lastOffset(String socketId) {
    List<Object> d = ctx.deliveries(socketId);
    List<?> data = (List<?>) d.get(d.size() - 1);
    return (String) data.get(data.size() - 1);
  }

  private Optional<RestoredSession> restore(String pid, String offset) {
    return adapter.restoreSession(pid, offset).toCompletableFuture().join();
  }

  @Test
  void onlyNonVolatileEventsWithoutAckGetAnOffsetAndOneOffsetPerBroadcast() {
    ctx.connect("a");
    ctx.connect("b");
    adapter.addAll("a", Set.of("a"));
    adapter.addAll("b", Set.of("b"));
    adapter.broadcast(event("e", 1), BroadcastOptions.ALL);
    assertThat(ctx.deliveries("a").get(0)).isSameAs(ctx.deliveries("b").get(0));
    assertThat((List<?>) ctx.deliveries("a").get(0)).hasSize(3);
    adapter.broadcast(event("v"), new BroadcastOptions(Set.of(), Set.of(), BroadcastFlags.NONE.withDroppable(true)));
    assertThat((List<Object>) ctx.deliveries("a").get(1)).containsExactly("v");
    adapter.broadcast(ctx.eventWithAck(7, "acked"), BroadcastOptions.ALL);
    assertThat((List<Object>) ctx.deliveries("a").get(2)).containsExactly("acked");
    assertThat(adapter.persistedPacketCount()).isEqualTo(1);
  }

  @Test
  void restoreReturnsTheSessionAndWhatItsRoomsMissedInOrder() {
    ctx.connect("a");
    adapter.addAll("a", Set.of("a", "r1"));
    adapter.broadcast(event("m", 0), BroadcastOptions.ALL);
    String offset = lastOffset("a");
    adapter.persistSession(new SessionToPersist("a", "pid-a", Set.of("a", "r1"), Map.of("k", "v")));
    adapter.delAll("a");
    adapter.broadcast(event("m", 1), new BroadcastOptions(Set.of("r1"), Set.of(), BroadcastFlags.NONE));
    adapter.broadcast(event("x", 0), new BroadcastOptions(Set.of("r2"), Set.of(), BroadcastFlags.NONE));
    adapter.broadcast(event("x", 1), new BroadcastOptions(Set.of(), Set.of("r1"), BroadcastFlags.NONE));
    adapter.broadcast(event("m", 2), new BroadcastOptions(Set.of("a", "r2"), Set.of(), BroadcastFlags.NONE));

    RestoredSession s = restore("pid-a", offset).orElseThrow();
    assertThat(s.sid()).isEqualTo("a");
    assertThat(s.rooms()).containsExactlyInAnyOrder("a", "r1");
    assertThat(s.data()).containsEntry("k", "v");
    List<Object> values = new ArrayList<>();
    List<String> offsets = new ArrayList<>();
    for (Packet p : s.missedPackets()) {
      List<?> d = p.data().toPlain();
      assertThat(d.get(0)).isEqualTo("m");
      values.add(d.get(1));
      offsets.add(p.offset());
    }
    assertThat(values).containsExactly(1, 2);
    assertThat(offsets).doesNotContainNull().doesNotHaveDuplicates().doesNotContain(offset);
    assertThat(restore("other-pid", offset)).isEmpty();
    assertThat(restore("pid-a", "elsewhere-0")).isEmpty();
    assertThat(restore("pid-a", "garbage")).isEmpty();
  }

  @Test
  void packetsAndSessionsExpireWithTheWindow() {
    ctx.connect("a");
    adapter.addAll("a", Set.of("a"));
    adapter.broadcast(event("m", 0), BroadcastOptions.ALL);
    String offset = lastOffset("a");
    adapter.persistSession(new SessionToPersist("a", "p", Set.of("a"), Map.of()));
    ctx.now += WINDOW;
    assertThat(restore("p", offset)).isPresent();
    ctx.now += 1;
    assertThat(restore("p", offset)).isEmpty();
    assertThat(adapter.persistedSessionCount()).isZero();
    adapter.broadcast(event("m", 1), BroadcastOptions.ALL);
    assertThat(adapter.persistedPacketCount()).isEqualTo(1); // the old one was trimmed by age
  }

  @Test
  void theLogNeverHoldsMoreThanItsBound() {
    ctx.connect("a");
    adapter.addAll("a", Set.of("a"));
    List<String> offsets = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      adapter.broadcast(event("m", i), BroadcastOptions.ALL);
      offsets.add(lastOffset("a"));
    }
    assertThat(adapter.persistedPacketCount()).isEqualTo(5);
    adapter.persistSession(new SessionToPersist("a", "p", Set.of("a"), Map.of()));
    assertThat(restore("p", offsets.get(2))).isEmpty();              // fell out of the buffer
    assertThat(restore("p", offsets.get(3)).orElseThrow().missedPackets()).hasSize(4);
    assertThat(restore("p", offsets.get(7)).orElseThrow().missedPackets()).isEmpty();
  }

  @Test
  void recoveryOffMeansNoOffsetsAndNoSessions() {
    RecordingContext plain = new RecordingContext("/");
    InMemoryAdapter a = new InMemoryAdapter(plain);
    plain.connect("s");
    a.addAll("s", Set.of("s"));
    a.broadcast(event("m"), BroadcastOptions.ALL);
    assertThat((List<Object>) plain.deliveries("s").get(0)).containsExactly("m");
    a.persistSession(new SessionToPersist("s", "p", Set.of("s"), Map.of()));
    assertThat(a.restoreSession("p", "x-0").toCompletableFuture().join()).isEmpty();
  }
}
