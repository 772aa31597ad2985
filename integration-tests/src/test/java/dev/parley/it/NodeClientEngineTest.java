package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineSession;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EnginePacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The official engine.io-client 6.6.8 against Parley on a real Jetty, over each transport set:
 * polling only, WebSocket only, and polling upgraded to WebSocket.
 */
class NodeClientEngineTest {
  /** The transport sets every test runs over. */
  enum Mode {
    POLLING(List.of("polling"), "polling", false),
    WEBSOCKET(List.of("websocket"), "websocket", false),
    UPGRADE(List.of("polling", "websocket"), "polling", true);

    final List<String> transports;
    final String openTransport;
    final boolean upgrades;

    Mode(List<String> transports, String openTransport, boolean upgrades) {
      this.transports = transports;
      this.openTransport = openTransport;
      this.upgrades = upgrades;
    }

    Map<String, Object> clientOptions() {
      return Map.of("transports", transports, "upgrade", upgrades);
    }
  }

  private TestServer server;
  private final List<NodeClient> clients = new ArrayList<>();

  @BeforeEach
  void startServer() {
    server = TestServer.start(TestServer.fastHeartbeat().build());
  }

  @AfterEach
  void stop() {
    clients.forEach(NodeClient::close);
    server.close();
  }

  private NodeClient connect(Mode mode) {
    NodeClient client = NodeClient.connect(server.origin(), mode.clientOptions());
    clients.add(client);
    return client;
  }

