package dev.parley.it.sio;

import static dev.parley.it.sio.SioJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ConnectError;
import dev.parley.ParentNamespace;
import dev.parley.Socket;
import dev.parley.it.sio.SioServer.ServerEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connecting with both official clients over each transport mode: the main and custom namespaces,
 * auth, socket ids, several namespaces over one connection, dynamic namespaces, connect middleware.
 */
class SioConnectTest extends SioTestBase {

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void connectsToTheMainNamespaceWithASocketIdDistinctFromTheEngineId(ClientKind kind, TransportMode mode) {
    ClientSocket client = clients.open(kind, mode, "/");
    ClientEvent connect = clients.ready(client);

    Socket socket = server.socket(connect.field("id"));
    assertThat(socket.namespace().name()).isEqualTo("/");
    assertThat(socket.connected()).isTrue();
    assertThat(connect.field("engineId")).isEqualTo(socket.connectionId());
    assertThat(socket.id()).isNotEqualTo(socket.connectionId());
    if (mode != TransportMode.UPGRADE) {
      assertThat(connect.field("transport")).isEqualTo(mode.openTransport());
    }
    assertThat(socket.transport()).isEqualTo(mode.finalTransport());
    assertThat(socket.handshake().auth()).isEqualTo(json("{}"));
    assertThat(socket.rooms()).containsExactly(socket.id());
    assertThat(server.io().engine().sessionCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void connectsToACustomNamespaceWithAnAuthPayload(ClientKind kind, TransportMode mode) {
    server.of("/custom");
    ClientSocket client = clients.connect(kind, mode, "/custom", Map.of("token", "abc", "user", "ann"));

    Socket socket = server.socket(client.id());
    assertThat(socket.namespace().name()).isEqualTo("/custom");
    assertThat(socket.handshake().auth()).isEqualTo(json("{token: 'abc', user: 'ann'}"));
    assertThat(server.io().sockets().sockets()).as("v5 has no implicit connection to /").isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anUnknownNamespaceIsRefusedWithInvalidNamespace(ClientKind kind, TransportMode mode) {
    ClientSocket client = clients.open(kind, mode, "/nowhere");

    ClientEvent error = client.awaitConnectError();
    assertThat(error.field("message")).isEqualTo("Invalid namespace");
    assertThat(error.json().path("hasData").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void severalNamespacesShareOneConnection(ClientKind kind, TransportMode mode) {
    server.of("/a");
    server.of("/b");
    ClientSocket main = clients.connect(kind, mode, "/", Map.of("ns", "main"));
    ClientSocket a = main.socket("/a", Map.of("ns", "a"));
    ClientSocket b = main.socket("/b", null);
    a.awaitConnect();
    b.awaitConnect();

    Socket sMain = server.socket(main.id());
    Socket sA = server.socket(a.id());
    Socket sB = server.socket(b.id());
    assertThat(sA.connectionId()).isEqualTo(sMain.connectionId());
    assertThat(sB.connectionId()).isEqualTo(sMain.connectionId());
    assertThat(Set.of(sMain.id(), sA.id(), sB.id())).hasSize(3);
    assertThat(server.io().engine().sessionCount()).isEqualTo(1);
    assertThat(sMain.handshake().auth()).isEqualTo(json("{ns: 'main'}"));
    assertThat(sA.handshake().auth()).isEqualTo(json("{ns: 'a'}"));
    assertThat(sB.handshake().auth()).isEqualTo(json("{}"));

    // each namespace's events reach only its own socket, both ways
    sA.on("from", (args, ack) -> server.note("got", sA, args.get(0).asText()));
    sB.on("from", (args, ack) -> server.note("got", sB, args.get(0).asText()));
    sMain.on("from", (args, ack) -> server.note("got", sMain, args.get(0).asText()));
    sB.emit("where", "b");
    sA.emit("where", "a");
    sMain.emit("where", "main");
    assertThat(main.awaitEvent("where").arg(0).asText()).isEqualTo("main");
    assertThat(a.awaitEvent("where").arg(0).asText()).isEqualTo("a");
    assertThat(b.awaitEvent("where").arg(0).asText()).isEqualTo("b");
    a.emit("from", "a");
    b.emit("from", "b");
    main.emit("from", "main");
    List<ServerEvent> got = server.events().awaitCount(e -> e.is("got"), 3, "got");
    assertThat(got).allSatisfy(e -> assertThat(e.detail()).isEqualTo(
        e.nsp().equals("/") ? "main" : e.nsp().substring(1)));
    assertThat(main.received("where")).hasSize(1);
    assertThat(a.received("where")).hasSize(1);
    assertThat(b.received("where")).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void dynamicNamespacesAreCreatedOnDemandAndRunTheParentsMiddlewareFirst(ClientKind kind, TransportMode mode) {
    List<String> order = new CopyOnWriteArrayList<>();
    ParentNamespace parent = server.of(Pattern.compile("^/dyn-\\d+$"));
    parent.use((socket, next) -> {
      String name = socket.namespace().name();
      order.add("parent " + name);
      if (name.equals("/dyn-13")) {
        next.fail(new ConnectError("unlucky", Map.of("n", 13)));
      } else {
        next.proceed();
      }
    });
    parent.onConnection(s -> s.emit("welcome", s.namespace().name()));

    ClientSocket one = clients.connect(kind, mode, "/dyn-1");
    ClientSocket twentyTwo = one.socket("/dyn-22", null);
    twentyTwo.awaitConnect();
    ClientSocket thirteen = one.socket("/dyn-13", null);
    ClientEvent refused = thirteen.awaitConnectError();
    ClientSocket other = one.socket("/dyn-x", null);
    ClientEvent invalid = other.awaitConnectError();

    assertThat(one.awaitEvent("welcome").arg(0).asText()).isEqualTo("/dyn-1");
    assertThat(twentyTwo.awaitEvent("welcome").arg(0).asText()).isEqualTo("/dyn-22");
    assertThat(refused.field("message")).isEqualTo("unlucky");
    assertThat(refused.node("data")).isEqualTo(json("{n: 13}"));
    assertThat(invalid.field("message")).isEqualTo("Invalid namespace");
    assertThat(server.socket(one.id()).namespace().name()).isEqualTo("/dyn-1");
    assertThat(parent.children().stream().map(n -> n.name()).collect(Collectors.toList()))
        .contains("/dyn-1", "/dyn-22").doesNotContain("/dyn-x");

    parent.emit("to-all", "children");
    assertThat(one.awaitEvent("to-all").arg(0).asText()).isEqualTo("children");
    assertThat(twentyTwo.awaitEvent("to-all").arg(0).asText()).isEqualTo("children");

    // a child's own middleware, added once it exists, runs after the parent's
    server.io().of("/dyn-1").use((socket, next) -> {
      order.add("child " + socket.namespace().name());
      next.proceed();
    });
    order.clear();
    clients.connect(kind, mode, "/dyn-1");
    assertThat(order).containsExactly("parent /dyn-1", "child /dyn-1");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void connectMiddlewareRefusalReachesTheClientWithMessageAndData(ClientKind kind, TransportMode mode) {
    server.io().use((socket, next) -> {
      if ("secret".equals(socket.handshake().auth().path("token").asText(null))) {
        next.proceed();
      } else {
        next.fail(new ConnectError("unauthorized", Map.of("code", 401)));
      }
    });

    ClientSocket refused = clients.open(kind, mode, "/", Map.of("token", "wrong"));
    ClientEvent error = refused.awaitConnectError();
    assertThat(error.field("message")).isEqualTo("unauthorized");
    assertThat(error.node("data")).isEqualTo(json("{code: 401}"));
    if (kind == ClientKind.JAVA) {
      // the Java client hands its listener the CONNECT_ERROR payload itself
      assertThat(error.field("rawClass")).isEqualTo("org.json.JSONObject");
      assertThat(error.node("raw")).isEqualTo(json("{message: 'unauthorized', data: {code: 401}}"));
    }

    ClientSocket accepted = clients.connect(kind, mode, "/", Map.of("token", "secret"));
    // the CONNECT reply leaves before the connection handlers run (as in socket.io): wait for them
    server.events().awaitFirst(e -> e.is("connection"), "the server's connection handler");
    assertThat(server.events().matching(e -> e.is("connection")))
        .extracting(ServerEvent::socketId).containsExactly(accepted.id());
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aThrowingMiddlewareRefusesWithTheExceptionsMessageAndReportsIt(ClientKind kind, TransportMode mode) {
    server.of("/fragile").use((socket, next) -> {
      throw new IllegalStateException("database down");
    });

    ClientSocket client = clients.open(kind, mode, "/fragile");
    ClientEvent error = client.awaitConnectError();
    assertThat(error.field("message")).isEqualTo("database down");
    assertThat(error.json().path("hasData").asBoolean()).isFalse();
    ServerEvent reported = server.awaitErrors(1).get(0);
    assertThat(reported.detail()).isEqualTo("middleware");
    assertThat(reported.error()).isInstanceOf(IllegalStateException.class).hasMessage("database down");
  }
}
