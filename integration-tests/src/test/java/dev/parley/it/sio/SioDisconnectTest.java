package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Socket;
import dev.parley.engine.EngineSession;
import dev.parley.it.sio.SioServer.ServerEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Disconnecting with both official clients over each transport mode: from the client, from the
 * server (one namespace or the whole connection), the server shutting down, the connection closing,
 * and what {@code onDisconnecting} sees.
 */
class SioDisconnectTest extends SioTestBase {

  private void assertConnected(ClientSocket client, Socket socket, String marker) {
    int before = client.received("alive").size();
    socket.emit("alive", marker);
    assertThat(client.awaitEvents("alive", before + 1)).last()
        .satisfies(e -> assertThat(e.arg(0).asText()).isEqualTo(marker));
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aClientDisconnectEndsOnlyThatNamespaceAndTheLastOneEndsTheConnection(ClientKind kind, TransportMode mode) {
    server.of("/a");
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket a = main.socket("/a", null);
    a.awaitConnect();
    Socket sMain = server.socket(main.id());
    Socket sA = server.socket(a.id());

    a.disconnect();

    assertThat(a.awaitDisconnect()).isEqualTo("io client disconnect");
    assertThat(server.awaitDisconnect(sA.id())).isEqualTo("client namespace disconnect");
    assertThat(sA.connected()).isFalse();
    assertThat(server.io().of("/a").sockets()).isEmpty();
    sA.emit("ignored", "emitting on a disconnected socket does nothing");
    assertConnected(main, sMain, "main still up");
    assertThat(a.received("ignored")).isEmpty();
    assertThat(server.io().engine().sessionCount()).isEqualTo(1);

    // both clients close the connection once their last namespace is gone, after sending DISCONNECT
    main.disconnect();
    assertThat(server.awaitDisconnect(sMain.id())).isEqualTo("client namespace disconnect");
    EventLog.until("the connection is closed", () -> server.io().engine().sessionCount() == 0);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aServerDisconnectEndsOnlyThatNamespaceAndTheClientMayConnectAgain(ClientKind kind, TransportMode mode) {
    server.of("/a");
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket a = main.socket("/a", null);
    a.awaitConnect();
    Socket sMain = server.socket(main.id());
    Socket sA = server.socket(a.id());

    sA.disconnect();

    assertThat(a.awaitDisconnect()).isEqualTo("io server disconnect");
    assertThat(server.awaitDisconnect(sA.id())).isEqualTo("server namespace disconnect");
    assertConnected(main, sMain, "main still up");
    main.emit("client-to-main");
    assertThat(main.events().matching(e -> e.is("disconnect"))).isEmpty();

    a.open();
    String again = a.awaitConnect(2).field("id");
    assertThat(again).isNotEqualTo(sA.id());
    Socket sAgain = server.socket(again);
    assertThat(sAgain.connectionId()).isEqualTo(sMain.connectionId());
    assertConnected(a, sAgain, "a is back");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void disconnectTrueDisconnectsEveryNamespaceAndClosesTheConnection(ClientKind kind, TransportMode mode) {
    server.of("/a");
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket a = main.socket("/a", null);
    a.awaitConnect();
    ClientSocket bystander = clients.connect(kind, mode, "/");
    Socket sMain = server.socket(main.id());
    Socket sA = server.socket(a.id());
    EngineSession session = server.io().engine().session(sMain.connectionId());

    sMain.disconnect(true);

    assertThat(server.awaitDisconnect(sMain.id())).isEqualTo("server namespace disconnect");
    assertThat(server.awaitDisconnect(sA.id())).isEqualTo("server namespace disconnect");
    // over polling this needs the close packet in a later payload than the DISCONNECTs (SioPollingCloseTest)
    assertThat(main.awaitDisconnect()).isEqualTo("io server disconnect");
    assertThat(a.awaitDisconnect()).isEqualTo("io server disconnect");
    // the server closes the connection itself (not only the client after its last namespace): the
    // session stops being open at once. (Not sessionCount(): a polling session whose client closed
    // while the server's close packet waited for a GET lingers until closeTimeout; see the report.)
    EventLog.until("the server closes the connection", () -> !session.isOpen());
    assertConnected(bystander, server.socket(bystander.id()), "bystander still up");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void closingTheServerDisconnectsEverySocketWithServerShuttingDown(ClientKind kind, TransportMode mode) {
    server.of("/a");
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket a = main.socket("/a", null);
    a.awaitConnect();
    String mainId = main.id();
    String aId = a.id();

    server.close();

    assertThat(server.awaitDisconnect(mainId)).isEqualTo("server shutting down");
    assertThat(server.awaitDisconnect(aId)).isEqualTo("server shutting down");
    String reason = main.awaitDisconnect();
    a.awaitDisconnect();
    if (kind == ClientKind.NODE) {
      assertThat(reason).isEqualTo("transport close");
    } else {
      // over WebSocket the Java client ignores the server's close frame and notices at ping timeout
      assertThat(reason).isIn("transport close", "ping timeout");
    }
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void closingTheClientsConnectionDisconnectsEveryNamespaceWithTransportClose(ClientKind kind, TransportMode mode) {
    server.of("/a");
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket a = main.socket("/a", null);
    a.awaitConnect();

    main.closeConnection();

    assertThat(server.awaitDisconnect(main.id())).isEqualTo("transport close");
    assertThat(server.awaitDisconnect(a.id())).isEqualTo("transport close");
    main.awaitDisconnect();
    a.awaitDisconnect();
    EventLog.until("the connection is gone", () -> server.io().engine().sessionCount() == 0);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void onDisconnectingSeesTheRoomsStillJoinedAndOnDisconnectSeesThemLeft(ClientKind kind, TransportMode mode) {
    List<String> order = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> {
      s.join("room-a", "room-b");
      s.onDisconnecting(reason -> order.add(s.id() + " disconnecting " + s.rooms().size() + " connected=" + s.connected()));
      s.onDisconnect(reason -> order.add(s.id() + " disconnect " + s.rooms().size() + " connected=" + s.connected()));
    });
    ClientSocket leaving = clients.connect(kind, mode, "/");
    ClientSocket kicked = clients.connect(kind, mode, "/");
    String leavingId = leaving.id();
    String kickedId = kicked.id();

    leaving.disconnect();
    ServerEvent disconnecting = server.events().awaitFirst(
        e -> e.is("disconnecting") && e.socketId().equals(leavingId), "disconnecting");
    assertThat(disconnecting.detail()).isEqualTo("client namespace disconnect");
    assertThat(disconnecting.rooms()).containsExactlyInAnyOrder(leavingId, "room-a", "room-b");
    ServerEvent disconnected = server.events().awaitFirst(
        e -> e.is("disconnect") && e.socketId().equals(leavingId), "disconnect");
    assertThat(disconnected.rooms()).isEmpty();

    server.socket(kickedId).disconnect();
    ServerEvent kickedDisconnecting = server.events().awaitFirst(
        e -> e.is("disconnecting") && e.socketId().equals(kickedId), "disconnecting");
    assertThat(kickedDisconnecting.detail()).isEqualTo("server namespace disconnect");
    assertThat(kickedDisconnecting.rooms()).containsExactlyInAnyOrder(kickedId, "room-a", "room-b");
    server.awaitDisconnect(kickedId);
    // the fixture's listener runs before this test's: wait for ours too
    EventLog.until("both sockets' disconnect listeners ran", () -> order.size() == 4);
    // each socket: "disconnecting" with its rooms, then "disconnect" without (the two sockets live on
    // different connections, so their listeners may interleave)
    for (String id : List.of(leavingId, kickedId)) {
      assertThat(order.stream().filter(x -> x.startsWith(id + " ")).collect(java.util.stream.Collectors.toList()))
          .containsExactly(id + " disconnecting 3 connected=true", id + " disconnect 0 connected=false");
    }
    assertThat(server.io().in("room-a").fetchSockets().join()).isEmpty();
  }
}
