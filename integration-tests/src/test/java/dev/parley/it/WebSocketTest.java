package dev.parley.it;

import static dev.parley.it.Http.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineSession;
import dev.parley.engine.TransportKind;
import dev.parley.internal.engine.EngineInternals;
import dev.parley.transport.jetty.WebSocketPath;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Raw WebSocket sessions and upgrades with the JDK client (and raw sockets for refused upgrades),
 * against a real Jetty.
 */
class WebSocketTest {
  private final List<TestServer> servers = new ArrayList<>();
  private final List<JdkWebSocket> sockets = new ArrayList<>();

  @AfterEach
  void stop() {
    sockets.forEach(JdkWebSocket::abort);
    servers.forEach(TestServer::close);
  }

  private TestServer server(EngineOptions options) {
    TestServer s = TestServer.start(options);
    servers.add(s);
    return s;
  }

  private TestServer server() {
    return server(EngineOptions.defaults());
  }

  private JdkWebSocket open(URI uri) {
    JdkWebSocket ws = JdkWebSocket.open(uri);
    sockets.add(ws);
    return ws;
  }

  /** Opens a WebSocket-only session; returns the socket after checking the open packet. */
  private JdkWebSocket openSession(TestServer server) {
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket"));
    String open = ws.awaitText(0).text();
    assertThat(open).startsWith("0{");
    return ws;
  }

  private static String sidOf(JdkWebSocket ws) {
    return Http.json(ws.awaitText(0).text().substring(1)).get("sid").asText();
  }

  private static URI poll(TestServer server, String sid) {
    return server.uri("EIO=4&transport=polling&sid=" + sid);
  }

