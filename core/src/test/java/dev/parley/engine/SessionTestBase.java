package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.ManualScheduler;
import java.time.Duration;

/**
 * What the session tests share: a server on an inline executor and a manual clock, fake transports,
 * and sessions opened on them. Times: ping every 300 ms, 200 ms to answer, 1000 ms to upgrade, 5000 ms
 * to deliver a close.
 */
abstract class SessionTestBase {
  static final long PING_INTERVAL = 300;
  static final long PING_TIMEOUT = 200;
  static final long UPGRADE_TIMEOUT = 1000;
  static final long CLOSE_TIMEOUT = 5000;
  static final byte[] ONE_TO_FOUR = {1, 2, 3, 4};

  final ManualScheduler scheduler = new ManualScheduler();
  final DirectExecutorService executor = new DirectExecutorService();
  final RecordingListener listener = new RecordingListener();
  EngineServer server = server(options().build());

  static EngineOptions.Builder options() {
    return EngineOptions.builder()
        .pingInterval(Duration.ofMillis(PING_INTERVAL))
        .pingTimeout(Duration.ofMillis(PING_TIMEOUT))
        .upgradeTimeout(Duration.ofMillis(UPGRADE_TIMEOUT))
        .closeTimeout(Duration.ofMillis(CLOSE_TIMEOUT));
  }

  EngineServer server(EngineOptions options) {
    return withListener(EngineServer.builder().options(options).executor(executor).scheduler(scheduler).build());
  }

  EngineServer withListener(EngineServer s) {
    s.onConnection(session -> session.setListener(listener));
    return s;
  }

  /** Heartbeat far away (10 s), for tests about longer timers such as the upgrade timeout. */
  void quietHeartbeat() {
    server = server(options().pingInterval(Duration.ofSeconds(10)).pingTimeout(Duration.ofSeconds(5)).build());
  }

  EngineSession open(FakeTransport transport) {
    return open(server, transport);
  }

  static EngineSession open(EngineServer server, FakeTransport transport) {
    String query = "EIO=4&transport=" + transport.kind().wireName();
    EngineRequest request = EngineRequest.builder().method("GET").uri("/engine.io/?" + query)
        .upgrade(transport.kind() == TransportKind.WEBSOCKET).build();
    return server.handshake(transport, request);
  }

  /** A WebSocket session whose open packet has been sent and forgotten. */
  EngineSession openWebSocket(FakeTransport ws) {
    return openWebSocket(server, ws);
  }

  static EngineSession openWebSocket(EngineServer server, FakeTransport ws) {
    EngineSession session = open(server, ws);
    assertThat(ws.wire()).singleElement().asString().startsWith("0{");
    ws.clear();
    return session;
  }

  /** A polling session whose open packet has been fetched by a first GET and forgotten. */
  EngineSession openPolling(FakeTransport polling) {
    EngineSession session = open(polling);
    polling.drain();
    assertThat(polling.wire()).singleElement().asString().startsWith("0{");
    polling.clear();
    return session;
  }

  static String expectedHandshake(String sid, String upgrades, long interval, long timeout, int max) {
    return "0{\"sid\":\"" + sid + "\",\"upgrades\":" + upgrades + ",\"pingInterval\":" + interval
        + ",\"pingTimeout\":" + timeout + ",\"maxPayload\":" + max + "}";
  }
}
