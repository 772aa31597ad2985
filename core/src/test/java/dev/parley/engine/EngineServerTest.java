package dev.parley.engine;

import dev.parley.testing.DirectExecutorService;

import dev.parley.testing.ManualScheduler;

import dev.parley.testing.FakeTransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request verification (PROTOCOL.md §1.10), handshake JSON and server shutdown. */
class EngineServerTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private final DirectExecutorService executor = new DirectExecutorService();
  private final RecordingListener listener = new RecordingListener();
  private final List<String> closeReasons = listener.closeReasons;
  private EngineServer server = server(EngineOptions.defaults());

  private EngineServer server(EngineOptions options) {
    EngineServer s = EngineServer.builder().options(options).executor(executor).scheduler(scheduler).build();
    s.onConnection(session -> session.setListener(listener));
    return s;
  }

  private static EngineRequest get(String query) {
    return request("GET", query, false);
  }

  private static EngineRequest upgrade(String query) {
    return request("GET", query, true);
  }

  private static EngineRequest request(String method, String query, boolean upgrade) {
    return EngineRequest.builder().method(method).uri("/engine.io/?" + query).upgrade(upgrade).build();
  }

  private EngineSession pollingSession() {
    EngineRequest handshake = get("EIO=4&transport=polling");
    assertThat(server.verify(handshake)).isNull();
    return server.handshake(FakeTransport.polling(), handshake);
  }

  private EngineSession upgradedSession() {
    EngineSession session = pollingSession();
    FakeTransport ws = FakeTransport.webSocket();
    assertThat(server.verify(upgrade("EIO=4&transport=websocket&sid=" + session.id()))).isNull();
    assertThat(server.offerUpgrade(session.id(), ws)).isTrue();
    ws.receive("2probe");
    ws.receive("5");
    assertThat(session.upgraded()).isTrue();
    return session;
  }

  private static void assertRejected(EngineServer.Rejection r, EngineError error, int status, String json) {
    assertThat(r).isNotNull();
    assertThat(r.error()).isEqualTo(error);
    assertThat(r.error().code()).isEqualTo(error.ordinal());
    assertThat(r.error().httpStatus()).isEqualTo(status);
    assertThat(r.json()).isEqualTo(json);
  }

  // ==================================================================== accepted requests

  @Test
  void acceptsValidHandshakesAndSessionRequests() {
    assertThat(server.verify(get("EIO=4&transport=polling"))).isNull();
    assertThat(server.verify(get("EIO=4&transport=polling&t=Nx1a2b&b64=1&custom=x"))).isNull();
    assertThat(server.verify(upgrade("EIO=4&transport=websocket"))).isNull();

    EngineSession session = pollingSession();
    assertThat(server.verify(get("EIO=4&transport=polling&sid=" + session.id()))).isNull();
    assertThat(server.verify(request("POST", "EIO=4&transport=polling&sid=" + session.id(), false))).isNull();
    assertThat(server.verify(upgrade("EIO=4&transport=websocket&sid=" + session.id()))).isNull();
  }

  // ==================================================================== code 0

  @ParameterizedTest
  @ValueSource(strings = {"EIO=4", "EIO=4&transport=abc", "EIO=4&transport=webtransport", "EIO=4&transport=",
      "EIO=4&transport=POLLING"})
  void transportUnknown(String query) {
    assertRejected(server.verify(get(query)), EngineError.TRANSPORT_UNKNOWN, 400,
        "{\"code\":0,\"message\":\"Transport unknown\"}");
  }

  @Test
  void transportNotEnabledIsUnknown() {
    server = server(EngineOptions.builder().transports(TransportKind.POLLING).build());

    assertRejected(server.verify(upgrade("EIO=4&transport=websocket")), EngineError.TRANSPORT_UNKNOWN, 400,
        "{\"code\":0,\"message\":\"Transport unknown\"}");
  }

  @Test
  void transportIsCheckedFirst() {
    assertThat(server.verify(request("POST", "EIO=3&transport=abc&sid=nope", false)).error())
        .isEqualTo(EngineError.TRANSPORT_UNKNOWN);
  }

  // ==================================================================== code 1

  @Test
  void unknownSessionId() {
    assertRejected(server.verify(get("EIO=4&transport=polling&sid=nope")), EngineError.SESSION_ID_UNKNOWN, 400,
        "{\"code\":1,\"message\":\"Session ID unknown\"}");
    assertRejected(server.verify(upgrade("EIO=4&transport=websocket&sid=nope")), EngineError.SESSION_ID_UNKNOWN,
        400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
  }

  @Test
  void closedSessionIdIsUnknown() {
    EngineSession session = pollingSession();
    ((FakeTransport) session.transport()).fireError("gone");

    assertRejected(server.verify(get("EIO=4&transport=polling&sid=" + session.id())),
        EngineError.SESSION_ID_UNKNOWN, 400, "{\"code\":1,\"message\":\"Session ID unknown\"}");
  }

  // ==================================================================== code 2

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS"})
  void handshakeWithAnotherMethodThanGet(String method) {
    assertRejected(server.verify(request(method, "EIO=4&transport=polling", false)),
        EngineError.BAD_HANDSHAKE_METHOD, 400, "{\"code\":2,\"message\":\"Bad handshake method\"}");
  }

  // ==================================================================== code 3

  @Test
  void webSocketHandshakeWithoutUpgrade() {
    assertRejected(server.verify(get("EIO=4&transport=websocket")), EngineError.BAD_REQUEST, 400,
        "{\"code\":3,\"message\":\"Bad request\"}");
  }

  @Test
  void pollingRequestForAnUpgradedSession() {
    EngineSession session = upgradedSession();

    assertRejected(server.verify(get("EIO=4&transport=polling&sid=" + session.id())), EngineError.BAD_REQUEST,
        400, "{\"code\":3,\"message\":\"Bad request\"}");
    assertRejected(server.verify(request("POST", "EIO=4&transport=polling&sid=" + session.id(), false)),
        EngineError.BAD_REQUEST, 400, "{\"code\":3,\"message\":\"Bad request\"}");
  }

  @Test
  void webSocketUpgradeForAnUpgradedSessionPassesVerifyButTheOfferIsRefused() {
    EngineSession session = upgradedSession();
    FakeTransport late = FakeTransport.webSocket();

    assertThat(server.verify(upgrade("EIO=4&transport=websocket&sid=" + session.id()))).isNull();
    assertThat(server.offerUpgrade(session.id(), late)).isFalse();
  }

  @Test
  void webSocketRequestWithoutUpgradeForAPollingSession() {
    EngineSession session = pollingSession();

    assertRejected(server.verify(get("EIO=4&transport=websocket&sid=" + session.id())), EngineError.BAD_REQUEST,
        400, "{\"code\":3,\"message\":\"Bad request\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3", "abc", ""})
  void protocolVersionDiffersBetweenHandshakeAndLaterRequest(String eio) {
    EngineSession session = pollingSession();

    assertRejected(server.verify(get("EIO=" + eio + "&transport=polling&sid=" + session.id())),
        EngineError.BAD_REQUEST, 400, "{\"code\":3,\"message\":\"Bad request\"}");
  }

  @Test
  void originWithInvalidCharacters() {
    EngineRequest bad = EngineRequest.builder().method("GET").uri("/engine.io/?EIO=4&transport=polling")
        .header("Origin", "https://a.example\u0001").build();
    EngineRequest good = EngineRequest.builder().method("GET").uri("/engine.io/?EIO=4&transport=polling")
        .header("Origin", "https://app.example.com").build();

    assertRejected(server.verify(bad), EngineError.BAD_REQUEST, 400, "{\"code\":3,\"message\":\"Bad request\"}");
    assertThat(server.verify(good)).isNull();
  }

  // ==================================================================== code 4

  @Test
  void admissionRefusalWithDefaultMessage() {
    server = server(EngineOptions.builder().admission(r -> AdmissionHook.Decision.refuse()).build());

    assertRejected(server.verify(get("EIO=4&transport=polling")), EngineError.FORBIDDEN, 403,
        "{\"code\":4,\"message\":\"Forbidden\"}");
  }

  @Test
  void admissionRefusalWithCustomMessage() {
    server = server(EngineOptions.builder()
        .admission(r -> AdmissionHook.Decision.refuse("origin \"x\" not allowed")).build());

    EngineServer.Rejection r = server.verify(upgrade("EIO=4&transport=websocket"));

    assertRejected(r, EngineError.FORBIDDEN, 403, "{\"code\":4,\"message\":\"origin \\\"x\\\" not allowed\"}");
    assertThat(r.message()).isEqualTo("origin \"x\" not allowed");
  }

  @Test
  void admissionHookThatThrowsRefuses() {
    server = server(EngineOptions.builder().admission(r -> {
      throw new IllegalStateException("db down");
    }).build());

    assertRejected(server.verify(get("EIO=4&transport=polling")), EngineError.FORBIDDEN, 403,
        "{\"code\":4,\"message\":\"Forbidden\"}");
  }

  @Test
  void admissionSeesTheRequestAndRunsOnlyOnHandshakes() {
    List<String> seen = new ArrayList<>();
    server = server(EngineOptions.builder().admission(r -> {
      seen.add(r.method() + " " + r.query("transport"));
      return AdmissionHook.Decision.allow();
    }).build());

    EngineSession session = pollingSession();
    server.verify(get("EIO=4&transport=polling&sid=" + session.id()));
    server.verify(request("POST", "EIO=4&transport=polling", false)); // bad method: hook not asked

    assertThat(seen).containsExactly("GET polling");
  }

  @Test
  void admissionRunsBeforeTheProtocolVersionCheck() {
    server = server(EngineOptions.builder().admission(r -> AdmissionHook.Decision.refuse("no")).build());

    assertThat(server.verify(get("EIO=3&transport=polling")).error()).isEqualTo(EngineError.FORBIDDEN);
  }

  // ==================================================================== code 5

  @ParameterizedTest
  @ValueSource(strings = {"transport=polling", "EIO=3&transport=polling", "EIO=abc&transport=polling",
      "EIO=&transport=polling", "EIO=04&transport=polling", "EIO=5&transport=polling"})
  void unsupportedProtocolVersionOnHandshake(String query) {
    assertRejected(server.verify(get(query)), EngineError.UNSUPPORTED_PROTOCOL_VERSION, 400,
        "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
  }

  @Test
  void unsupportedProtocolVersionOnWebSocketHandshake() {
    assertRejected(server.verify(upgrade("EIO=3&transport=websocket")), EngineError.UNSUPPORTED_PROTOCOL_VERSION,
        400, "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
    assertRejected(server.verify(upgrade("transport=websocket")), EngineError.UNSUPPORTED_PROTOCOL_VERSION,
        400, "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
  }

  // ==================================================================== error table itself

  @Test
  void errorTable() {
    assertThat(EngineError.values()).extracting(EngineError::code).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(EngineError.values()).extracting(EngineError::message).containsExactly(
        "Transport unknown", "Session ID unknown", "Bad handshake method", "Bad request", "Forbidden",
        "Unsupported protocol version");
    assertThat(EngineError.values()).extracting(EngineError::httpStatus).containsExactly(400, 400, 400, 400, 403, 400);
    assertThat(EngineError.SESSION_ID_UNKNOWN.toJson()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    assertThat(EngineError.FORBIDDEN.toJson("a\\b\n")).isEqualTo("{\"code\":4,\"message\":\"a\\\\b\\n\"}");
  }

  // ==================================================================== handshake JSON

  @Test
  void handshakeJsonHasExactlyTheFiveKeysInOrder() {
    assertThat(server.handshakeJson("abc", TransportKind.POLLING)).isEqualTo(
        "{\"sid\":\"abc\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000,"
            + "\"maxPayload\":1000000}");
    assertThat(server.handshakeJson("abc", TransportKind.WEBSOCKET)).isEqualTo(
        "{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
  }

  @Test
  void handshakeJsonFollowsOptions() {
    server = server(EngineOptions.builder().pingInterval(Duration.ofMillis(300))
        .pingTimeout(Duration.ofMillis(200)).maxHttpBufferSize(1234).allowUpgrades(false).build());

    assertThat(server.handshakeJson("s", TransportKind.POLLING)).isEqualTo(
        "{\"sid\":\"s\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":1234}");
  }

  // ==================================================================== close

  @Test
  void closeEndsEverySessionWithServerShuttingDown() {
    List<FakeTransport> transports = new ArrayList<>();
    List<EngineSession> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FakeTransport polling = FakeTransport.polling();
      sessions.add(server.handshake(polling, get("EIO=4&transport=polling")));
      polling.drain();     // the open packet
      polling.drain();     // the next GET is pending
      transports.add(polling);
    }
    FakeTransport ws = FakeTransport.webSocket();
    sessions.add(server.handshake(ws, upgrade("EIO=4&transport=websocket")));
    transports.add(ws);
    assertThat(server.sessionCount()).isEqualTo(4);

    server.close();

    assertThat(server.sessionCount()).isZero();
    assertThat(server.isClosed()).isTrue();
    assertThat(closeReasons).containsExactly("server shutting down", "server shutting down",
        "server shutting down", "server shutting down");
    for (FakeTransport t : transports) {
      assertThat(t.payloads()).last().isEqualTo("1");
      assertThat(t.closed()).isTrue();
    }
    assertThat(sessions).noneMatch(EngineSession::isOpen);
    assertThat(executor.isShutdown()).isFalse();   // not ours to stop
    assertThat(scheduler.isClosed()).isFalse();    // not ours either
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void closeEndsSessionsThatCannotDeliverTheirClosePacket() {
    FakeTransport polling = FakeTransport.polling(); // never gets a GET
    EngineSession session = server.handshake(polling, get("EIO=4&transport=polling"));

    server.close(); // waits (bounded) for the close packet, then ends the session

    assertThat(server.sessionCount()).isZero();
    assertThat(closeReasons).containsExactly("server shutting down");
    assertThat(session.isOpen()).isFalse();
    assertThat(polling.closed()).isTrue();
  }

  @Test
  void closeIsIdempotentAndRefusesNewHandshakes() {
    server.handshake(FakeTransport.webSocket(), upgrade("EIO=4&transport=websocket"));
    server.close();
    server.close();

    assertThat(closeReasons).containsExactly("server shutting down");
    EngineServer.Rejection r = server.verify(get("EIO=4&transport=polling"));
    assertThat(r).isNotNull();
    assertThat(r.error()).isEqualTo(EngineError.BAD_REQUEST);
  }

  @Test
  void handshakeAfterCloseEndsTheSessionAtOnce() {
    server.close();

    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = server.handshake(ws, upgrade("EIO=4&transport=websocket"));

    assertThat(session.isOpen()).isFalse();
    assertThat(server.sessionCount()).isZero();
    assertThat(ws.closed()).isTrue();
  }

  @Test
  void serverOwnedExecutorAndSchedulerAreStoppedOnClose() {
    EngineServer owned = EngineServer.builder().build();
    assertThat(owned.executor().isShutdown()).isFalse();

    owned.close();

    assertThat(owned.executor().isShutdown()).isTrue();
  }

  @Test
  void builderRejectsNulls() {
    assertThatThrownBy(() -> EngineServer.builder().executor(null))
        .isInstanceOf(NullPointerException.class).hasMessage("executor == null");
    assertThatThrownBy(() -> EngineServer.builder().scheduler(null))
        .isInstanceOf(NullPointerException.class).hasMessage("scheduler == null");
    assertThatThrownBy(() -> EngineServer.builder().options(null))
        .isInstanceOf(NullPointerException.class).hasMessage("options == null");
    assertThatThrownBy(() -> server.onConnection(null))
        .isInstanceOf(NullPointerException.class).hasMessage("handler == null");
    assertThatThrownBy(() -> server.handshake(null, get("EIO=4&transport=polling")))
        .isInstanceOf(NullPointerException.class).hasMessage("transport == null");
  }

  @Test
  void requestQueryIsDecoded() {
    EngineRequest r = get("EIO=4&transport=polling&name=a%20b&flag&x=1&x=2");

    assertThat(r.query("name")).isEqualTo("a b");
    assertThat(r.query("flag")).isEmpty();
    assertThat(r.queryParameters().get("x")).containsExactly("1", "2");
    assertThat(r.query("missing")).isNull();
    assertThat(r.path()).isEqualTo("/engine.io/");
  }

  // ==================================================================== graceful shutdown

  @Test
  void gracefulCloseRefusesHandshakesAndDeliversQueuedDataThenTheCloseWithinTheDrainTime() throws Exception {
    EngineSession session = pollingSession();
    FakeTransport polling = (FakeTransport) session.transport();
    polling.drain();                                  // the open packet
    polling.clear();
    session.send("a");
    session.send("b");

    Thread closer = new Thread(() -> server.close(Duration.ofSeconds(10)), "closer");
    closer.start();
    awaitUntil(server::isClosed);
    assertRejected(server.verify(get("EIO=4&transport=polling")), EngineError.BAD_REQUEST, 400,
        "{\"code\":3,\"message\":\"Server is shutting down\"}");

    // The client polls: its data first, then, with its next poll, the close. A client sends its next
    // GET only once the last one is answered; two GETs in flight at once (draining twice without
    // waiting) could both be answered by one batch, when the closer thread's flush takes the first
    // GET while the second arrives, and nothing would carry the close until the drain deadline.
    polling.drain();
    awaitUntil(() -> polling.payloads().size() == 1);
    polling.drain();
    awaitUntil(() -> polling.payloads().size() == 2);
    closer.join(5_000);

    assertThat(closer.isAlive()).as("close returned long before its 10 s drain time").isFalse();
    assertThat(polling.payloads()).containsExactly("4a\u001e4b", "1");
    assertThat(closeReasons).containsExactly("server shutting down");
    assertThat(server.sessionCount()).isZero();
  }

  /** Waits (at most 5 s) for something another thread does. */
  private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(condition.getAsBoolean()).as("reached within 5 s").isTrue();
  }

  @Test
  void aClientThatNeverPollsIsEndedAtTheDrainDeadline() {
    EngineSession session = pollingSession();
    ((FakeTransport) session.transport()).drain();
    session.send("never fetched");

    server.close(Duration.ofMillis(200));             // returns once the deadline has passed

    assertThat(closeReasons).containsExactly("server shutting down");
    assertThat(server.sessionCount()).isZero();
  }
}
