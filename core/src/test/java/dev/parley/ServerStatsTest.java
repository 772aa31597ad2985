package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.Packet;
import dev.parley.engine.EngineError;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.TransportKind;
import dev.parley.testing.FakeTransport;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every counter of {@link ServerStats}, moved by real steps of an in-process server. */
class ServerStatsTest {
  private InProcessServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  private ServerStats stats() {
    return server.io.stats();
  }

  @Test
  void connectionsAreCountedOpenedClosedByReasonAndByTransport() {
    server = new InProcessServer();
    InProcessServer.Conn ws = server.open();
    InProcessServer.Conn polling = server.open(FakeTransport.polling());
    assertThat(stats().openConnections()).isEqualTo(2);
    assertThat(stats().openConnectionsByTransport())
        .containsExactlyInAnyOrderEntriesOf(Map.of(TransportKind.POLLING, 1, TransportKind.WEBSOCKET, 1));
    assertThat(stats().connectionsOpened()).isEqualTo(2);

    ws.transport.fireClose();
    polling.transport.fireError("reset (test)");

    assertThat(stats().openConnections()).isZero();
    assertThat(stats().connectionsClosed()).isEqualTo(2);
    assertThat(stats().connectionsClosed(DisconnectReason.TRANSPORT_CLOSE)).isEqualTo(1);
    assertThat(stats().connectionsClosed(DisconnectReason.TRANSPORT_ERROR)).isEqualTo(1);
    assertThat(stats().openConnectionsByTransport())
        .containsExactlyInAnyOrderEntriesOf(Map.of(TransportKind.POLLING, 0, TransportKind.WEBSOCKET, 0));
  }

  @Test
  void socketsAreCountedPerNamespaceAndTheirDisconnectsByReason() {
    server = new InProcessServer();
    server.io.of("/chat");
    InProcessServer.Conn a = server.connect();
    a.send("40/chat,");
    InProcessServer.Conn b = server.connect();
    assertThat(stats().connects()).isEqualTo(3);
    assertThat(stats().connectedSockets()).isEqualTo(3);
    assertThat(stats().connectedSocketsByNamespace()).containsExactlyInAnyOrderEntriesOf(Map.of("/", 2, "/chat", 1));

    a.send("41/chat,");
    server.last().disconnect();
    b.transport.fireClose();

    assertThat(stats().disconnects()).isEqualTo(2);
    assertThat(stats().disconnects(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT)).isEqualTo(1);
    assertThat(stats().disconnects(DisconnectReason.SERVER_NAMESPACE_DISCONNECT)).isEqualTo(1);
    assertThat(stats().disconnects(DisconnectReason.TRANSPORT_CLOSE)).isZero(); // b's socket was disconnected first
    assertThat(stats().connectedSocketsByNamespace()).containsExactlyInAnyOrderEntriesOf(Map.of("/", 1, "/chat", 0));
    assertThat(stats().connectedSockets()).isEqualTo(1);
  }

  @Test
  void refusalsAreCountedByCause() {
    server = new InProcessServer(b -> b.maxDynamicNamespaces(1));
    server.io.of("/secure").use((socket, next) -> next.fail(new ConnectError("no")));
    server.io.of(Pattern.compile("/dyn-\\d+"));
    InProcessServer.Conn c = server.open();
    c.send("40/secure,");
    c.send("40/secure,");
    c.send("40/nowhere,");
    c.send("40/dyn-1,");
    c.send("40/dyn-2,");
    assertThat(stats().connectRefusals(ConnectRefusal.MIDDLEWARE)).isEqualTo(2);
    assertThat(stats().connectRefusals(ConnectRefusal.INVALID_NAMESPACE)).isEqualTo(1);
    assertThat(stats().connectRefusals(ConnectRefusal.TOO_MANY_NAMESPACES)).isEqualTo(1);
    assertThat(stats().connectRefusals()).isEqualTo(4);
    assertThat(stats().connects()).isEqualTo(1);
  }

  @Test
  void eventsBroadcastsAndTheirRecipientsAreCounted() {
    server = new InProcessServer();
    InProcessServer.Conn a = server.connect();
    Socket sa = server.last();
    server.connect();
    Socket sb = server.last();
    server.connect();
    sa.join("r");
    sb.join("r");

    a.send("42[\"x\"]");
    a.send("42[\"y\",1]");
    sa.emit("one");
    sa.unreliable().emit("two");
    server.io.to("r").emit("room");                     // 2 recipients
    sa.broadcast().emit("others");                     // 2 recipients
    server.io.to("nobody").emit("empty");             // none

    assertThat(stats().eventsReceived()).isEqualTo(2);
    assertThat(stats().broadcasts()).isEqualTo(3);
    assertThat(stats().broadcastRecipients()).isEqualTo(4);
    assertThat(stats().eventsSent()).isEqualTo(2 + 4);
  }

