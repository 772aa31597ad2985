package dev.parley.it;

import static dev.parley.it.Http.RS;
import static dev.parley.it.Http.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.engine.AdmissionHook;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineSession;
import dev.parley.internal.engine.EngineInternals;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Raw HTTP long-polling against a real Jetty with the JDK client: the handshake, the error table of
 * PROTOCOL.md section 1.10 and the engine.io edge cases of section 7.
 */
class PollingHttpTest {
  private final List<TestServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
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

  private static URI poll(TestServer server, String sid) {
    return server.uri("EIO=4&transport=polling&sid=" + sid);
  }

  // ------------------------------------------------------------------ handshake

  @Test
  void handshakeAnswersTheOpenPacketWithExactlyFiveKeys() {
    TestServer server = server(EngineOptions.builder()
        .pingInterval(Duration.ofMillis(1234)).pingTimeout(Duration.ofMillis(567)).maxHttpBufferSize(4321).build());
    // clients add a cache-buster and their own parameters, which the server ignores
    HttpResponse<String> r = Http.get(server.uri("EIO=4&transport=polling&t=PxyZ1&foo=bar&b64=1"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.contentType(r)).isEqualTo("text/plain; charset=UTF-8");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    Http.Handshake h = Http.Handshake.parse(r);
    JsonNode json = h.json();
    assertThat(json.fieldNames()).toIterable()
        .containsExactly("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
    assertThat(h.sid()).matches("[A-Za-z0-9_-]{20}");
    assertThat(json.get("upgrades").toString()).isEqualTo("[\"websocket\"]");
    assertThat(json.get("pingInterval").asLong()).isEqualTo(1234);
    assertThat(json.get("pingTimeout").asLong()).isEqualTo(567);
    assertThat(json.get("maxPayload").asLong()).isEqualTo(4321);
    assertThat(server.awaitConnection().sid()).isEqualTo(h.sid());
    assertThat(server.engine().session(h.sid())).isNotNull();
    assertThat(Http.handshake(server).sid()).isNotEqualTo(h.sid());
  }

  @Test
  void postedPacketsComeBackTogetherInOneGet() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();

    HttpResponse<String> post = Http.post(poll(server, sid), "4hello" + RS + "bAQIDBA==");
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.body()).isEqualTo("ok");
    assertThat(Http.contentType(post)).isEqualTo("text/html");

    HttpResponse<String> get = Http.get(poll(server, sid));
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(Http.contentType(get)).isEqualTo("text/plain; charset=UTF-8");
    assertThat(get.body()).isEqualTo("4hello" + RS + "bAQIDBA==");
  }

  @Test
  void binaryIsBase64WithoutLineBreaksAndMimeBase64FromJavaClientsIsAccepted() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    byte[] data = new byte[300];
    new Random(7).nextBytes(data);
    // io.socket:engine.io-client 2.x writes MIME-style base64: a line break every 76 chars and at the end
    String mime = Base64.getMimeEncoder(76, "\n".getBytes()).encodeToString(data) + "\n";
    assertThat(mime).contains("\n");