  @Test
  void websocketHandshakeSendsTheOpenPacketAndEchoesFramesExactly() {
    TestServer server = server(EngineOptions.builder().pingInterval(Duration.ofMillis(5000)).build());
    JdkWebSocket ws = openSession(server);
    JsonNode open = Http.json(ws.awaitText(0).text().substring(1));
    assertThat(open.fieldNames()).toIterable()
        .containsExactly("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
    assertThat(open.get("upgrades").toString()).isEqualTo("[]");
    assertThat(open.get("pingInterval").asInt()).isEqualTo(5000);
    String sid = open.get("sid").asText();
    assertThat(server.awaitConnection().sid()).isEqualTo(sid);
    assertThat(server.session(sid).transportKind()).isEqualTo(TransportKind.WEBSOCKET);

    ws.sendText("4hello \u00e9");
    ws.sendBinary(new byte[] {1, 2, 3, 4});
    ws.sendText("4");

    assertThat(ws.awaitText(1).text()).isEqualTo("4hello \u00e9");
    JdkWebSocket.Event binary = ws.events().awaitFirst(e -> e.type().equals("binary"), Http.TIMEOUT, "binary");
    // v4: a binary frame is the raw message, no type byte
    assertThat(binary.binary()).containsExactly(1, 2, 3, 4);
    assertThat(ws.awaitText(2).text()).isEqualTo("4");
    List<TestServer.Event> received = server.events()
        .awaitCount(e -> e.is("message", sid), 3, TestServer.TIMEOUT, "message");
    assertThat(received.get(1).packet().binary()).containsExactly(1, 2, 3, 4);
    assertThat(received.get(2).packet().text()).isEmpty();
  }

  /** A client with {@code forceBase64}: {@code b64=1}, binary as {@code b<base64>} text frames both ways, as the reference. */
  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"FAST", "PUBLIC"})
  void base64ClientSendsAndReceivesBinaryAsBTextFrames(WebSocketPath path) {
    TestServer server = TestServer.start(EngineOptions.defaults(), path);
    servers.add(server);
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&b64=1"));
    String sid = sidOf(ws);
    ws.sendText("bAQIDBA=="); // the reference decodes it as the 4 bytes, and the test server echoes them

    List<TestServer.Event> received = server.events()
        .awaitCount(e -> e.is("message", sid), 1, TestServer.TIMEOUT, "message");
    assertThat(received.get(0).packet().binary()).containsExactly(1, 2, 3, 4);
    assertThat(ws.awaitText(1).text()).isEqualTo("bAQIDBA==");
    assertThat(server.session(sid).isOpen()).isTrue();
    // a client without b64 gets a binary frame for the same echo
    JdkWebSocket plain = openSession(server);
    plain.sendText("bAQIDBA==");
    assertThat(plain.events().awaitFirst(e -> e.type().equals("binary"), Http.TIMEOUT, "binary").binary())
        .containsExactly(1, 2, 3, 4);
  }

  /** The headers hooks (Node's initial_headers and headers) reach the 101 on both WebSocket paths. */
  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"FAST", "PUBLIC"})
  void headersHooksReachTheUpgradeResponse(WebSocketPath path) {
    TestServer server = TestServer.start(EngineOptions.defaults(), path);
    servers.add(server);
    server.engine().onInitialHeaders((headers, request) -> headers.put("Set-Cookie", List.of("lb=1; Path=/")));
    server.engine().onHeaders((headers, request) -> headers.put("X-Hooked", List.of(request.query("transport"))));
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write(RawHttp.upgradeRequest(server.port(), "/engine.io/?EIO=4&transport=websocket"));
      RawHttp.Response r = raw.readResponse();
      assertThat(r.status()).isEqualTo(101);
      assertThat(r.header("Set-Cookie")).isEqualTo("lb=1; Path=/");
      assertThat(r.header("X-Hooked")).isEqualTo("websocket");
    }
  }

  @Test
  void serverPingsAndAcceptsPongsOverWebSocket() {
    TestServer server = server(TestServer.fastHeartbeat().build());
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    for (int i = 1; i <= 3; i++) {
      assertThat(ws.awaitText(i).text()).isEqualTo("2");
      ws.sendText("3");
    }
    assertThat(server.session(sid).isOpen()).isTrue();
    // and without a pong the session ends
    assertThat(ws.awaitText(4).text()).isEqualTo("2");
    assertThat(server.awaitClose(sid)).isEqualTo("ping timeout");
    ws.awaitClose();
  }

  @Test
  void upgradeWithUnknownSidIsRefusedWith400AndThePlainTextMessage() {
    TestServer server = server();
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write(RawHttp.upgradeRequest(server.port(), "/engine.io/?EIO=4&transport=websocket&sid=nope"));
      RawHttp.Response r = raw.readResponse();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.header("Content-Type")).startsWith("text/html");
      assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
      assertThat(r.body()).isEqualTo("Session ID unknown");
    }
  }

  @Test
  void refusedUpgradesCarryTheErrorMessage() {
    TestServer server = server();
    String[][] cases = {
        {"/engine.io/?transport=websocket", "Unsupported protocol version"},
        {"/engine.io/?EIO=3&transport=websocket", "Unsupported protocol version"},
        {"/engine.io/?EIO=4&transport=websocket&sid=" + Http.handshake(server).sid() + "x", "Session ID unknown"},
    };
    for (String[] c : cases) {
      try (RawHttp raw = RawHttp.connect(server.port())) {
        raw.write(RawHttp.upgradeRequest(server.port(), c[0]));
        RawHttp.Response r = raw.readResponse();
        assertThat(r.status()).as(c[0]).isEqualTo(400);
        assertThat(r.body()).as(c[0]).isEqualTo(c[1]);
      }
    }
    assertThat(server.engine().sessionCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"FAST", "PUBLIC"})
  void frameLargerThanMaxHttpBufferSizeClosesWith1009(WebSocketPath path) {
    TestServer server = TestServer.start(EngineOptions.builder().maxHttpBufferSize(1000).build(), path);
    servers.add(server);
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    ws.sendText("4" + "x".repeat(999)); // exactly the limit
    assertThat(ws.awaitText(1).text()).hasSize(1000);

    ws.sendText("4" + "x".repeat(1000));
    JdkWebSocket.Event close = ws.awaitClose();
    assertThat(close.type()).isEqualTo("close");
    assertThat(close.code()).isEqualTo(1009);
    // an empty reason, as the reference: engine.io-client's own test checks it
    assertThat(close.text()).isEmpty();
    server.awaitClose(sid);
    assertThat(server.engine().session(sid)).isNull();
  }

  @Test
  void limitsAreCountedInUtf8BytesOnBothTransports() {
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(1000).build());
    String twoBytesEach = "\u00e9".repeat(500); // 500 chars, 1000 bytes: with the type digit, 1001 bytes
    JdkWebSocket ws = openSession(server);
    ws.sendText("4" + twoBytesEach);
    assertThat(ws.awaitClose().code()).isEqualTo(1009);

    String sid = Http.handshake(server).sid();
    assertThat(Http.post(poll(server, sid), "4" + twoBytesEach).statusCode()).isEqualTo(413);
    String fits = "4" + "\u00e9".repeat(499) + "x"; // 1000 bytes
    assertThat(Http.post(poll(server, sid), fits).body()).isEqualTo("ok");
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo(fits);
  }

  @Test
  void binaryFrameLargerThanMaxHttpBufferSizeClosesWith1009() {
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(1000).build());
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    ws.sendBinary(new byte[1001]);
    JdkWebSocket.Event close = ws.awaitClose();
    assertThat(close.code()).isEqualTo(1009);
    server.awaitClose(sid);
  }

  @Test
  void pingFromTheClientClosesTheSession() {
    TestServer server = server();
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    ws.sendText("2");
    assertThat(ws.awaitClose().type()).isEqualTo("close");
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    assertThat(server.engine().session(sid)).isNull();
  }

  @Test
  void invalidTextFrameClosesTheSessionWithParseError() {
    TestServer server = server();
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    ws.sendText("abc");
    ws.awaitClose();
    assertThat(server.awaitClose(sid)).isEqualTo("parse error");
  }

  @Test
  void closePacketFromTheClientClosesAtOnce() {
    TestServer server = server();
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    ws.sendText("1");
    assertThat(server.awaitClose(sid)).isEqualTo("transport close");
    ws.awaitClose();
  }

  @Test
  void serverCloseClosesTheWebSocket() {
    TestServer server = server();
    JdkWebSocket ws = openSession(server);
    String sid = sidOf(ws);
    server.session(sid).send("bye");
    server.session(sid).close();
    assertThat(ws.awaitText(1).text()).isEqualTo("4bye");
    JdkWebSocket.Event close = ws.awaitClose();
    assertThat(close.type()).isEqualTo("close");
    assertThat(server.awaitClose(sid)).isEqualTo("forced close");
    // whatever text came before the close frame, the message was delivered first
    List<JdkWebSocket.Event> texts = ws.events().snapshot().stream().filter(e -> e.type().equals("text")).toList();
    assertThat(texts.get(1).text()).isEqualTo("4bye");
  }

  // ------------------------------------------------------------------ upgrade from polling

  @Test
  void upgradeFromPollingThenPollingIsRefusedAndASecondWebSocketIsClosed() throws Exception {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);

    // a long-poll GET is pending when the probe starts: it is released with a noop
    CompletableFuture<HttpResponse<String>> pending = Http.sendAsync(Http.request(poll(server, sid)).GET().build());
    Await.until("the GET is pending", () -> EngineInternals.transport(session).isWritable(), Http.TIMEOUT);

    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    ws.sendText("2probe");
    assertThat(ws.awaitText(0).text()).isEqualTo("3probe");
    HttpResponse<String> released = pending.get(5, TimeUnit.SECONDS);
    assertThat(released.statusCode()).isEqualTo(200);
    assertThat(released.body()).isEqualTo("6");
    assertThat(session.upgraded()).isFalse();

    // sent while upgrading and no GET is pending: buffered, then delivered over the WebSocket
    session.send("during upgrade");
    ws.sendText("5");
    assertThat(ws.awaitText(1).text()).isEqualTo("4during upgrade");
    Await.until("the session is upgraded", session::upgraded, Http.TIMEOUT);
    assertThat(session.transportKind()).isEqualTo(TransportKind.WEBSOCKET);

    // the old transport is refused
    assertError(Http.get(poll(server, sid)), 400, 3, "Bad request");
    assertError(Http.post(poll(server, sid), "4x"), 400, 3, "Bad request");

    // a second WebSocket for the same session is closed right after the 101
    JdkWebSocket second = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    assertThat(second.awaitClose().type()).isEqualTo("close");
    assertThat(second.events().snapshot()).noneMatch(e -> e.type().equals("text"));

    // and the upgraded session still works
    ws.sendText("4after");
    assertThat(ws.awaitText(2).text()).isEqualTo("4after");
    assertThat(session.isOpen()).isTrue();
  }

  @Test
  void getArrivingRightAfterTheUpgradePacketIsRefused() throws Exception {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    ws.sendText("2probe");
    assertThat(ws.awaitText(0).text()).isEqualTo("3probe");

    // the suite's race: "5" on the WebSocket, then at once a GET on another connection
    ws.sendText("5");
    HttpResponse<String> get = Http.get(poll(server, sid));
    assertError(get, 400, 3, "Bad request");
    assertThat(session.upgraded()).isTrue();
  }

  @Test
  void unexpectedPacketOnTheProbeAbortsTheUpgradeAndPollingGoesOn() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);

    JdkWebSocket probe = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    probe.sendText("4not a probe");
    assertThat(probe.awaitClose().type()).isEqualTo("close");

    assertThat(session.upgraded()).isFalse();
    assertThat(Http.post(poll(server, sid), "4still polling").body()).isEqualTo("ok");
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo("4still polling");

    // and a later upgrade can still succeed
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    ws.sendText("2probe");
    assertThat(ws.awaitText(0).text()).isEqualTo("3probe");
    ws.sendText("5");
    Await.until("the session is upgraded", session::upgraded, Http.TIMEOUT);
  }

  @Test
  void upgradePacketWithoutProbeAbortsTheUpgrade() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    ws.sendText("5");
    ws.awaitClose();
    assertThat(server.session(sid).upgraded()).isFalse();
    assertThat(Http.post(poll(server, sid), "4x").body()).isEqualTo("ok");
  }

  @Test
  void upgradeThatNeverCompletesTimesOutAndPollingGoesOn() {
    TestServer server = server(EngineOptions.builder().upgradeTimeout(Duration.ofMillis(300)).build());
    String sid = Http.handshake(server).sid();
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&sid=" + sid));
    ws.sendText("2probe");
    assertThat(ws.awaitText(0).text()).isEqualTo("3probe");
    // no "5": after upgradeTimeout the probe socket is closed
    assertThat(ws.awaitClose().type()).isEqualTo("close");
    assertThat(server.session(sid).upgraded()).isFalse();
    assertThat(Http.post(poll(server, sid), "4x").body()).isEqualTo("ok");
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo("4x");
  }

  @Test
  void upgradesDisabledMeansNoUpgradesAdvertisedAndProbesClosed() {
    TestServer server = server(EngineOptions.builder().allowUpgrades(false).build());
    Http.Handshake h = Http.handshake(server);
    assertThat(h.json().get("upgrades").toString()).isEqualTo("[]");
    JdkWebSocket ws = open(server.wsUri("EIO=4&transport=websocket&sid=" + h.sid()));
    assertThat(ws.awaitClose().type()).isEqualTo("close");
    assertThat(server.session(h.sid()).transportKind()).isEqualTo(TransportKind.POLLING);
    assertThat(server.session(h.sid()).isOpen()).isTrue();
  }
}
