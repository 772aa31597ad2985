package dev.parley.it.sio;

import static dev.parley.it.sio.SioJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parley.AckTimeoutException;
import dev.parley.Args;
import dev.parley.BroadcastOperator;
import dev.parley.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broadcast correctness with both official clients over each transport mode: five clients in
 * overlapping rooms, numbered broadcasts to many kinds of targets (room unions, except sets, the
 * sender excluded, one socket by its id room, the whole namespace), each client receiving exactly its
 * share, once each, in order; volatile broadcasts; broadcasts collecting acks.
 */
class SioBroadcastTest extends SioTestBase {

  /** Five connected clients and their server sockets, c[i] <-> s[i]. */
  private record Five(List<ClientSocket> c, List<Socket> s) {}

  /**
   * c0: a; c1: a, b; c2: b; c3: b, c; c4: c (joined server-side, synchronously).
   */
  private Five fiveInOverlappingRooms(ClientKind kind, TransportMode mode) {
    List<ClientSocket> cs = new ArrayList<>();
    List<Socket> ss = new ArrayList<>();
    String[][] rooms = {{"a"}, {"a", "b"}, {"b"}, {"b", "c"}, {"c"}};
    for (String[] r : rooms) {
      ClientSocket c = clients.connect(kind, mode, "/");
      Socket s = server.socket(c.id());
      s.join(r);
      cs.add(c);
      ss.add(s);
    }
    return new Five(cs, ss);
  }

  private static List<Integer> numbers(ClientSocket c, String event) {
    return c.received(event).stream().map(e -> e.arg(0).asInt()).collect(Collectors.toList());
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void eachOfFiveClientsInOverlappingRoomsGetsExactlyItsBroadcastsOnceEachInOrder(ClientKind kind,
      TransportMode mode) {
    // c2 asks the server to broadcast from its own socket; the ack comes after the emit, so order holds
    server.io().onConnection(s -> s.on("relay", (args, ack) -> {
      String room = args.get(0).asText();
      int n = args.get(1).asInt();
      if (room.isEmpty()) {
        s.broadcast().emit("n", n, "relay-all");
      } else {
        s.to(room).emit("n", n, "relay-to-" + room);
      }
      ack.send(true);
    }));
    Five f = fiveInOverlappingRooms(kind, mode);
    List<ClientSocket> c = f.c();
    List<Socket> s = f.s();

    Map<Integer, List<Integer>> expected = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      expected.put(i, new ArrayList<>());
    }
    int[] n = {0};
    // sends broadcast number n+1 through `send` and records who must get it
    record Step(String what, Consumer<Integer> send, int... to) {}
    BroadcastOperator keptB = server.io().to("b");
    List<Step> steps = List.of(
        new Step("io.to(a)", k -> server.io().to("a").emit("n", k, "to a"), 0, 1),
        new Step("io.to(a).to(b)", k -> server.io().to("a").to("b").emit("n", k, "a+b"), 0, 1, 2, 3),
        new Step("io.to(a).except(b)", k -> server.io().to("a").except("b").emit("n", k, "a-b"), 0),
        new Step("io.except(c)", k -> server.io().except("c").emit("n", k, "all-c"), 0, 1, 2),
        new Step("s2.to(b) from a handler", k -> relay(c.get(2), "b", k), 1, 3),
        new Step("s0.broadcast()", k -> s.get(0).broadcast().emit("n", k, "all but s0"), 1, 2, 3, 4),
        new Step("io.in(c3 id)", k -> server.io().in(s.get(3).id()).emit("n", k, "only c3"), 3),
        new Step("io.emit", k -> server.io().emit("n", k, "all"), 0, 1, 2, 3, 4),
        new Step("io.to(b, c).except(a)", k -> server.io().to("b", "c").except("a").emit("n", k, "b+c-a"), 2, 3, 4),
        new Step("io.to(nobody)", k -> server.io().to("nobody").emit("n", k, "nobody")),
        new Step("s1.to(a).to(c)", k -> s.get(1).to("a").to("c").emit("n", k, "a+c but s1"), 0, 3, 4),
        new Step("s2.broadcast() from a handler", k -> relay(c.get(2), "", k), 0, 1, 3, 4),
        new Step("io.except(a, c)", k -> server.io().except("a", "c").emit("n", k, "all-a-c"), 2),
        new Step("io.sockets().to(c).except(c4 id)",
            k -> server.io().sockets().to("c").except(s.get(4).id()).emit("n", k, "c but c4"), 3),
        new Step("s4.except(b)", k -> s.get(4).except("b").emit("n", k, "all-b but s4"), 0),
        new Step("io.in(c0 id, c4 id)", k -> server.io().in(s.get(0).id(), s.get(4).id()).emit("n", k, "c0+c4"), 0, 4),
        new Step("kept operator io.to(b) reused", k -> keptB.emit("n", k, "kept b"), 1, 2, 3),
        new Step("io.to(a).to(a).to(a)", k -> server.io().to("a").to("a").in("a").emit("n", k, "a thrice"), 0, 1),
        new Step("io.to(a, b, c).except(b)", k -> server.io().to("a", "b", "c").except("b").emit("n", k, "abc-b"), 0, 4),
        new Step("io.emit again", k -> server.io().emit("n", k, "all"), 0, 1, 2, 3, 4));
    for (Step step : steps) {
      int k = ++n[0];
      step.send().accept(k);
      for (int i : step.to()) {
        expected.get(i).add(k);
      }
    }
    server.io().emit("end");

    for (int i = 0; i < 5; i++) {
      c.get(i).awaitEvent("end");
      assertThat(numbers(c.get(i), "n")).as("broadcasts client c%d got (%s)", i, c.get(i)).isEqualTo(expected.get(i));
    }
    assertThat(server.events().matching(e -> e.is("error"))).isEmpty();
  }