    assertThat(Http.post(poll(server, sid), "b" + mime).body()).isEqualTo("ok");
    EnginePacket received = server.events()
        .awaitFirst(e -> e.is("message", sid), TestServer.TIMEOUT, "message").packet();
    assertThat(received.binary()).isEqualTo(data);
    // the echo is plain base64, as the reference writes it
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo("b" + Base64.getEncoder().encodeToString(data));
  }

  // ------------------------------------------------------------------ error table (section 1.10)

  @Test
  void code0TransportUnknown() {
    TestServer server = server();
    assertError(Http.get(server.uri("EIO=4")), 400, 0, "Transport unknown");
    assertError(Http.get(server.uri("EIO=4&transport=abc")), 400, 0, "Transport unknown");
    assertError(Http.get(server.uri("EIO=4&transport=webtransport")), 400, 0, "Transport unknown");
    // the transport is checked first
    assertError(Http.get(server.uri("EIO=3&transport=abc&sid=nope")), 400, 0, "Transport unknown");
  }

  @Test
  void code1SessionIdUnknown() {
    TestServer server = server();
    assertError(Http.get(poll(server, "nope")), 400, 1, "Session ID unknown");
    assertError(Http.post(poll(server, "nope"), "4x"), 400, 1, "Session ID unknown");
    // including a session that existed and closed
    String sid = Http.handshake(server).sid();
    assertThat(Http.post(poll(server, sid), "1").statusCode()).isEqualTo(200);
    assertThat(server.awaitClose(sid)).isEqualTo("transport close");
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
    assertError(Http.post(poll(server, sid), "4x"), 400, 1, "Session ID unknown");
  }

  @Test
  void code2BadHandshakeMethod() {
    TestServer server = server();
    URI handshake = server.uri("EIO=4&transport=polling");
    assertError(Http.method(handshake, "POST", "4hello"), 400, 2, "Bad handshake method");
    assertError(Http.method(handshake, "PUT", "4hello"), 400, 2, "Bad handshake method");
    assertError(Http.method(handshake, "DELETE", null), 400, 2, "Bad handshake method");
    assertThat(server.engine().sessionCount()).isZero();
  }

  @Test
  void code3BadRequest() {
    TestServer server = server();
    // transport=websocket without an Upgrade header
    assertError(Http.get(server.uri("EIO=4&transport=websocket")), 400, 3, "Bad request");
    // an existing session asked for with another protocol version
    String sid = Http.handshake(server).sid();
    assertError(Http.get(server.uri("EIO=3&transport=polling&sid=" + sid)), 400, 3, "Bad request");
    // an existing polling session asked for over transport=websocket without an upgrade
    assertError(Http.get(server.uri("EIO=4&transport=websocket&sid=" + sid)), 400, 3, "Bad request");
    assertThat(server.engine().session(sid)).isNotNull();
    assertThat(server.engine().sessionCount()).isEqualTo(1);
  }

  @Test
  void originWithInvalidCharactersIsRefusedWithoutASession() {
    TestServer server = server();
    try (RawHttp raw = RawHttp.connect(server.port())) {
      // DEL is not allowed in a header value; the JDK client refuses to send it, so write it by hand
      raw.write("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Origin: http://a\u007fb.example\r\nConnection: close\r\n\r\n");
      RawHttp.Response r = raw.readResponse();
      assertThat(r.status()).isEqualTo(400);
      // Jetty's own parser refuses such a header first (an HTML error page); should one get through,
      // the engine must answer code 3
      if (r.body().startsWith("{")) {
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
      }
    }
    assertThat(server.engine().sessionCount()).isZero();
  }

  @Test
  void code4ForbiddenWithTheAdmissionHooksMessage() {
    TestServer custom = server(EngineOptions.builder()
        .admission(request -> "yes".equals(request.query("token"))
            ? AdmissionHook.Decision.allow()
            : AdmissionHook.Decision.refuse("no token, no entry"))
        .build());
    assertError(Http.get(custom.uri("EIO=4&transport=polling")), 403, 4, "no token, no entry");
    assertThat(custom.engine().sessionCount()).isZero();
    assertThat(Http.get(custom.uri("EIO=4&transport=polling&token=yes")).statusCode()).isEqualTo(200);
    assertThat(custom.engine().sessionCount()).isEqualTo(1);
  }

  @Test
  void code4AdmissionHookAllowsRefusesWithDefaultMessageAndFailsClosed() {
    TestServer custom = server(EngineOptions.builder()
        .admission(request -> {
          String token = request.query("token");
          if ("boom".equals(token)) {
            throw new IllegalStateException("hook failure");
          }
          return "yes".equals(token) ? AdmissionHook.Decision.allow() : AdmissionHook.Decision.refuse();
        })
        .build());
    assertError(Http.get(custom.uri("EIO=4&transport=polling&token=no")), 403, 4, "Forbidden");
    assertError(Http.get(custom.uri("EIO=4&transport=polling&token=boom")), 403, 4, "Forbidden");
    HttpResponse<String> ok = Http.get(custom.uri("EIO=4&transport=polling&token=yes"));
    assertThat(ok.statusCode()).isEqualTo(200);
    String sid = Http.Handshake.parse(ok).sid();
    // later requests of an admitted session are not checked again
    assertThat(Http.post(poll(custom, sid), "4x").statusCode()).isEqualTo(200);
    assertThat(Http.get(poll(custom, sid)).body()).isEqualTo("4x");
  }

  @Test
  void code5UnsupportedProtocolVersion() {
    TestServer server = server();
    assertError(Http.get(server.uri("transport=polling")), 400, 5, "Unsupported protocol version");
    assertError(Http.get(server.uri("EIO=3&transport=polling")), 400, 5, "Unsupported protocol version");
    assertError(Http.get(server.uri("EIO=abc&transport=polling")), 400, 5, "Unsupported protocol version");
    assertThat(server.engine().sessionCount()).isZero();
  }

  // ------------------------------------------------------------------ edge cases (section 7)

  @Test
  void oversizedPostIs413AndTheSessionStaysAlive() {
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(1000).build());
    String sid = Http.handshake(server).sid();
    assertThat(Http.handshake(server).json().get("maxPayload").asInt()).isEqualTo(1000);

    HttpResponse<String> tooLarge = Http.post(poll(server, sid), "4" + "x".repeat(1000)); // 1001 bytes
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).isEmpty();

    // exactly the limit is fine, and the session still works
    String atLimit = "4" + "y".repeat(999);
    assertThat(Http.post(poll(server, sid), atLimit).body()).isEqualTo("ok");
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo(atLimit);
    assertThat(server.session(sid).isOpen()).isTrue();
    assertThat(server.events().snapshot()).noneMatch(e -> e.is("close", sid));
  }

  @Test
  void oversizedChunkedPostIs413AndTheSessionStaysAlive() {
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(1000).build());
    String sid = Http.handshake(server).sid();
    byte[] body = ("4" + "x".repeat(5000)).getBytes();
    // no Content-Length: the limit has to be enforced while reading
    HttpResponse<String> tooLarge = Http.send(Http.request(poll(server, sid))
        .header("Content-Type", "text/plain;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build());
    assertThat(tooLarge.statusCode()).isEqualTo(413);

    assertThat(Http.post(poll(server, sid), "4still here").body()).isEqualTo("ok");
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo("4still here");
  }

  @Test
  void duplicateGetIs400AndThePendingGetReceivesClose() throws Exception {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);

    CompletableFuture<HttpResponse<String>> first = Http.sendAsync(Http.request(poll(server, sid)).GET().build());
    Await.until("the first GET is pending", () -> EngineInternals.transport(session).isWritable(), Http.TIMEOUT);
    HttpResponse<String> second = Http.get(poll(server, sid));

    assertThat(second.statusCode()).isEqualTo(400);
    assertThat(second.body()).isEmpty();
    HttpResponse<String> pending = first.get(10, TimeUnit.SECONDS);
    assertThat(pending.statusCode()).isEqualTo(200);
    assertThat(pending.body()).isEqualTo("1");
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void duplicatePostIs400AndClosesTheSession() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    try (RawHttp slow = RawHttp.connect(server.port())) {
      // a POST whose body is still being read: "100 Continue" proves the server started reading it
      slow.write("POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 6\r\n"
          + "Expect: 100-continue\r\n\r\n");
      assertThat(slow.readResponse().status()).isEqualTo(100);
      slow.write("4he");

      HttpResponse<String> second = Http.post(poll(server, sid), "4second");
      assertThat(second.statusCode()).isEqualTo(400);
      assertThat(second.body()).isEmpty();
      assertThat(server.awaitClose(sid)).isEqualTo("transport error");

      slow.write("llo");
      RawHttp.Response first = slow.readResponse();
      assertThat(first.status()).as("the first POST ends after the session closed").isEqualTo(400);
    }
    assertThat(server.events().snapshot()).noneMatch(e -> e.is("message", sid));
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void octetStreamPostIs400AndClosesTheSession() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    HttpResponse<String> r = Http.send(Http.request(poll(server, sid))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {4, 1, 2, 3})).build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEmpty();
    server.awaitClose(sid);
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void otherMethodsOnASessionAre500AndTheSessionStaysAlive() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    HttpResponse<String> put = Http.method(poll(server, sid), "PUT", "4x");
    assertThat(put.statusCode()).isEqualTo(500);
    assertThat(put.body()).isEmpty();
    assertThat(Http.method(poll(server, sid), "DELETE", null).statusCode()).isEqualTo(500);

    assertThat(Http.post(poll(server, sid), "4alive").body()).isEqualTo("ok");
    assertThat(Http.get(poll(server, sid)).body()).isEqualTo("4alive");
  }

  @Test
  void clientPingOverPollingClosesTheSession() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    HttpResponse<String> r = Http.post(poll(server, sid), "2");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void invalidPayloadsCloseTheSessionWithParseError() {
    TestServer server = server();
    for (String body : List.of("", "abc", "4ok" + RS + "x", "b!!!notbase64")) {
      String sid = Http.handshake(server).sid();
      HttpResponse<String> r = Http.post(poll(server, sid), body);
      assertThat(r.statusCode()).as("status for %s", body).isIn(200, 400);
      assertThat(server.awaitClose(sid)).as("reason for %s", body).isEqualTo("parse error");
      assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
    }
  }

  @Test
  void closePacketFromTheClientReleasesThePendingGetWithNoop() throws Exception {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);
    CompletableFuture<HttpResponse<String>> get = Http.sendAsync(Http.request(poll(server, sid)).GET().build());
    Await.until("the GET is pending", () -> EngineInternals.transport(session).isWritable(), Http.TIMEOUT);

    assertThat(Http.post(poll(server, sid), "1").statusCode()).isEqualTo(200);

    HttpResponse<String> released = get.get(10, TimeUnit.SECONDS);
    assertThat(released.statusCode()).isEqualTo(200);
    assertThat(released.body()).isEqualTo("6");
    assertThat(server.awaitClose(sid)).isEqualTo("transport close");
    assertError(Http.post(poll(server, sid), "4x"), 400, 1, "Session ID unknown");
  }

  @Test
  void serverCloseWithNoGetPendingIsDeliveredByTheNextGet() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    server.session(sid).send("last words");
    server.session(sid).close();

    HttpResponse<String> get = Http.get(poll(server, sid));
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("4last words");   // the data first, as engine.io does...
    HttpResponse<String> close = Http.get(poll(server, sid));
    assertThat(close.statusCode()).isEqualTo(200);
    assertThat(close.body()).isEqualTo("1");              // ...then the close in the next poll
    assertThat(server.awaitClose(sid)).isEqualTo("forced close");
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void abortedGetEndsTheSessionAtTheNextGetAtTheLatest() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write("GET /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      Await.until("the GET is pending", () -> EngineInternals.transport(session).isWritable(), Http.TIMEOUT);
    } // the client goes away
    // the reference notices at once ("poll connection closed prematurely"); noticed late, the next GET
    // is a duplicate GET: 400 either way, and the session is gone
    HttpResponse<String> next = Http.get(poll(server, sid));
    assertThat(next.statusCode()).isEqualTo(400);
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void abortedGetWithoutFurtherRequestsEndsTheSessionWithinAHeartbeat() {
    TestServer server = server(TestServer.fastHeartbeat().build());
    String sid = Http.handshake(server).sid();
    EngineSession session = server.session(sid);
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write("GET /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      Await.until("the GET is pending", () -> EngineInternals.transport(session).isWritable(), Http.TIMEOUT);
    }
    long start = System.nanoTime();
    // "transport error" when the abort is noticed, "ping timeout" when only the heartbeat notices it
    assertThat(server.awaitClose(sid)).isIn("transport error", "ping timeout");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void postAbortedMidBodyClosesTheSession() {
    TestServer server = server();
    String sid = Http.handshake(server).sid();
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write("POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
      assertThat(raw.readResponse().status()).isEqualTo(100);
      raw.write("4partial");
    } // the client goes away in the middle of the body
    // the reference closes the session ("data request connection closed prematurely")
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    assertThat(server.events().snapshot()).noneMatch(e -> e.is("message", sid));
    assertError(Http.get(poll(server, sid)), 400, 1, "Session ID unknown");
  }

  @Test
  void requestsOutsideTheEnginePathAreNotHandled() {
    TestServer server = server();
    // no trailing slash: not the engine's path
    HttpResponse<String> r = Http.get(URI.create(server.origin() + "/engine.io?EIO=4&transport=polling"));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(Http.get(URI.create(server.origin() + "/other/")).statusCode()).isEqualTo(404);
    assertThat(server.engine().sessionCount()).isZero();
  }
}