  /** Waits until the client is open (and, in UPGRADE mode, upgraded on both ends); returns the sid. */
  private String ready(NodeClient client, Mode mode) {
    NodeClient.Event open = client.awaitEvent("open");
    assertThat(open.field("transport")).isEqualTo(mode.openTransport);
    String sid = open.field("sid");
    server.awaitConnection(sid);
    if (mode.upgrades) {
      assertThat(client.awaitEvent("upgrade").field("transport")).isEqualTo("websocket");
      EngineSession session = server.session(sid);
      Await.until("the server completes the upgrade", session::upgraded, TestServer.TIMEOUT);
    }
    return sid;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void opensOnTheExpectedTransport(Mode mode) {
    NodeClient client = connect(mode);
    String sid = ready(client, mode);

    EngineSession session = server.session(sid);
    assertThat(session.isOpen()).isTrue();
    assertThat(server.engine().sessionCount()).isEqualTo(1);
    TransportKind expected = mode == Mode.POLLING ? TransportKind.POLLING : TransportKind.WEBSOCKET;
    assertThat(session.transportKind()).isEqualTo(expected);
    assertThat(session.upgraded()).isEqualTo(mode.upgrades);
    // a round trip, after which an upgrade would have been attempted already
    client.send("ping-pong");
    assertThat(client.awaitMessages(1).get(0).text()).isEqualTo("ping-pong");
    if (!mode.upgrades) {
      assertThat(client.events().snapshot()).noneMatch(e -> e.type().startsWith("upgrad"));
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void echoesTextAndBinaryBothWays(Mode mode) {
    NodeClient client = connect(mode);
    String sid = ready(client, mode);

    byte[] allBytes = new byte[256];
    for (int i = 0; i < 256; i++) {
      allBytes[i] = (byte) i;
    }
    byte[] big = new byte[200_000];
    new Random(42).nextBytes(big);
    String unicode = "h\u00e9llo w\u00f6rld \u2713 \ud83d\ude00 \u4e2d\u6587";
    String bigText = "x".repeat(100_000) + "\u00e9";

    client.send("hello");
    client.sendBinary(allBytes);
    client.send(unicode);
    client.send("");
    client.sendBinary(big);
    client.send(bigText);

    // the server received exactly what was sent, in order
    List<TestServer.Event> received = server.events()
        .awaitCount(e -> e.is("message", sid), 6, TestServer.TIMEOUT, "message from " + sid);
    assertThat(received.get(0).packet()).isEqualTo(EnginePacket.message("hello"));
    assertThat(received.get(1).packet().isBinary()).isTrue();
    assertThat(received.get(1).packet().binary()).isEqualTo(allBytes);
    assertThat(received.get(2).packet().text()).isEqualTo(unicode);
    assertThat(received.get(3).packet()).isEqualTo(EnginePacket.message(""));
    assertThat(received.get(4).packet().binary()).isEqualTo(big);
    assertThat(received.get(5).packet().text()).isEqualTo(bigText);

    // and the client got the echoes back unchanged, binary as binary
    List<NodeClient.Event> echoes = client.awaitMessages(6);
    assertThat(echoes.get(0).text()).isEqualTo("hello");
    assertThat(echoes.get(1).text()).isNull();
    assertThat(echoes.get(1).binary()).isEqualTo(allBytes);
    assertThat(echoes.get(2).text()).isEqualTo(unicode);
    assertThat(echoes.get(3).text()).isEqualTo("");
    assertThat(echoes.get(4).binary()).isEqualTo(big);
    assertThat(echoes.get(5).text()).isEqualTo(bigText);

    // messages the server sends on its own
    EngineSession session = server.session(sid);
    session.send("from server \u00e9");
    session.send(new byte[] {0, -1, 1, -128, 127});
    List<NodeClient.Event> pushed = client.awaitMessages(8).subList(6, 8);
    assertThat(pushed.get(0).text()).isEqualTo("from server \u00e9");
    assertThat(pushed.get(1).binary()).containsExactly(0, -1, 1, -128, 127);
    assertThat(client.events().snapshot()).noneMatch(e -> e.type().equals("close") || e.type().equals("error"));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void keepsManyMessagesInOrderBothWays(Mode mode) throws Exception {
    int n = 200;
    int half = n / 2;
    // the first pushes are queued during the handshake, so the client reads them over polling before any
    // upgrade can complete (even on a loaded machine); the rest are pushed while it upgrades
    int early = 4;
    server.onConnection(s -> {
      for (int i = 0; i < early; i++) {
        s.send("s-" + i);
      }
    });
    NodeClient client = connect(mode);
    String sid = server.awaitConnection().sid();
    EngineSession session = server.session(sid);
    Thread pusher = new Thread(() -> {
      for (int i = early; i < n; i++) {
        if (i == half && mode.upgrades) {
          // at most half before the upgrade is complete: the stream is guaranteed to straddle it
          long deadline = System.nanoTime() + 5_000_000_000L;
          while (!session.upgraded() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
          }
        }
        session.send("s-" + i);
        LockSupport.parkNanos(1_000_000);
      }
      session.send("s-end");
    }, "test-pusher");
    pusher.start();

    NodeClient.Event open = client.awaitEvent("open");
    assertThat(open.field("sid")).isEqualTo(sid);
    client.burst("c-", n, 1, mode.upgrades ? half : -1);
    client.awaitEvent("burstDone");
    client.send("c-end");
    pusher.join(10_000);

    client.events().awaitFirst(e -> "s-end".equals(e.text()), NodeClient.TIMEOUT, "s-end");
    client.events().awaitFirst(e -> "c-end".equals(e.text()), NodeClient.TIMEOUT, "c-end echo");
    List<NodeClient.Event> events = client.events().snapshot();
    List<String> texts = events.stream().filter(NodeClient.Event::isMessage).map(NodeClient.Event::text)
        .collect(Collectors.toList());

    List<String> expectedFromServer = numbered("s-", n);
    List<String> expectedEchoes = numbered("c-", n);
    // exact order, nothing lost, nothing duplicated, in each direction
    assertThat(texts.stream().filter(t -> t.startsWith("s-")).collect(Collectors.toList()))
        .containsExactlyElementsOf(expectedFromServer);
    assertThat(texts.stream().filter(t -> t.startsWith("c-")).collect(Collectors.toList()))
        .containsExactlyElementsOf(expectedEchoes);
    assertThat(texts).hasSize(2 * (n + 1));
    List<String> serverReceived = server.events().snapshot().stream()
        .filter(e -> e.is("message", sid)).map(e -> e.packet().text()).collect(Collectors.toList());
    assertThat(serverReceived).containsExactlyElementsOf(expectedEchoes);

    if (mode.upgrades) {
      int upgradeAt = indexOf(events, "upgrade");
      int firstPush = indexOfText(events, "s-0");
      int lastPush = indexOfText(events, "s-" + (n - 1));
      assertThat(upgradeAt).as("upgrade happened while the server was pushing").isBetween(firstPush, lastPush);
      assertThat(session.upgraded()).isTrue();
    }
    assertThat(session.isOpen()).isTrue();
    assertThat(events).noneMatch(e -> e.type().equals("close") || e.type().equals("upgradeError"));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void keepsPingingWhileDataFlows(Mode mode) {
    // engine.io-client 6 restarts its heartbeat timer only when a ping arrives, so the server must
    // keep pinging on schedule while messages flow, or the client drops with "ping timeout"
    NodeClient client = connect(mode);
    String sid = ready(client, mode);
    int n = 200;
    client.burst("d-", n, 6, -1); // at least 1.2 s: three ping intervals
    client.awaitEvent("burstDone");
    client.awaitMessages(n);

    long pings = client.events().snapshot().stream().filter(e -> e.type().equals("ping")).count();
    assertThat(pings).isGreaterThanOrEqualTo(2);
    assertThat(client.events().snapshot()).noneMatch(e -> e.type().equals("close"));
    assertThat(server.session(sid).isOpen()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void closesWithPingTimeoutWhenTheClientStopsAnsweringPings(Mode mode) {
    // a longer pingTimeout than the class's: the client's own timer (pingInterval + pingTimeout) must not
    // fire while the two pings below go by on a loaded machine (700 ms was seen to be too short in CI)
    server.close();
    server = TestServer.start(TestServer.fastHeartbeat().pingTimeout(Duration.ofMillis(1_500)).build());
    NodeClient client = connect(mode);
    String sid = ready(client, mode);
    // the heartbeat works while the client answers: two pings go by and the session stays open
    client.events().awaitCount(e -> e.type().equals("ping"), 2, NodeClient.TIMEOUT, "ping");
    assertThat(server.session(sid).isOpen()).isTrue();

    long start = System.nanoTime();
    client.dropPings();
    assertThat(server.awaitClose(sid)).isEqualTo("ping timeout");
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    // pingTimeout (1,500) after the first unanswered ping, which is at most pingInterval (400) away;
    // generous bounds for CI, but never before the client had its pingTimeout to answer
    assertThat(elapsedMillis).isBetween(1_000L, 5_000L);
    client.awaitEvent("pingDropped");
    // the client's own heartbeat timer is off, so it learns of the close from the server
    assertThat(client.awaitEvent("close").field("reason")).isEqualTo("transport close");
    assertThat(server.engine().session(sid)).isNull();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void serverInitiatedCloseReachesTheClient(Mode mode) {
    NodeClient client = connect(mode);
    String sid = ready(client, mode);

    server.session(sid).close();

    assertThat(client.awaitEvent("close").field("reason")).isEqualTo("transport close");
    assertThat(server.awaitClose(sid)).isEqualTo("forced close");
    assertThat(server.engine().session(sid)).isNull();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void clientInitiatedCloseReachesTheServer(Mode mode) {
    NodeClient client = connect(mode);
    String sid = ready(client, mode);

    client.closeSocket();

    assertThat(server.awaitClose(sid)).isEqualTo("transport close");
    assertThat(client.awaitEvent("close").field("reason")).isEqualTo("forced close");
    Await.until("the session is forgotten", () -> server.engine().session(sid) == null, TestServer.TIMEOUT);
    assertThat(server.engine().sessionCount()).isZero();
  }

  private static List<String> numbered(String prefix, int n) {
    List<String> out = IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
    out.add(prefix + "end");
    return out;
  }

  private static int indexOf(List<NodeClient.Event> events, String type) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).type().equals(type)) {
        return i;
      }
    }
    throw new AssertionError("no '" + type + "' event in " + events);
  }

  private static int indexOfText(List<NodeClient.Event> events, String text) {
    for (int i = 0; i < events.size(); i++) {
      if (text.equals(events.get(i).text())) {
        return i;
      }
    }
    throw new AssertionError("no message '" + text + "'");
  }
}
