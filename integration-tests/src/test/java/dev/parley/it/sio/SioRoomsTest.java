package dev.parley.it.sio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Namespace;
import dev.parley.Socket;
import dev.parley.adapter.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rooms with both official clients over each transport mode: join and leave (one room and many),
 * {@code rooms()} content as the client sees it through acks and through what reaches it, room
 * lifecycle events in order, and namespaces whose rooms and broadcasts do not mix.
 */
class SioRoomsTest extends SioTestBase {

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Integer> numbers(ClientSocket c, String event) {
    return c.received(event).stream().map(e -> e.arg(0).asInt()).collect(Collectors.toList());
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void joinAndLeaveOneOrManyRoomsChangeRoomsAndWhatReachesTheSocket(ClientKind kind, TransportMode mode) {
    // "join"/"leave" take room names as args and ack the socket's rooms afterwards
    server.io().onConnection(s -> {
      s.on("join", (args, ack) -> {
        String[] rooms = args.values().stream().map(JsonNode::asText).toArray(String[]::new);
        if (rooms.length == 1) {
          s.join(rooms[0]);
        } else {
          s.join(List.of(rooms));
        }
        ack.send(new ArrayList<>(s.rooms()));
      });
      s.on("leave", (args, ack) -> {
        String[] rooms = args.values().stream().map(JsonNode::asText).toArray(String[]::new);
        if (rooms.length == 1) {
          s.leave(rooms[0]);
        } else {
          s.leave(rooms);
        }
        ack.send(new ArrayList<>(s.rooms()));
      });
    });
    ClientSocket c = clients.connect(kind, mode, "/");
    ClientSocket other = clients.connect(kind, mode, "/");
    String id = c.id();
    Socket s = server.socket(id);
    assertThat(s.rooms()).containsExactly(id);

    assertThat(strings(c.emitWithAck("join", "a").await().get(0))).containsExactlyInAnyOrder(id, "a");
    assertThat(strings(c.emitWithAck("join", "b", "c", "d").await().get(0)))
        .containsExactlyInAnyOrder(id, "a", "b", "c", "d");
    assertThat(strings(c.emitWithAck("join", "a").await().get(0))) // joining again changes nothing
        .containsExactlyInAnyOrder(id, "a", "b", "c", "d");
    assertThat(strings(c.emitWithAck("leave", "b").await().get(0))).containsExactlyInAnyOrder(id, "a", "c", "d");
    assertThat(strings(c.emitWithAck("leave", "a", "c", "nowhere").await().get(0)))
        .containsExactlyInAnyOrder(id, "d");
    assertThat(s.rooms()).containsExactlyInAnyOrder(id, "d");

    // what reaches the socket follows its rooms
    server.io().to("a").emit("n", 1);
    server.io().to("b").emit("n", 2);
    server.io().to("c").emit("n", 3);
    server.io().to("d").emit("n", 4);
    server.io().to(id).emit("n", 5);
    server.io().to("a", "b", "c", "d").emit("n", 6);
    server.io().emit("end");
    c.awaitEvent("end");
    other.awaitEvent("end");
    assertThat(numbers(c, "n")).containsExactly(4, 5, 6);
    assertThat(numbers(other, "n")).isEmpty();

    // the server's own view: the rooms of the namespace
    assertThat(server.io().sockets().adapter().rooms()).contains("d", id, other.id()).doesNotContain("a", "b", "c");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void roomLifecycleEventsComeInOrderAroundJoinLeaveAndDisconnect(ClientKind kind, TransportMode mode) {
    server.io().sockets().onRoomEvent(e -> server.note("room", null, e.kind() + " " + e.room() + " " + e.socketId()));
    ClientSocket c1 = clients.connect(kind, mode, "/");
    ClientSocket c2 = clients.connect(kind, mode, "/");
    Socket s1 = server.socket(c1.id());
    Socket s2 = server.socket(c2.id());

    s1.join("r");
    s2.join("r", "q");
    s1.join("r"); // already in: no event
    s1.leave("r");
    s1.leave("r"); // not in any more: no event
    server.note("mark", null, "before disconnect");
    c2.disconnect();
    server.awaitDisconnect(s2.id());
    s1.join("r"); // created again
    s1.leave("r");

    List<String> seen = server.events().snapshot().stream()
        .filter(e -> e.is("room") || e.is("mark") || (e.socketId() != null && e.socketId().equals(s2.id())
            && (e.is("disconnecting") || e.is("disconnect"))))
        .map(e -> e.is("room") ? e.detail() : e.type())
        .collect(Collectors.toList());

    String id1 = s1.id();
    String id2 = s2.id();
    // each socket's own room is created and joined when it connects
    assertThat(seen.subList(0, 4)).containsExactly(
        "CREATE " + id1 + " null", "JOIN " + id1 + " " + id1, "CREATE " + id2 + " null", "JOIN " + id2 + " " + id2);
    List<String> middle = seen.subList(4, seen.indexOf("mark"));
    // s2.join("r", "q"): the order of the two rooms is not specified; each room's own order is
    assertThat(middle).containsExactlyInAnyOrder(
        "CREATE r null", "JOIN r " + id1, "JOIN r " + id2, "CREATE q null", "JOIN q " + id2, "LEAVE r " + id1);
    assertThat(middle.stream().filter(x -> x.contains(" r ")).collect(Collectors.toList()))
        .containsExactly("CREATE r null", "JOIN r " + id1, "JOIN r " + id2, "LEAVE r " + id1);
    assertThat(middle.stream().filter(x -> x.contains(" q ")).collect(Collectors.toList()))
        .containsExactly("CREATE q null", "JOIN q " + id2);

    // the disconnect: "disconnecting" (rooms still there), then every room left (and deleted when empty),
    // then "disconnect"
    List<String> after = seen.subList(seen.indexOf("mark") + 1, seen.size());
    assertThat(after.get(0)).isEqualTo("disconnecting");
    int disconnect = after.indexOf("disconnect");
    assertThat(disconnect).isPositive();
    assertThat(after.subList(1, disconnect)).containsExactlyInAnyOrder(
        "LEAVE r " + id2, "DELETE r null", "LEAVE q " + id2, "DELETE q null", "LEAVE " + id2 + " " + id2,
        "DELETE " + id2 + " null");
    for (String room : List.of("r", "q", id2)) {
      assertThat(after.subList(1, disconnect).stream().filter(x -> x.split(" ")[1].equals(room))
          .collect(Collectors.toList())).containsExactly("LEAVE " + room + " " + id2, "DELETE " + room + " null");
    }
    assertThat(after.subList(disconnect + 1, after.size()))
        .containsExactly("CREATE r null", "JOIN r " + id1, "LEAVE r " + id1, "DELETE r null");
    assertThat(server.events().matching(e -> e.is("disconnecting") && e.socketId().equals(id2)).get(0).rooms())
        .containsExactlyInAnyOrder(id2, "r", "q");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void namespacesHaveTheirOwnRoomsAndBroadcasts(ClientKind kind, TransportMode mode) {
    Namespace other = server.of("/other");
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket onOther = main.socket("/other", null); // same connection
    onOther.awaitConnect();
    ClientSocket mainOnly = clients.connect(kind, mode, "/");
    Socket sMain = server.socket(main.id());
    Socket sOther = server.socket(onOther.id());
    assertThat(sOther.namespace()).isSameAs(other);
    sMain.join("a");
    sOther.join("a");
    server.socket(mainOnly.id()).join("b");
    sOther.join("b");

    server.io().to("a").emit("n", 1);            // main
    other.to("a").emit("n", 2);                  // onOther
    server.io().emit("n", 3);                    // main, mainOnly
    other.emit("n", 4);                          // onOther
    server.io().to("b").emit("n", 5);            // mainOnly
    other.to("b").except("a").emit("n", 6);      // nobody
    server.io().in(sOther.id()).emit("n", 7);    // nobody: that id is a room of /other only
    other.in(sOther.id()).emit("n", 8);          // onOther
    sMain.broadcast().emit("n", 9);              // mainOnly
    sOther.broadcast().emit("n", 10);            // nobody else on /other
    server.io().emit("end");
    other.emit("end");

    main.awaitEvent("end");
    onOther.awaitEvent("end");
    mainOnly.awaitEvent("end");
    assertThat(numbers(main, "n")).containsExactly(1, 3);
    assertThat(numbers(onOther, "n")).containsExactly(2, 4, 8);
    assertThat(numbers(mainOnly, "n")).containsExactly(3, 5, 9);
    assertThat(server.io().sockets().adapter().rooms()).contains("a", "b", sMain.id()).doesNotContain(sOther.id());
    assertThat(other.adapter().rooms()).containsExactlyInAnyOrder("a", "b", sOther.id());
  }
}
