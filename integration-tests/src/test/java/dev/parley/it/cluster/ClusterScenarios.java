package dev.parley.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.it.cluster.Clients.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;

/**
 * The cluster operations of issue 4 item 3, run from an {@code origin} server towards the sockets of
 * both servers. Each server has a Node client "…-node" in room r1 and a Java client "…-java" in room
 * r2 (names "o-…" on the origin, "t-…" on the other). Subclasses start the two servers on one Redis
 * with a key prefix of their own ({@link #key}).
 */
abstract class ClusterScenarios {
  final String key = "parley-it-" + UUID.randomUUID().toString().substring(0, 8);
  final Clients clients = new Clients();
  Member origin;
  Member other;
  Client oNode;
  Client oJava;
  Client tNode;
  Client tJava;

  /** Starts the servers; returns (origin, other). */
  abstract Member[] start(boolean reversed) throws Exception;

  void setUp(boolean reversed) throws Exception {
    Member[] m = start(reversed);
    origin = m[0];
    other = m[1];
    oNode = clients.connect(Kind.NODE, origin.url(), origin.label(), "o-node", "r1");
    oJava = clients.connect(Kind.JAVA, origin.url(), origin.label(), "o-java", "r2");
    tNode = clients.connect(Kind.NODE, other.url(), other.label(), "t-node", "r1");
    tJava = clients.connect(Kind.JAVA, other.url(), other.label(), "t-java", "r2");
    awaitRooms(origin, oNode, "r1");
    awaitRooms(origin, oJava, "r2");
    awaitRooms(other, tNode, "r1");
    awaitRooms(other, tJava, "r2");
  }

  @AfterEach
  void tearDown() {
    try {
      clients.close();
    } finally {
      for (Member m : new Member[] {origin, other}) {
        if (m != null) {
          m.close();
        }
      }
    }
  }

  static void awaitRooms(Member server, Client c, String... rooms) {
    Wait.until(c + " in " + List.of(rooms), () -> {
      Set<String> r = unchecked(() -> server.rooms(c.id()));
      return r != null && r.containsAll(List.of(rooms));
    }, () -> String.valueOf(unchecked(() -> server.rooms(c.id()))));
  }

  static void awaitNotInRoom(Member server, Client c, String room) {
    Wait.until(c + " not in " + room, () -> {
      Set<String> r = unchecked(() -> server.rooms(c.id()));
      return r != null && !r.contains(room);
    }, () -> String.valueOf(unchecked(() -> server.rooms(c.id()))));
  }

  interface Call<T> {
    T call() throws Exception;
  }

