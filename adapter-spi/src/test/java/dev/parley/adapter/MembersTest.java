package dev.parley.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.testkit.RecordingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The small-set membership of the in-memory adapter: immutable sets while small, a concurrent set
 * when large, changed only inside the map's compute functions, so that concurrent joins and leaves
 * lose nothing and a reader's set never changes under it while small.
 */
class MembersTest {
  @Test
  void smallSetsAreImmutableAndReplacedOnChange() {
    Set<String> one = Members.with(null, "a");
    assertThat(one).containsExactly("a");
    assertThatThrownBy(() -> one.add("b")).isInstanceOf(UnsupportedOperationException.class);
    Set<String> two = Members.with(one, "b");
    assertThat(two).containsExactlyInAnyOrder("a", "b");
    assertThat(one).containsExactly("a"); // the snapshot a reader holds stays as it was
    assertThat(Members.with(two, "a")).isSameAs(two);
    assertThat(Members.without(two, "c")).isSameAs(two);
    Set<String> back = Members.without(two, "b");
    assertThat(back).containsExactly("a");
    assertThat(two).containsExactlyInAnyOrder("a", "b");
    assertThat(Members.without(back, "a")).isEmpty();
    assertThat(Members.with(Set.of(), "x")).containsExactly("x");
  }

  @Test
  void growsIntoAConcurrentSetAndShrinksBackWithHysteresis() {
    Set<String> set = null;
    List<Set<String>> versions = new ArrayList<>();
    for (int i = 0; i < Members.SMALL; i++) {
      set = Members.with(set, "s" + i);
      versions.add(set);
      assertThat(Members.isLarge(set)).isFalse();
    }
    Set<String> small = set;
    set = Members.with(set, "s" + Members.SMALL);
    assertThat(Members.isLarge(set)).isTrue();
    assertThat(set).hasSize(Members.SMALL + 1);
    assertThat(small).hasSize(Members.SMALL); // promotion copies; the old snapshot is untouched
    Set<String> large = set;
    assertThat(Members.with(large, "s99")).isSameAs(large); // large sets change in place
    assertThat(Members.without(large, "s99")).isSameAs(large);
    // down to SHRINK + 1 it stays large (no flapping around SMALL)
    for (int i = Members.SMALL; i > Members.SHRINK; i--) {
      set = Members.without(set, "s" + i);
      assertThat(set).isSameAs(large);
    }
    set = Members.without(set, "s" + Members.SHRINK);
    assertThat(Members.isLarge(set)).isFalse();
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < Members.SHRINK; i++) {
      expected.add("s" + i);
    }
    assertThat(set).isEqualTo(expected);
    for (Set<String> v : versions) {
      assertThat(Members.isLarge(v)).isFalse();
    }
  }

  /** Exposes the protected maps to the test. */
  private static final class Probe extends InMemoryAdapter {
    Probe(RecordingContext ctx) {
      super(ctx);
    }

    Set<String> members(String room) {
      Set<String> m = rooms.get(room);
      return m == null ? Set.of() : m;
    }

    Set<String> roomsOf(String id) {
      return sids.get(id);
    }
  }

  @Test
  void concurrentJoinsAndLeavesKeepBothMapsConsistent() throws Exception {
    RecordingContext ctx = new RecordingContext("/");
    Probe adapter = new Probe(ctx);
    int threads = 4;
    int socketsPerThread = 40;
    int rounds = 200;
    List<String> shared = List.of("r0", "r1", "r2");
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * socketsPerThread;
      workers.add(new Thread(() -> {
        try {
          start.await();
          for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < socketsPerThread; i++) {
              String id = "s" + (base + i);
              String room = shared.get((i + r) % shared.size());
              adapter.addAll(id, Set.of(id, room));
              if ((i + r) % 3 == 0) {
                adapter.del(id, room);
              }
            }
          }
          // end state: every socket in its own room and in r0; left r1 and r2
          for (int i = 0; i < socketsPerThread; i++) {
            String id = "s" + (base + i);
            adapter.addAll(id, Set.of("r0"));
            adapter.del(id, "r1");
            adapter.del(id, "r2");
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }));
    }
    // a reader iterating the rooms while they change: never fails, never sees a stranger
    Thread reader = new Thread(() -> {
      try {
        start.await();
        while (!stop.get()) {
          for (String room : shared) {
            for (String id : adapter.members(room)) {
              assertThat(id).startsWith("s");
            }
          }
          adapter.sockets(Set.of("r0", "r1"));
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    });
    workers.forEach(Thread::start);
    reader.start();
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    stop.set(true);
    reader.join();
    assertThat(failure.get()).isNull();

    int n = threads * socketsPerThread;
    Set<String> all = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String id = "s" + i;
      all.add(id);
      assertThat(adapter.roomsOf(id)).containsExactlyInAnyOrder(id, "r0");
      assertThat(adapter.members(id)).containsExactly(id);
    }
    assertThat(adapter.members("r0")).isEqualTo(all);
    assertThat(Members.isLarge(adapter.members("r0"))).isTrue();
    assertThat(adapter.rooms()).doesNotContain("r1", "r2");
    // every JOIN was matched by a LEAVE except the ones still standing; CREATE and DELETE likewise
    long joins = ctx.roomEvents().stream().filter(e -> e.kind() == RoomEvent.Kind.JOIN).count();
    long leaves = ctx.roomEvents().stream().filter(e -> e.kind() == RoomEvent.Kind.LEAVE).count();
    long creates = ctx.roomEvents().stream().filter(e -> e.kind() == RoomEvent.Kind.CREATE).count();
    long deletes = ctx.roomEvents().stream().filter(e -> e.kind() == RoomEvent.Kind.DELETE).count();
    assertThat(joins - leaves).isEqualTo(2L * n);
    assertThat(creates - deletes).isEqualTo(n + 1L);

    for (int i = 0; i < n; i++) {
      adapter.delAll("s" + i);
    }
    assertThat(adapter.rooms()).isEmpty();
    assertThat(adapter.sockets(Set.of())).isEmpty();
  }

  @Test
  void aSmallRoomTakenFromTheMapIsASnapshot() {
    Probe adapter = new Probe(new RecordingContext("/"));
    adapter.addAll("a", Set.of("a", "room"));
    adapter.addAll("b", Set.of("b", "room"));
    Set<String> before = adapter.members("room");
    adapter.addAll("c", Set.of("room"));
    adapter.del("a", "room");
    assertThat(before).containsExactlyInAnyOrder("a", "b");
    assertThat(adapter.members("room")).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void aSocketThatLeftEveryRoomIsStillKnown() {
    Probe adapter = new Probe(new RecordingContext("/"));
    adapter.addAll("a", Set.of("a"));
    adapter.del("a", "a");
    assertThat(adapter.roomsOf("a")).isEmpty();
    assertThat(adapter.sockets(Set.of())).containsExactly("a");
    adapter.addAll("b", Set.of());
    assertThat(adapter.sockets(Set.of())).containsExactlyInAnyOrder("a", "b");
  }
}