  private static void relay(ClientSocket from, String room, int n) {
    assertThat(from.emitWithAck("relay", room, n).await()).containsExactly(json("true"));
  }

  /**
   * A volatile event is dropped for a client that cannot take it at once (like socket.io, back-to-back
   * volatile emits may lose all but the first); an idle client gets it. "Idle" here: the previous
   * event has arrived and the client had a generous pause to be ready again (a new poll in polling).
   */
  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aVolatileBroadcastReachesIdleClients(ClientKind kind, TransportMode mode) throws Exception {
    ClientSocket a = clients.connect(kind, mode, "/");
    ClientSocket b = clients.connect(kind, mode, "/");
    Socket sa = server.socket(a.id());
    sa.join("r");

    Thread.sleep(300);
    server.io().unreliable().emit("v", 1);
    a.awaitEvents("v", 1);
    b.awaitEvents("v", 1);
    Thread.sleep(300);
    server.io().to("r").unreliable().emit("v", 2);
    a.awaitEvents("v", 2);
    Thread.sleep(300);
    sa.unreliable().emit("v", 3);
    a.awaitEvents("v", 3);
    server.io().emit("end");

    a.awaitEvent("end");
    b.awaitEvent("end");
    assertThat(numbers(a, "v")).containsExactly(1, 2, 3);
    assertThat(numbers(b, "v")).containsExactly(1);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aBroadcastWithTimeoutCollectsOneAckFromEveryRecipient(ClientKind kind, TransportMode mode) throws Exception {
    List<ClientSocket> cs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // the rule before connecting: a Node driver command may otherwise race the first server emit
      ClientSocket c = clients.open(kind, mode, "/");
      c.autoAck(AutoAck.echo());
      clients.ready(c);
      cs.add(c);
    }
    server.socket(cs.get(0).id()).join("x");
    server.socket(cs.get(1).id()).join("x");

    List<Args> all = server.io().timeout(Duration.ofSeconds(10)).emitWithAck("poll", "q", 7)
        .get(20, TimeUnit.SECONDS);
    assertThat(all).hasSize(4).allSatisfy(a -> assertThat(a.values()).containsExactly(json("'q'"), json("7")));

    List<Args> inX = server.io().to("x").timeout(Duration.ofSeconds(10)).emitWithAck("poll", "x-only")
        .get(20, TimeUnit.SECONDS);
    assertThat(inX).hasSize(2).allSatisfy(a -> assertThat(a.values()).containsExactly(json("'x-only'")));

    // from a socket: everyone but the sender
    List<Args> others = server.socket(cs.get(3).id()).broadcast().timeout(Duration.ofSeconds(10))
        .emitWithAck("poll", Map.of("k", 1)).get(20, TimeUnit.SECONDS);
    assertThat(others).hasSize(3);

    // nobody targeted: completes at once with no answers
    assertThat(server.io().to("empty").timeout(Duration.ofSeconds(10)).emitWithAck("poll").get(10, TimeUnit.SECONDS))
        .isEmpty();

    // a Node client reports an event on its stdout before it acks it over the network, so the report
    // may arrive after the ack has completed the broadcast: wait for the third report
    assertThat(cs.get(0).awaitEvents("poll", 3)).hasSize(3);
    assertThat(cs.get(0).received("poll")).hasSize(3);
    assertThat(cs.get(3).received("poll")).hasSize(1); // not its own broadcast
    // without a timeout a broadcast with acks is refused
    assertThatThrownBy(() -> server.io().to("x").emitWithAck("poll")).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aBroadcastWithTimeoutFailsWithThePartialResponsesWhenOneClientNeverAnswers(ClientKind kind,
      TransportMode mode) throws Exception {
    ClientSocket silent = clients.connect(kind, mode, "/"); // AutoAck.never() by default
    List<ClientSocket> answering = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ClientSocket c = clients.open(kind, mode, "/");
      c.autoAck(AutoAck.reply("yes", i));
      clients.ready(c);
      answering.add(c);
    }

    CompletableFuture<List<Args>> future = server.io().timeout(Duration.ofMillis(1500)).emitWithAck("poll", "q");
    ExecutionException failed = catchThrowableOfType(ExecutionException.class,
        () -> future.get(20, TimeUnit.SECONDS));

    assertThat(failed.getCause()).isInstanceOf(AckTimeoutException.class).hasMessage("operation has timed out");
    List<Args> partial = ((AckTimeoutException) failed.getCause()).partialResponses();
    assertThat(partial).hasSize(3);
    assertThat(partial.stream().map(a -> a.get(1).asInt()).sorted().collect(Collectors.toList()))
        .containsExactly(0, 1, 2);
    assertThat(partial).allSatisfy(a -> assertThat(a.get(0).asText()).isEqualTo("yes"));

    // a late answer from the silent client changes nothing and breaks nothing
    ClientEvent asked = silent.awaitEvent("poll");
    silent.answer(asked.callId(), "too late");
    silent.events().awaitFirst(e -> e.is("answered"), "late answer sent");
    server.io().emit("still-alive");
    silent.awaitEvent("still-alive");
    assertThat(server.events().matching(e -> e.is("error"))).isEmpty();
  }
}
