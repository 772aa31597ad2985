package dev.parley.adapter.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.RequestTimeoutException;
import dev.parley.adapter.RoomEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Adapter} keeps. On one node: membership, room events, broadcast
 * targeting (rooms are a union, except rooms are removed, each socket reached once), acks, and the
 * socket operations. On several nodes ({@link MultiNode}, for a cluster adapter that implements
 * {@link #cluster}): the same operations across three servers over one backend, without the
 * {@code local} flag, each socket reached exactly once. Extend it and implement {@link #create} (and
 * {@link #cluster}); the test-jar {@code dev.parley:parley-adapter-spi:tests} publishes it for adapters
 * in other modules.
 *
 * <pre>{@code
 * class MyAdapterTest extends AdapterContractTest {
 *   @Override protected Adapter create(AdapterContext context) {
 *     return new MyAdapter(context, new MyBroker());
 *   }
 *   @Override protected List<Adapter.Factory> cluster(int servers) {
 *     MyBroker broker = new MyBroker();                 // one backend, fresh for each test
 *     return Collections.nCopies(servers, context -> new MyAdapter(context, broker));
 *   }
 * }
 * }</pre>
 *
 * <p>The multi-node tests wait for what must happen (up to 10 s each) and prove that nothing happens
 * twice without sleeping: after the operation, every server publishes a marker of the same kind and
 * the test waits until every marker has arrived everywhere. That holds when the backend keeps causal
 * order (a message a server publishes after it received another reaches every server after that
 * other), as one broker does.
 */
public abstract class AdapterContractTest {
  /** The namespace's context of the single-node tests. */
  protected RecordingContext context;
  /** The adapter of the single-node tests. */
  protected Adapter adapter;

  /** A new adapter for {@code context}, as the namespace would create it, alone on a fresh backend. */
  protected abstract Adapter create(AdapterContext context);

  /**
   * The adapter factories of {@code servers} servers that share one fresh backend (one factory per
   * server), for the multi-node tests; empty (the default) for an adapter that serves one node, whose
   * multi-node tests are then skipped.
   */
  protected List<Adapter.Factory> cluster(int servers) {
    return List.of();
  }

  @BeforeEach
  void setUpAdapter() {
    context = new RecordingContext("/");
    adapter = create(context);
    adapter.init();
    for (String id : List.of("a", "b", "c", "d")) {
      context.connect(id);
      adapter.addAll(id, Set.of(id));
    }
    adapter.addAll("a", Set.of("red"));
    adapter.addAll("b", Set.of("red", "blue"));
    adapter.addAll("c", Set.of("blue"));
    context.roomEvents().clear();
  }

  @AfterEach
  void closeAdapter() {
    adapter.close();
  }

  private static BroadcastOptions local(Set<String> rooms, Set<String> except) {
    return new BroadcastOptions(rooms, except, BroadcastFlags.NONE.withLocal(true));
  }

  private List<String> receivers(String eventName) {
    List<String> out = new ArrayList<>();
    for (String id : List.of("a", "b", "c", "d")) {
      long n = context.deliveries(id).stream().filter(d -> List.of(eventName).equals(d)).count();
      for (int i = 0; i < n; i++) {
        out.add(id);
      }
    }
    return out;
  }

  @Test
  void membershipIsVisibleBothWays() {
    assertThat(adapter.socketRooms("b")).containsExactlyInAnyOrder("b", "red", "blue");
    assertThat(adapter.sockets(Set.of("red"))).containsExactlyInAnyOrder("a", "b");
    assertThat(adapter.sockets(Set.of())).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(adapter.rooms()).contains("red", "blue", "a", "b", "c", "d");
  }

  @Test
  void leavingTheLastMemberDeletesTheRoom() {
    adapter.del("c", "blue");
    adapter.del("b", "blue");
    assertThat(adapter.rooms()).doesNotContain("blue");
    assertThat(context.roomEvents()).containsExactly(
        new RoomEvent(RoomEvent.Kind.LEAVE, "blue", "c"),
        new RoomEvent(RoomEvent.Kind.LEAVE, "blue", "b"),
        new RoomEvent(RoomEvent.Kind.DELETE, "blue", null));
  }

  @Test
  void joiningANewRoomCreatesItOnce() {
    adapter.addAll("d", Set.of("green"));
    adapter.addAll("d", Set.of("green"));
    adapter.addAll("a", Set.of("green"));
    assertThat(context.roomEvents()).containsExactly(
        new RoomEvent(RoomEvent.Kind.CREATE, "green", null),
        new RoomEvent(RoomEvent.Kind.JOIN, "green", "d"),
        new RoomEvent(RoomEvent.Kind.JOIN, "green", "a"));
  }

  @Test
  void delAllRemovesEveryMembership() {
    adapter.delAll("b");
    assertThat(adapter.socketRooms("b")).isEmpty();
    assertThat(adapter.sockets(Set.of("red"))).containsExactly("a");
    assertThat(adapter.sockets(Set.of())).doesNotContain("b");
  }

  @Test
  void broadcastToEveryone() {
    adapter.broadcast(context.event("all"), local(Set.of(), Set.of()));
    assertThat(receivers("all")).containsExactly("a", "b", "c", "d");
  }

  @Test
  void broadcastToSeveralRoomsReachesEachSocketOnce() {
    adapter.broadcast(context.event("union"), local(Set.of("red", "blue"), Set.of()));
    assertThat(receivers("union")).containsExactly("a", "b", "c");
  }

  @Test
  void exceptRoomsAreRemoved() {
    adapter.broadcast(context.event("minus"), local(Set.of("red", "blue"), Set.of("blue")));
    assertThat(receivers("minus")).containsExactly("a");
    adapter.broadcast(context.event("not-a"), local(Set.of(), Set.of("a")));
    assertThat(receivers("not-a")).containsExactly("b", "c", "d");
  }

  @Test
  void broadcastToAnUnknownRoomReachesNoOne() {
    adapter.broadcast(context.event("none"), local(Set.of("nobody"), Set.of()));
    assertThat(receivers("none")).isEmpty();
  }

  @Test
  void broadcastWithAckCountsClientsAndPassesEveryAck() {
    List<Integer> counts = new ArrayList<>();
    List<Object> acks = new ArrayList<>();
    adapter.broadcastWithAck(context.eventWithAck(7, "q"), local(Set.of("red"), Set.of()),
        counts::add, RecordingContext.answersInto(acks));
    assertThat(counts).containsExactly(2);
    assertThat(context.answerAck("a", List.of("from-a"))).isTrue();
    assertThat(context.answerAck("b", List.of("from-b"))).isTrue();
    assertThat(context.answerAck("c", List.of("from-c"))).isFalse();
    assertThat(acks).containsExactlyInAnyOrder(List.of("from-a"), List.of("from-b"));
  }

  @Test
  void fetchSocketsReturnsTheTargetedSockets() throws Exception {
    List<AdapterContext.SocketDetails> found = adapter.fetchSockets(local(Set.of("blue"), Set.of("c")))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(found.stream().map(AdapterContext.SocketDetails::id).collect(Collectors.toList()))
        .containsExactly("b");
  }

  @Test
  void addAndDelSocketsActOnTheTargetedSockets() {
    adapter.addSockets(local(Set.of("red"), Set.of()), Set.of("joined"));
    assertThat(adapter.sockets(Set.of("joined"))).containsExactlyInAnyOrder("a", "b");
    adapter.delSockets(local(Set.of("blue"), Set.of()), Set.of("joined", "red"));
    assertThat(adapter.sockets(Set.of("joined"))).containsExactly("a");
    assertThat(adapter.sockets(Set.of("red"))).containsExactly("a");
  }

  @Test
  void disconnectSocketsGoesThroughTheContext() {
    adapter.disconnectSockets(local(Set.of("blue"), Set.of()), true);
    assertThat(context.disconnects()).containsExactlyInAnyOrder("b+close", "c+close");
  }

  @Test
  void aSingleNodeCountsItself() throws Exception {
    assertThat(adapter.serverCount()).isEqualTo(1);
    assertThat(adapter.allRooms().toCompletableFuture().get(5, TimeUnit.SECONDS)).contains("red", "blue");
    assertThat(adapter.fetchSockets(BroadcastOptions.ALL).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .hasSize(4);
    assertThat(adapter.serverSideEmitWithAck(List.of("anyone?")).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEmpty();
  }

  // ------------------------------------------------------------------ several nodes

  /** Waits (up to 10 s) until {@code condition} holds. */
  protected static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Three servers A, B and C over one backend ({@link #cluster}): A holds a1 (red) and a2 (red, blue),
   * B holds b1 (blue) and b2, C holds c1 (red). Nothing is broadcast with the {@code local} flag.
   */
  @Nested
  class MultiNode {
    private final List<Server> servers = new ArrayList<>();
    private Server a;
    private Server b;
    private Server c;
    private int markers;

    private final class Server {
      final String name;
      final RecordingContext context = new RecordingContext("/");
      final Adapter adapter;
      final List<String> sockets = new ArrayList<>();

      Server(String name, Adapter.Factory factory) {
        this.name = name;
        this.adapter = factory.create(context);
        adapter.init();
      }

      Server socket(String id, String... rooms) {
        context.connect(id);
        sockets.add(id);
        adapter.addAll(id, Set.of(id));
        if (rooms.length > 0) {
          adapter.addAll(id, Set.of(rooms));
        }
        return this;
      }
    }

    @BeforeEach
    void threeServers() {
      List<Adapter.Factory> factories = cluster(3);
      Assumptions.assumeTrue(factories.size() == 3, "a single-node adapter: no multi-node contract");
      a = new Server("A", factories.get(0)).socket("a1", "red").socket("a2", "red", "blue");
      b = new Server("B", factories.get(1)).socket("b1", "blue").socket("b2");
      c = new Server("C", factories.get(2)).socket("c1", "red");
      servers.addAll(List.of(a, b, c));
      await("every server counts three", () -> servers.stream().allMatch(s -> s.adapter.serverCount() == 3));
      for (Server s : servers) {
        s.context.roomEvents().clear();
      }
    }

    @AfterEach
    void closeServers() {
      for (Server s : servers) {
        s.adapter.close();
      }
    }

    private BroadcastOptions to(Set<String> rooms, Set<String> except) {
      return new BroadcastOptions(rooms, except, BroadcastFlags.NONE);
    }

    /** The sockets, on every server, that received {@code data}, once per delivery, sorted. */
    private List<String> receivers(Object... data) {
      List<Object> expected = List.of(data);
      List<String> out = new ArrayList<>();
      for (Server s : servers) {
        for (String id : s.sockets) {
          for (Object d : s.context.deliveries(id)) {
            if (expected.equals(d)) {
              out.add(id);
            }
          }
        }
      }
      out.sort(null);
      return out;
    }

    private void awaitReceivers(List<String> expected, Object... data) {
      await(List.of(data) + " at " + expected, () -> receivers(data).containsAll(expected));
    }

    /** Every server broadcasts a marker to every socket; waits until every socket has them all. */
    private void flushBroadcasts() {
      List<String> everyone = new ArrayList<>();
      for (Server s : servers) {
        everyone.addAll(s.sockets);
      }
      everyone.sort(null);
      for (Server s : servers) {
        String marker = "marker-" + markers++;
        s.adapter.broadcast(s.context.event(marker), to(Set.of(), Set.of()));
        await(marker + " everywhere", () -> receivers(marker).containsAll(everyone));
      }
    }

    /** Every server makes every socket join a marker room; waits until every server applied them all. */
    private void flushMembership() {
      for (Server s : servers) {
        String marker = "marker-" + markers++;
        s.adapter.addSockets(to(Set.of(), Set.of()), Set.of(marker));
        for (Server t : servers) {
          await(marker + " on " + t.name, () -> t.adapter.sockets(Set.of(marker)).size() == t.sockets.size());
        }
      }
    }

    /** Every server sends a marker server-side event; waits until every other server has them all. */
    private void flushServerSideEvents() {
      for (Server s : servers) {
        List<Object> marker = List.of("marker-" + markers++);
        s.adapter.serverSideEmit(marker);
        for (Server t : servers) {
          if (t != s) {
            await(marker + " on " + t.name, () -> t.context.serverSideEvents().contains(marker));
          }
        }
      }
    }

    private List<List<Object>> serverSideEventsOtherThanMarkers(Server s) {
      return s.context.serverSideEvents().stream()
          .filter(e -> !String.valueOf(e.get(0)).startsWith("marker-")).collect(Collectors.toList());
    }

    @Test
    void everyServerCountsTheCluster() {
      for (Server s : servers) {
        assertThat(s.adapter.serverCount()).as(s.name).isEqualTo(3);
      }
    }

    @Test
    void aBroadcastReachesEverySocketOfEveryServerOnce() {
      b.adapter.broadcast(b.context.event("all", "text", true, Map.of("k", List.of("x"))), to(Set.of(), Set.of()));
      List<String> everyone = List.of("a1", "a2", "b1", "b2", "c1");
      awaitReceivers(everyone, "all", "text", true, Map.of("k", List.of("x")));
      flushBroadcasts();
      assertThat(receivers("all", "text", true, Map.of("k", List.of("x")))).isEqualTo(everyone);
    }

    @Test
    void roomsAndExceptAreAppliedOnEveryServer() {
      a.adapter.broadcast(a.context.event("red+blue-a2"), to(Set.of("red", "blue"), Set.of("a2")));
      b.adapter.broadcast(b.context.event("blue"), to(Set.of("blue"), Set.of()));
      c.adapter.broadcast(c.context.event("not-blue"), to(Set.of(), Set.of("blue")));
      a.adapter.broadcast(a.context.event("to-b2"), to(Set.of("b2"), Set.of()));
      b.adapter.broadcast(b.context.event("nobody"), to(Set.of("nobody"), Set.of()));
      awaitReceivers(List.of("a1", "b1", "c1"), "red+blue-a2");
      awaitReceivers(List.of("a2", "b1"), "blue");
      awaitReceivers(List.of("a1", "b2", "c1"), "not-blue");
      awaitReceivers(List.of("b2"), "to-b2");
      flushBroadcasts();
      assertThat(receivers("red+blue-a2")).containsExactly("a1", "b1", "c1");
      assertThat(receivers("blue")).containsExactly("a2", "b1");
      assertThat(receivers("not-blue")).containsExactly("a1", "b2", "c1");
      assertThat(receivers("to-b2")).containsExactly("b2");
      assertThat(receivers("nobody")).isEmpty();
    }

    @Test
    void aLocalBroadcastStaysOnItsServer() {
      a.adapter.broadcast(a.context.event("local"), new BroadcastOptions(Set.of(), Set.of(), BroadcastFlags.NONE.withLocal(true)));
      assertThat(receivers("local")).containsExactly("a1", "a2");
      flushBroadcasts();
      assertThat(receivers("local")).containsExactly("a1", "a2");
    }

    @Test
    void aBroadcastWithAcksCountsEveryServerAndGathersEveryAck() {
      List<Integer> counts = new CopyOnWriteArrayList<>();
      List<Object> acks = new CopyOnWriteArrayList<>();
      a.adapter.broadcastWithAck(a.context.eventWithAck(a.context.nextAckId(), "question"),
          new BroadcastOptions(Set.of("red", "blue"), Set.of(), BroadcastFlags.NONE.withTimeoutMillis(10_000)),
          counts::add, RecordingContext.answersInto(acks));
      awaitReceivers(List.of("a1", "a2", "b1", "c1"), "question");
      await("a count from every server", () -> counts.size() == 3);
      assertThat(counts).containsExactlyInAnyOrder(2, 1, 1);
      for (Server s : servers) {
        for (String id : s.sockets) {
          if (!id.equals("b2")) {
            assertThat(s.context.answerAck(id, List.of(Map.of("from", id)))).as(id).isTrue();
          }
        }
      }
      assertThat(b.context.answerAck("b2", List.of("not asked"))).isFalse();
      await("four acks", () -> acks.size() == 4);
      // a second request flushes the answers of the first from every server (same path, later)
      a.adapter.broadcastWithAck(a.context.eventWithAck(a.context.nextAckId(), "flush"),
          new BroadcastOptions(Set.of("nobody"), Set.of(), BroadcastFlags.NONE.withTimeoutMillis(10_000)),
          counts::add, RecordingContext.answersInto(acks));
      await("a second count from every server", () -> counts.size() == 6);
      assertThat(counts.subList(3, 6)).containsExactly(0, 0, 0);
      assertThat(acks).containsExactlyInAnyOrder(List.of(Map.of("from", "a1")), List.of(Map.of("from", "a2")),
          List.of(Map.of("from", "b1")), List.of(Map.of("from", "c1")));
    }

    @Test
    void fetchSocketsGathersEveryServer() throws Exception {
      List<AdapterContext.SocketDetails> red = b.adapter.fetchSockets(to(Set.of("red"), Set.of("a2")))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(red).extracting(AdapterContext.SocketDetails::id).containsExactlyInAnyOrder("a1", "c1");
      AdapterContext.SocketDetails c1 = red.stream().filter(d -> d.id().equals("c1")).findFirst().orElseThrow();
      assertThat(c1.rooms()).contains("c1");
      assertThat(c1.handshake()).containsEntry("auth", Map.of());
      assertThat(a.adapter.fetchSockets(to(Set.of(), Set.of())).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .extracting(AdapterContext.SocketDetails::id).containsExactlyInAnyOrder("a1", "a2", "b1", "b2", "c1");
      assertThat(c.adapter.fetchSockets(to(Set.of("nobody"), Set.of())).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isEmpty();
    }

    @Test
    void allRoomsGathersEveryServer() throws Exception {
      assertThat(c.adapter.allRooms().toCompletableFuture().get(10, TimeUnit.SECONDS))
          .contains("a1", "a2", "b1", "b2", "c1", "red", "blue");
    }

    @Test
    void remoteJoinsLeavesAndDisconnectsActOnEveryServerOnce() {
      a.adapter.addSockets(to(Set.of("blue"), Set.of()), Set.of("joined"));
      await("a2 and b1 joined", () -> a.adapter.sockets(Set.of("joined")).equals(Set.of("a2"))
          && b.adapter.sockets(Set.of("joined")).equals(Set.of("b1")));
      b.adapter.delSockets(to(Set.of("red"), Set.of("a1")), Set.of("red"));
      await("red left but for a1", () -> a.adapter.sockets(Set.of("red")).equals(Set.of("a1"))
          && c.adapter.sockets(Set.of("red")).isEmpty());
      c.adapter.disconnectSockets(to(Set.of("joined", "c1"), Set.of("b1")), true);
      await("a2 and c1 disconnected", () -> a.context.disconnects().contains("a2+close")
          && c.context.disconnects().contains("c1+close"));
      flushMembership();
      for (Server s : servers) {
        assertThat(s.context.roomEvents().stream().filter(e -> e.kind() == RoomEvent.Kind.JOIN && e.room().equals("joined"))
            .map(RoomEvent::socketId)).as(s.name).containsExactlyElementsOf(
                s == a ? List.of("a2") : s == b ? List.of("b1") : List.of());
      }
      assertThat(c.context.roomEvents()).contains(new RoomEvent(RoomEvent.Kind.LEAVE, "red", "c1"));
      assertThat(a.context.disconnects()).containsExactly("a2+close");
      assertThat(b.context.disconnects()).isEmpty();
      assertThat(c.context.disconnects()).containsExactly("c1+close");
    }

    @Test
    void serverSideEmitReachesEveryOtherServerOnce() {
      List<Object> hello = List.of("hello", "world", Map.of("k", "v"));
      a.adapter.serverSideEmit(hello);
      await("B and C heard it", () -> b.context.serverSideEvents().contains(hello)
          && c.context.serverSideEvents().contains(hello));
      flushServerSideEvents();
      assertThat(serverSideEventsOtherThanMarkers(a)).isEmpty();
      assertThat(serverSideEventsOtherThanMarkers(b)).containsExactly(hello);
      assertThat(serverSideEventsOtherThanMarkers(c)).containsExactly(hello);
    }

    @Test
    void serverSideEmitWithAckGathersOneAnswerPerOtherServer() throws Exception {
      b.context.answerServerSideEvents(Map.of("pong", "B"));
      c.context.answerServerSideEvents("pong-C");
      assertThat(a.adapter.serverSideEmitWithAck(List.of("ping", "are you there?")).toCompletableFuture()
          .get(10, TimeUnit.SECONDS)).containsExactlyInAnyOrder(Map.of("pong", "B"), "pong-C");
      assertThat(b.context.serverSideEvents()).containsExactly(List.of("ping", "are you there?"));
      assertThat(a.context.serverSideEvents()).isEmpty();
    }

    @Test
    void aServerThatDoesNotAnswerEndsTheRequestWithATimeout() {
      b.context.answerServerSideEvents("pong-B");
      assertThatThrownBy(() -> a.adapter.serverSideEmitWithAck(List.of("ping")).toCompletableFuture()
          .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(RequestTimeoutException.class)
          .satisfies(e -> assertThat(((RequestTimeoutException) e).responses()).containsExactly("pong-B"));
    }
  }
}
