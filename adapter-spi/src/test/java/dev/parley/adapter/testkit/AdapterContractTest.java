package dev.parley.adapter.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Adapter} must keep on one node: membership, room events, broadcast
 * targeting (rooms are a union, except rooms are removed, each socket reached once), acks, and the
 * socket operations. Extend it and implement {@link #create}; the test-jar
 * {@code dev.parley:parley-adapter-spi:tests} publishes it for adapters in other modules.
 *
 * <pre>{@code
 * class MyAdapterTest extends AdapterContractTest {
 *   @Override protected Adapter create(AdapterContext context) { return new MyAdapter(context); }
 * }
 * }</pre>
 */
public abstract class AdapterContractTest {
  protected RecordingContext context;
  protected Adapter adapter;

  /** A new adapter for {@code context}, as the namespace would create it. */
  protected abstract Adapter create(AdapterContext context);

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

  private static Packet event(String name) {
    return new Packet(2, "/", List.of(name), -1);
  }

  private static BroadcastOptions to(Set<String> rooms, Set<String> except) {
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
    adapter.broadcast(event("all"), to(Set.of(), Set.of()));
    assertThat(receivers("all")).containsExactly("a", "b", "c", "d");
  }

  @Test
  void broadcastToSeveralRoomsReachesEachSocketOnce() {
    adapter.broadcast(event("union"), to(Set.of("red", "blue"), Set.of()));
    assertThat(receivers("union")).containsExactly("a", "b", "c");
  }

  @Test
  void exceptRoomsAreRemoved() {
    adapter.broadcast(event("minus"), to(Set.of("red", "blue"), Set.of("blue")));
    assertThat(receivers("minus")).containsExactly("a");
    adapter.broadcast(event("not-a"), to(Set.of(), Set.of("a")));
    assertThat(receivers("not-a")).containsExactly("b", "c", "d");
  }

  @Test
  void broadcastToAnUnknownRoomReachesNoOne() {
    adapter.broadcast(event("none"), to(Set.of("nobody"), Set.of()));
    assertThat(receivers("none")).isEmpty();
  }

  @Test
  void broadcastWithAckCountsClientsAndPassesEveryAck() throws Exception {
    List<Integer> counts = new ArrayList<>();
    List<Object> acks = new ArrayList<>();
    adapter.broadcastWithAck(new Packet(2, "/", List.of("q"), 7), to(Set.of("red"), Set.of()),
        counts::add, acks::add);
    assertThat(counts).containsExactly(2);
    assertThat(context.answerAck("a", List.of("from-a"))).isTrue();
    assertThat(context.answerAck("b", List.of("from-b"))).isTrue();
    assertThat(context.answerAck("c", List.of("from-c"))).isFalse();
    assertThat(acks).containsExactlyInAnyOrder(List.of("from-a"), List.of("from-b"));
  }

  @Test
  void fetchSocketsReturnsTheTargetedSockets() throws Exception {
    List<AdapterContext.SocketDetails> found = adapter.fetchSockets(to(Set.of("blue"), Set.of("c")))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(found.stream().map(AdapterContext.SocketDetails::id).collect(Collectors.toList()))
        .containsExactly("b");
  }

  @Test
  void addAndDelSocketsActOnTheTargetedSockets() {
    adapter.addSockets(to(Set.of("red"), Set.of()), Set.of("joined"));
    assertThat(adapter.sockets(Set.of("joined"))).containsExactlyInAnyOrder("a", "b");
    adapter.delSockets(to(Set.of("blue"), Set.of()), Set.of("joined", "red"));
    assertThat(adapter.sockets(Set.of("joined"))).containsExactly("a");
    assertThat(adapter.sockets(Set.of("red"))).containsExactly("a");
  }

  @Test
  void disconnectSocketsGoesThroughTheContext() {
    adapter.disconnectSockets(to(Set.of("blue"), Set.of()), true);
    assertThat(context.disconnects()).containsExactlyInAnyOrder("b+close", "c+close");
  }

  @Test
  void aSingleNodeCountsItself() throws Exception {
    assertThat(adapter.serverCount()).isGreaterThanOrEqualTo(1);
    assertThat(adapter.allRooms().toCompletableFuture().get(5, TimeUnit.SECONDS)).contains("red", "blue");
  }
}