  @Test
  void recipientsAnAdapterDeliversOnAnotherThreadAfterItsCallReturnedAreCountedToo() throws Exception {
    // an adapter that hands the local loop to a thread of its own and returns, as an asynchronous
    // backend might (the Redis streams adapter with recovery on delivers what comes back from Redis)
    java.util.List<Thread> later = new java.util.concurrent.CopyOnWriteArrayList<>();
    server = new InProcessServer(b -> b.adapter(ctx -> new InMemoryAdapter(ctx) {
      @Override
      public void broadcast(Packet packet, BroadcastOptions options) {
        Thread t = new Thread(() -> super.broadcast(packet, options));
        later.add(t);
        t.start();
      }
    }));
    server.connect();
    server.connect();
    server.io.emit("x");
    for (Thread t : later) {
      t.join();
    }
    assertThat(stats().broadcasts()).isEqualTo(1);
    assertThat(stats().broadcastRecipients()).isEqualTo(2);
    assertThat(stats().eventsSent()).isEqualTo(2);
  }

  @Test
  void anotherServersBroadcastCountsItsLocalRecipientsButNotAsABroadcastOfThisServer() {
    AdapterContext[] context = new AdapterContext[1];
    Adapter.Factory capture = ctx -> {
      if (context[0] == null) {
        context[0] = ctx;
      }
      return new InMemoryAdapter(ctx);
    };
    server = new InProcessServer(b -> b.adapter(capture));
    server.connect();
    Socket s = server.last();
    Packet remote = Packet.event("/", dev.parley.adapter.Payload.ofPlain(java.util.List.of("remote")));
    context[0].deliver(s.id(), context[0].encode(remote), dev.parley.adapter.BroadcastFlags.NONE);
    assertThat(stats().broadcasts()).isZero();
    assertThat(stats().broadcastRecipients()).isEqualTo(1);
    assertThat(stats().eventsSent()).isEqualTo(1);
  }

  @Test
  void acksAreCountedBothWays() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    s.on("q", (args, ack) -> ack.send("a"));
    s.on("fails", (args, ack) -> {
      throw new IllegalStateException("(test)");
    });

    c.send("421[\"q\"]");
    c.send("422[\"fails\"]");                             // answered with the failure: an ack too
    c.send("42[\"q\"]");                                  // no ack asked: none sent
    s.emitWithAck("ask", (err, res) -> {});
    s.emitWithAck("ask", (err, res) -> {});
    c.send("430[]");
    c.send("430[]");                                      // a repeated answer is not counted
    c.send("4399[]");                                     // nor an unknown one

    assertThat(stats().acksSent()).isEqualTo(2);
    assertThat(stats().acksReceived()).isEqualTo(1);
  }

  @Test
  void recoveryAttemptsAndSuccessesAreCounted() {
    server = new InProcessServer(b -> b.connectionStateRecovery(Duration.ofSeconds(60), true));
    InProcessServer.Conn a = server.open();
    a.send("40");
    String pid = a.last().replaceAll(".*\"pid\":\"([^\"]+)\".*", "$1");
    server.io.emit("e");
    String offset = a.last().replaceAll(".*,\"([^\"]+)\"\\]$", "$1");
    a.transport.fireClose();

    server.open().send("40{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
    server.open().send("40{\"pid\":\"unknown\",\"offset\":\"" + offset + "\"}");   // falls back to a fresh socket

    assertThat(stats().recoveryAttempts()).isEqualTo(2);
    assertThat(stats().recoveries()).isEqualTo(1);
    assertThat(stats().connects()).isEqualTo(3);
  }

  @Test
  void withRecoveryOnAnEmitToOneSocketIsOneEventSentAndNoBroadcast() {
    server = new InProcessServer(b -> b.connectionStateRecovery(Duration.ofSeconds(60), true));
    InProcessServer.Conn c = server.connect();
    server.last().emit("through the adapter");
    assertThat(c.last()).startsWith("42[\"through the adapter\",\"");   // with its offset
    assertThat(stats().eventsSent()).isEqualTo(1);
    assertThat(stats().broadcasts()).isZero();
    assertThat(stats().broadcastRecipients()).isZero();
  }

  @Test
  void theEnginesCountersAreReachableAndCountRefusedRequests() {
    server = new InProcessServer(b -> b.engine(e -> e.admission(request -> dev.parley.engine.AdmissionHook.Decision.refuse())));
    EngineRequest handshake = EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=polling").build();
    EngineRequest stale = EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=polling&sid=gone").build();
    assertThat(server.io.engine().verify(handshake).error()).isEqualTo(EngineError.FORBIDDEN);
    assertThat(server.io.engine().verify(stale).error()).isEqualTo(EngineError.SESSION_ID_UNKNOWN);
    assertThat(stats().engine().requestsRefused(EngineError.FORBIDDEN)).isEqualTo(1);
    assertThat(stats().engine().requestsRefused()).isEqualTo(2);
    assertThat(stats().engine()).isSameAs(server.io.engine().stats());
  }

  @Test
  void droppedVolatilePacketsAreTheEnginesCount() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    c.transport.setWritable(false);
    server.last().unreliable().emit("dropped");
    server.io.unreliable().emit("dropped too");
    assertThat(stats().engine().droppedPackets()).isEqualTo(2);
    assertThat(stats().eventsSent()).as("handed to the socket, then dropped by the engine").isEqualTo(2);
  }

  @Test
  void toStringSummarisesTheCounts() {
    server = new InProcessServer();
    server.connect();
    assertThat(stats().toString()).contains("sockets=1", "connects=1");
  }
}