  static <T> T unchecked(Call<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static List<String> texts(List<JsonNode> args) {
    return args.stream().map(JsonNode::asText).toList();
  }

  List<Client> all() {
    return List.of(oNode, oJava, tNode, tJava);
  }

  /** Emits "end" to everyone from the origin and waits for it: what was sent before has arrived. */
  void barrier(String end) throws Exception {
    origin.emit(List.of(), List.of(), end);
    for (Client c : all()) {
      if (!c.disconnected()) {
        c.awaitEvent(end);
      }
    }
  }

  // ------------------------------------------------------------------ scenarios

  void broadcastsToAndExceptAcrossServers() throws Exception {
    origin.emit(List.of("r1"), List.of(), "m1", "to r1", 1);
    origin.emit(List.of(), List.of("r1"), "m2", "except r1");
    origin.emit(List.of("r1", "r2"), List.of("r2"), "m3", "r1+r2 minus r2");
    origin.emit(List.of(tJava.id()), List.of(), "m4", "to a socket id on the other server");
    origin.emit(List.of(), List.of(), "m5", Map.of("k", "v", "n", List.of(1, "x")));
    // socket.to(room) from a client's socket: the room on both servers, minus the sender
    oNode.emit("shout", "r1", "from o-node");
    tNode.emit("shout", "r1", "from t-node");
    tJava.emit("shout", "r2", "from t-java");
    tNode.awaitEvent("shouted");
    oNode.awaitEvent("shouted");
    oJava.awaitEvent("shouted");
    barrier("end");

    assertThat(texts(oNode.awaitEvent("m1"))).containsExactly("to r1", "1");
    assertThat(texts(tNode.awaitEvent("m1"))).containsExactly("to r1", "1");
    assertThat(texts(oJava.awaitEvent("m2"))).containsExactly("except r1");
    assertThat(texts(tJava.awaitEvent("m2"))).containsExactly("except r1");
    oNode.awaitEvent("m3");
    tNode.awaitEvent("m3");
    tJava.awaitEvent("m4");
    for (Client c : all()) {
      assertThat(c.awaitEvent("m5").get(0)).isEqualTo(Clients.MAPPER.readTree("{\"k\":\"v\",\"n\":[1,\"x\"]}"));
    }
    Map<String, List<String>> got = all().stream().collect(Collectors.toMap(c -> c.name,
        c -> c.seen.stream().filter(s -> s.type().equals("event")).map(s -> s.detail() + ":" + texts(s.args()))
            .sorted().toList()));
    assertThat(got.get("o-node")).containsExactly("end:[]", "m1:[to r1, 1]", "m3:[r1+r2 minus r2]",
        "m5:[]", "shouted:[from t-node]");
    assertThat(got.get("t-node")).containsExactly("end:[]", "m1:[to r1, 1]", "m3:[r1+r2 minus r2]", "m5:[]",
        "shouted:[from o-node]");
    assertThat(got.get("o-java")).containsExactly("end:[]", "m2:[except r1]", "m5:[]", "shouted:[from t-java]");
    assertThat(got.get("t-java")).containsExactly("end:[]", "m2:[except r1]", "m4:[to a socket id on the other server]",
        "m5:[]");
  }

  void socketsJoinLeaveAndDisconnectAcrossServers() throws Exception {
    origin.socketsJoin(List.of("r2"), List.of(), "x");
    awaitRooms(origin, oJava, "x");
    awaitRooms(other, tJava, "x");
    origin.socketsLeave(List.of("x"), List.of(), "r2");
    awaitNotInRoom(origin, oJava, "r2");
    awaitNotInRoom(other, tJava, "r2");
    origin.socketsJoin(List.of(), List.of("r1"), "y");
    awaitRooms(other, tJava, "x", "y");
    assertThat(other.rooms(tNode.id())).containsExactlyInAnyOrder(tNode.id(), "r1");
    origin.emit(List.of("x"), List.of(), "mx");
    barrier("end");
    assertThat(oJava.received("mx")).hasSize(1);
    assertThat(tJava.received("mx")).hasSize(1);
    assertThat(oNode.received("mx")).isEmpty();
    assertThat(tNode.received("mx")).isEmpty();

    // without close: only the namespace's socket, so the client sees "io server disconnect"
    origin.disconnectSockets(List.of("x"), List.of(oJava.id()), false);
    assertThat(tJava.awaitDisconnect()).isEqualTo("io server disconnect");
    Wait.until("the other server saw the disconnect", () -> unchecked(() -> other.disconnectReason(tJava.id())) != null);
    assertThat(other.disconnectReason(tJava.id())).isEqualTo("server namespace disconnect");
    // with close: both Node clients of r1, on both servers
    origin.disconnectSockets(List.of("r1"), List.of(), true);
    assertThat(oNode.awaitDisconnect()).isIn("io server disconnect", "transport close");
    assertThat(tNode.awaitDisconnect()).isIn("io server disconnect", "transport close");
    Wait.until("both servers saw the disconnects", () -> unchecked(() -> other.disconnectReason(tNode.id())) != null
        && unchecked(() -> origin.disconnectReason(oNode.id())) != null);
    assertThat(oJava.disconnected()).isFalse();
    assertThat(origin.fetch(List.of(), List.of())).extracting(d -> d.get("id").asText()).containsExactly(oJava.id());
  }

  void fetchSocketsSeesRemoteSocketsAndItsHandlesWork() throws Exception {
    Map<String, JsonNode> all = origin.fetch(List.of(), List.of()).stream()
        .collect(Collectors.toMap(d -> d.get("id").asText(), Function.identity()));
    assertThat(all.keySet()).containsExactlyInAnyOrder(oNode.id(), oJava.id(), tNode.id(), tJava.id());
    JsonNode t = all.get(tNode.id());
    assertThat(t.get("data").get("name").asText()).isEqualTo("t-node");
    assertThat(t.get("data").get("node").asText()).isEqualTo(other.label());
    assertThat(t.get("auth")).isEqualTo(Clients.MAPPER.readTree("{\"name\":\"t-node\",\"room\":\"r1\"}"));
    assertThat(texts(List.copyOf(iter(t.get("rooms"))))).containsExactlyInAnyOrder(tNode.id(), "r1");
    JsonNode tj = all.get(tJava.id());
    assertThat(tj.get("auth")).isEqualTo(Clients.MAPPER.readTree("{\"name\":\"t-java\",\"room\":\"r2\"}"));
    assertThat(tj.get("data").get("name").asText()).isEqualTo("t-java");
    assertThat(all.get(oJava.id()).get("data").get("node").asText()).isEqualTo(origin.label());

    assertThat(origin.fetch(List.of("r1"), List.of(tNode.id()))).extracting(d -> d.get("id").asText())
        .containsExactly(oNode.id());
    assertThat(origin.fetch(List.of("r2", "r1"), List.of("r1"))).extracting(d -> d.get("id").asText())
        .containsExactlyInAnyOrder(oJava.id(), tJava.id());
    assertThat(origin.fetch(List.of("nowhere"), List.of())).isEmpty();

    // the handles of remote sockets act on them
    origin.remote(tNode.id(), "emit", List.of("direct", "hi", 2), false);
    assertThat(texts(tNode.awaitEvent("direct"))).containsExactly("hi", "2");
    origin.remote(tJava.id(), "emit", List.of("direct", "hi java"), false);
    assertThat(texts(tJava.awaitEvent("direct"))).containsExactly("hi java");
    origin.remote(tNode.id(), "join", List.of("j1", "j2"), false);
    awaitRooms(other, tNode, "j1", "j2");
    origin.remote(tNode.id(), "leave", List.of("r1"), false);
    awaitNotInRoom(other, tNode, "r1");
    assertThat(other.rooms(tNode.id())).containsExactlyInAnyOrder(tNode.id(), "j1", "j2");
    origin.remote(tNode.id(), "disconnect", List.of(), false);
    assertThat(tNode.awaitDisconnect()).isEqualTo("io server disconnect");
    Wait.until("the other server saw the disconnect", () -> unchecked(() -> other.disconnectReason(tNode.id())) != null);
    assertThat(other.disconnectReason(tNode.id())).isEqualTo("server namespace disconnect");
    origin.remote(tJava.id(), "disconnect", List.of(), true);
    assertThat(tJava.awaitDisconnect()).isIn("io server disconnect", "transport close");
    Wait.until("the remote sockets are gone", () -> unchecked(() -> origin.fetch(List.of(), List.of())).size() == 2);
    assertThat(tNode.received("direct")).hasSize(1);
    assertThat(oNode.received("direct")).isEmpty();
  }

  void serverSideEmitAndBroadcastsWithAcksAcrossServers() throws Exception {
    origin.serverSideEmit("hello", "world", 1);
    Wait.until("the other server heard hello", () -> !unchecked(other::heard).isEmpty());
    assertThat(other.heard()).containsExactly("hello [world, 1]");
    assertThat(origin.heard()).as("not sent to itself").isEmpty();

    List<JsonNode> answers = origin.serverSideEmitWithAck("ping-ssa", "q");
    assertThat(answers).containsExactly(Clients.MAPPER.readTree(
        "{\"pong\":\"" + other.label() + "\",\"got\":\"q\"}"));

    Member.AckResult all = origin.emitWithAck(List.of(), Duration.ofSeconds(3), "ask", "?");
    assertThat(all.error()).as("answers %s; clients saw %s", all.answers(), all().stream().map(Client::history).toList())
        .isNull();
    assertThat(all.answers()).extracting(a -> a.get("from").asText())
        .containsExactlyInAnyOrder("o-node", "o-java", "t-node", "t-java");
    Member.AckResult r1 = origin.emitWithAck(List.of("r1"), Duration.ofSeconds(3), "ask", "r1?");
    assertThat(r1.error()).isNull();
    assertThat(r1.answers()).extracting(a -> a.get("from").asText()).containsExactlyInAnyOrder("o-node", "t-node");
    Member.AckResult none = origin.emitWithAck(List.of("nowhere"), Duration.ofSeconds(3), "ask", "nobody?");
    assertThat(none.error()).isNull();
    assertThat(none.answers()).isEmpty();

    // a client on the other server that never answers: the timeout ends it, with the answers that came
    Client silent = clients.connect(Kind.NODE, other.url(), other.label(), "silent-node", "r2");
    awaitRooms(other, silent, "r2");
    long t0 = System.nanoTime();
    Member.AckResult partial = origin.emitWithAck(List.of("r2"), Duration.ofMillis(700), "ask", "r2?");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(partial.error()).isEqualTo("operation has timed out");
    assertThat(ms).isBetween(600L, 5000L);
    silent.awaitEvent("ask");
    assertThat(tJava.received("ask")).hasSize(2);
  }

  private static List<JsonNode> iter(JsonNode array) {
    List<JsonNode> out = new java.util.ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
