package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static dev.parley.it.sio.SioJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.examples.scenario.ScenarioServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixed contract of the scenario server (issue "Socket.IO v5" item 10, grown by issue 15: boom,
 * stats and the dynamic /dyn-N namespaces), checked item by item with
 * the official clients over each transport mode against {@code ScenarioServer.create()} on a free port.
 */
class ScenarioServerContractTest {
  private SocketIoServer io;
  private ParleyJetty.Running running;
  private SioNodeClient node;
  private JavaClient java;
  private final AtomicInteger names = new AtomicInteger();

  @BeforeEach
  void start() {
    io = ScenarioServer.create();
    running = ParleyJetty.listen(io, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    try {
      if (java != null) {
        java.close();
      }
      if (node != null) {
        node.close();
      }
    } finally {
      running.close();
    }
  }

  @AfterAll
  static void stopJavaClientThreads() {
    JavaClient.shutdownOkHttp();
  }

  private String url() {
    return "http://127.0.0.1:" + running.port();
  }

  private ClientSocket open(ClientKind kind, TransportMode mode, String nsp, Map<String, String> auth) {
    String name = kind.name().toLowerCase() + "-" + names.incrementAndGet();
    if (kind == ClientKind.NODE) {
      if (node == null) {
        node = SioNodeClient.start();
      }
      return node.connect(name, url(), nsp, mode, auth == null ? Map.of() : Map.of("auth", auth));
    }
    if (java == null) {
      java = new JavaClient();
    }
    return java.connect(name, url(), nsp, mode, auth);
  }

  /** Connected (and upgraded in UPGRADE mode, on both ends). */
  private ClientSocket connect(ClientKind kind, TransportMode mode) {
    ClientSocket c = open(kind, mode, "/", null);
    c.awaitConnect();
    if (mode == TransportMode.UPGRADE) {
      c.awaitUpgrade();
      EventLog.until("the server sees the upgrade of " + c, () -> {
        Socket s = io.sockets().sockets().get(c.id());
        return s != null && s.transport().equals("websocket");
      });
    }
    return c;
  }

  private static List<JsonNode> call(ClientSocket c, String event, Object... args) {
    return c.emitWithAck(event, args).await();
  }

  private static List<JsonNode> ticks(ClientSocket c) {
    List<JsonNode> out = new ArrayList<>();
    c.received("tick").forEach(e -> out.add(e.arg(0)));
    return out;
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void joinLeaveBroadcastAndBroadcastOthers(ClientKind kind, TransportMode mode) {
    ClientSocket a = connect(kind, mode);
    ClientSocket b = connect(kind, mode);
    ClientSocket outsider = connect(kind, mode);

    assertThat(call(a, "join", "r1")).containsExactly(json("true"));
    assertThat(call(b, "join", "r1")).containsExactly(json("true"));
    assertThat(call(outsider, "join", "r2")).containsExactly(json("true"));

    // broadcast: the whole room, the sender included
    assertThat(call(a, "broadcast", "r1", Map.of("n", 1, "s", "one"))).containsExactly(json("true"));
    // broadcast-others: the room without the sender
    assertThat(call(a, "broadcast-others", "r1", Map.of("n", 2))).containsExactly(json("true"));
    // from outside the room, to it
    assertThat(call(outsider, "broadcast", "r1", List.of(3, "three"))).containsExactly(json("true"));
    assertThat(call(b, "leave", "r1")).containsExactly(json("true"));
    assertThat(call(a, "broadcast", "r1", 4)).containsExactly(json("true"));
    assertThat(call(outsider, "broadcast-others", "r2", 5)).containsExactly(json("true")); // nobody else there
    assertThat(call(a, "broadcast", "r2", "to r2")).containsExactly(json("true"));

    // markers: each client's own broadcast to its own id room arrives after everything above
    for (ClientSocket c : List.of(a, b, outsider)) {
      assertThat(call(c, "broadcast", c.id(), "end")).containsExactly(json("true"));
    }
    for (ClientSocket c : List.of(a, b, outsider)) {
      EventLog.until(c + " got its end tick", () -> ticks(c).contains(json("'end'")), () -> c.events().describe());
    }
    assertThat(ticks(a)).containsExactly(json("{n: 1, s: 'one'}"), json("[3, 'three']"), json("4"), json("'end'"));
    assertThat(ticks(b)).containsExactly(json("{n: 1, s: 'one'}"), json("{n: 2}"), json("[3, 'three']"),
        json("'end'"));
    assertThat(ticks(outsider)).containsExactly(json("'to r2'"), json("'end'"));
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void echoAcksTheSameArgumentsWithBinaryKept(ClientKind kind, TransportMode mode) {
    ClientSocket c = connect(kind, mode);
    byte[] bytes = {0, 1, 2, (byte) 0xff};
    Map<String, Object> nested = Map.of("k", "v", "bin", new byte[] {9, 8}, "list", List.of(1, true));

    List<JsonNode> echoed = call(c, "echo", "text", 42, nested, bytes, List.of("x", new byte[] {7}));

    assertThat(echoed).containsExactly(json("'text'"), json("42"), SioJson.tree(nested), SioJson.tree(bytes),
        SioJson.tree(List.of("x", new byte[] {7})));
    assertThat(SioJson.bytes(echoed.get(3))).containsExactly(bytes);
    assertThat(call(c, "echo")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void askRelaysTheClientsAnswerOrTimesOutAfterTwoSeconds(ClientKind kind, TransportMode mode) {
    ClientSocket c = connect(kind, mode); // answers nothing by itself

    PendingAck answered = c.emitWithAck("ask", Map.of("q", "meaning?"));
    ClientEvent question = c.awaitEvent("question");
    assertThat(question.args()).containsExactly(json("{q: 'meaning?'}"));
    assertThat(question.hasAck()).isTrue();
    c.answer(question.callId(), 42, "forty-two");
    assertThat(answered.await()).containsExactly(json("42"), json("'forty-two'"));

    PendingAck unanswered = c.emitWithAck("ask", "anyone?");
    assertThat(c.awaitEvents("question", 2).get(1).args()).containsExactly(json("'anyone?'"));
    assertThat(unanswered.await()).containsExactly(json("{error: 'timeout'}")); // after 2 s
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void roomsRoomSizeAndKick(ClientKind kind, TransportMode mode) {
    ClientSocket a = connect(kind, mode);
    ClientSocket b = connect(kind, mode);
    call(a, "join", "zeta");
    call(a, "join", "alpha");
    call(a, "join", "Mid");
    call(b, "join", "alpha");

    List<String> expected = new ArrayList<>(List.of("zeta", "alpha", "Mid", a.id()));
    expected.sort(null);
    List<JsonNode> rooms = call(a, "rooms");
    assertThat(rooms).hasSize(1);
    List<String> got = new ArrayList<>();
    rooms.get(0).forEach(r -> got.add(r.asText()));
    assertThat(got).containsExactlyElementsOf(expected);

    assertThat(call(b, "room-size", "alpha")).containsExactly(json("2"));
    assertThat(call(b, "room-size", "zeta")).containsExactly(json("1"));
    assertThat(call(b, "room-size", "nowhere")).containsExactly(json("0"));
    assertThat(call(b, "room-size", a.id())).containsExactly(json("1"));

    a.emit("kick");
    assertThat(a.awaitDisconnect()).isEqualTo("io server disconnect");
    EventLog.until("the server forgot the kicked socket", () -> !io.sockets().sockets().containsKey(a.id()));
    assertThat(call(b, "room-size", "alpha")).containsExactly(json("1"));
    assertThat(call(b, "room-size", "zeta")).containsExactly(json("0"));
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void secureRefusesWithoutTheTokenAndWelcomesWithTheAuth(ClientKind kind, TransportMode mode) {
    ClientSocket none = open(kind, mode, "/secure", null);
    ClientEvent refused = none.awaitConnectError();
    assertThat(refused.field("message")).isEqualTo("unauthorized");
    assertThat(refused.node("data")).isEqualTo(json("{code: 401}"));

    ClientSocket wrong = open(kind, mode, "/secure", Map.of("token", "guess"));
    ClientEvent refusedToo = wrong.awaitConnectError();
    assertThat(refusedToo.field("message")).isEqualTo("unauthorized");
    assertThat(refusedToo.node("data")).isEqualTo(json("{code: 401}"));

    ClientSocket ok = open(kind, mode, "/secure", Map.of("token", "secret", "user", "ann"));
    ok.awaitConnect();
    assertThat(ok.awaitEvent("welcome").args()).containsExactly(json("{token: 'secret', user: 'ann'}"));
    assertThat(none.events().matching(e -> e.is("event"))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void boomThrowsAndItsAckGetsTheFailureWhileTheConnectionStays(ClientKind kind, TransportMode mode) {
    ClientSocket c = connect(kind, mode);

    assertThat(call(c, "boom")).containsExactly(json("{error: 'internal server error'}"));
    c.emit("boom");                                     // without an ack: nothing comes back
    assertThat(call(c, "echo", "still here")).containsExactly(json("'still here'"));
    assertThat(c.events().matching(e -> e.is("disconnect"))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void statsCountNamespacesAndSocketsAndDynamicNamespacesGoWithTheirLastSocket(ClientKind kind, TransportMode mode) {
    ClientSocket c = connect(kind, mode);
    // "/" and "/secure"; this socket
    assertThat(call(c, "stats")).containsExactly(json("{namespaces: 2, sockets: 1}"));

    ClientSocket seven = open(kind, mode, "/dyn-7", null);
    seven.awaitConnect();
    ClientSocket eight = open(kind, mode, "/dyn-8", null);
    eight.awaitConnect();
    assertThat(call(seven, "echo", 7)).containsExactly(json("7"));
    assertThat(call(c, "stats")).containsExactly(json("{namespaces: 4, sockets: 3}"));

    seven.disconnect();
    eight.disconnect();
    EventLog.until("both dynamic namespaces are gone", () -> io.namespaces().size() == 2);
    assertThat(call(c, "stats")).containsExactly(json("{namespaces: 2, sockets: 1}"));

    ClientSocket again = open(kind, mode, "/dyn-7", null);  // asked for again: created again
    again.awaitConnect();
    assertThat(call(again, "echo", "back")).containsExactly(json("'back'"));
    assertThat(call(c, "stats")).containsExactly(json("{namespaces: 3, sockets: 2}"));
  }
}
