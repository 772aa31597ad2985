package dev.parley.transport.polling;

import static dev.parley.transport.polling.PollingHarness.TEXT_PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.engine.AdmissionHook;
import dev.parley.engine.CookieOptions;
import dev.parley.engine.CorsOptions;
import dev.parley.engine.EngineError;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineServer;
import dev.parley.engine.TransportKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routing, handshakes, error answers (PROTOCOL.md §1.10), CORS and the sticky cookie. */
class EngineHttpHandlerTest {
  private static final String JSON = "application/json";

  private PollingHarness h = new PollingHarness();

  // ==================================================================== handshake

  @Test
  void handshakeGetReceivesTheOpenPacket() {
    FakeExchange get = h.handle(FakeExchange.get("EIO=4&transport=polling&t=NxYz12"));

    assertThat(get.status()).isEqualTo(200);
    assertThat(get.contentType()).isEqualTo(TEXT_PLAIN);
    assertThat(get.respondCalls()).isEqualTo(1);
    String body = get.bodyText();
    assertThat(body).matches("0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"],"
        + "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
    String sid = body.substring(9, 29);
    assertThat(body).isEqualTo("0{\"sid\":\"" + sid + "\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
        + "\"pingTimeout\":20000,\"maxPayload\":1000000}");
    assertThat(get.header("Cache-Control")).isEqualTo("no-store");
    assertThat(get.header("Set-Cookie")).isNull();
    assertThat(get.headersSetAfterResponse()).isZero();
    assertThat(h.engine.session(sid)).isNotNull();
    assertThat(h.engine.session(sid).transportKind()).isEqualTo(TransportKind.POLLING);
  }

  @Test
  void handshakeAdvertisesNoUpgradeWhenWebSocketIsOff() {
    h = new PollingHarness(EngineOptions.builder().transports(TransportKind.POLLING)
        .pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofMillis(200)).maxHttpBufferSize(500).build());

    FakeExchange get = h.handle(FakeExchange.get("EIO=4&transport=polling"));

    assertThat(get.bodyText()).endsWith("\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":500}");
  }

  @Test
  void eachHandshakeOpensItsOwnSession() {
    String a = h.handshake();
    String b = h.handshake();

    assertThat(a).isNotEqualTo(b);
    assertThat(h.engine.sessionCount()).isEqualTo(2);
  }

  // ==================================================================== error answers

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "GET  | EIO=4                            | 400 | {\"code\":0,\"message\":\"Transport unknown\"}",
      "GET  | EIO=4&transport=abc              | 400 | {\"code\":0,\"message\":\"Transport unknown\"}",
      "GET  | EIO=4&transport=webtransport     | 400 | {\"code\":0,\"message\":\"Transport unknown\"}",
      "GET  | EIO=4&transport=polling&sid=nope | 400 | {\"code\":1,\"message\":\"Session ID unknown\"}",
      "POST | EIO=4&transport=polling&sid=nope | 400 | {\"code\":1,\"message\":\"Session ID unknown\"}",
      "POST | EIO=4&transport=polling          | 400 | {\"code\":2,\"message\":\"Bad handshake method\"}",
      "PUT  | EIO=4&transport=polling          | 400 | {\"code\":2,\"message\":\"Bad handshake method\"}",
      "GET  | EIO=4&transport=websocket        | 400 | {\"code\":3,\"message\":\"Bad request\"}",
      "GET  | transport=polling                | 400 | {\"code\":5,\"message\":\"Unsupported protocol version\"}",
      "GET  | EIO=3&transport=polling          | 400 | {\"code\":5,\"message\":\"Unsupported protocol version\"}",
      "GET  | EIO=abc&transport=polling        | 400 | {\"code\":5,\"message\":\"Unsupported protocol version\"}",
  })
  void rejectedRequestsGetTheReferenceJson(String method, String query, int status, String json) {
    FakeExchange x = h.handle(FakeExchange.request(method, query));

    assertThat(x.status()).isEqualTo(status);
    assertThat(x.contentType()).isEqualTo(JSON);
    assertThat(x.bodyText()).isEqualTo(json);
    assertThat(h.engine.sessionCount()).isZero();
  }

  @Test
  void unknownSidGets400CodeOneAsJson() {
    FakeExchange get = h.handle(FakeExchange.get("EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA"));

    assertThat(get.status()).isEqualTo(400);
    assertThat(get.contentType()).isEqualTo("application/json");
    assertThat(get.bodyText()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
  }

  @Test
  void admissionRefusalGets403WithTheCustomMessage() {
    h = new PollingHarness(EngineOptions.builder()
        .admission(r -> AdmissionHook.Decision.refuse("not on the guest list")).build());

    FakeExchange get = h.handle(FakeExchange.get("EIO=4&transport=polling"));

    assertThat(get.status()).isEqualTo(403);
    assertThat(get.contentType()).isEqualTo(JSON);
    assertThat(get.bodyText()).isEqualTo("{\"code\":4,\"message\":\"not on the guest list\"}");
    assertThat(h.engine.sessionCount()).isZero();
  }

  @Test
  void protocolMismatchOnAnExistingSessionIsBadRequest() {
    String sid = h.handshake();

    FakeExchange get = h.handle(FakeExchange.get("EIO=3&transport=polling&sid=" + sid));

    assertThat(get.status()).isEqualTo(400);
    assertThat(get.bodyText()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
    assertThat(h.isOpen(sid)).isTrue();
  }

  @Test
  void pollingRequestForAnUpgradedSessionIsBadRequest() {
    h = new PollingHarness(EngineOptions.builder().pingInterval(Duration.ofSeconds(10)).build());
    String sid = h.handshake();
    FakeWebSocket ws = new FakeWebSocket();
    assertThat(h.engine.offerUpgrade(sid, ws)).isTrue();
    ws.receive("2probe");
    ws.receive("5");

    FakeExchange get = h.get(sid);

    assertThat(get.status()).isEqualTo(400);
    assertThat(get.contentType()).isEqualTo(JSON);
    assertThat(get.bodyText()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
  }

  @Test
  void putOnAnExistingSessionGets500AndTheSessionStays() {
    String sid = h.handshake();

    FakeExchange put = h.handle(FakeExchange.request("PUT", "EIO=4&transport=polling&sid=" + sid).body("4x"));

    assertThat(put.status()).isEqualTo(500);
    assertThat(put.body()).isEmpty();
    assertThat(h.isOpen(sid)).isTrue();
    assertThat(h.messages).isEmpty();
    FakeExchange get = h.get(sid);
    h.session(sid).send("alive");
    assertThat(get.bodyText()).isEqualTo("4alive");
  }

  @Test
  void respondWritesTheRejectionAsJson() {
    FakeExchange x = FakeExchange.get("EIO=4&transport=polling");

    EngineHttpHandler.respond(x, new EngineServer.Rejection(EngineError.FORBIDDEN, "nope"));

    assertThat(x.status()).isEqualTo(403);
    assertThat(x.contentType()).isEqualTo(JSON);
    assertThat(x.bodyText()).isEqualTo("{\"code\":4,\"message\":\"nope\"}");
  }

  @Test
  void constructorRejectsNull() {
    assertThatThrownBy(() -> new EngineHttpHandler(null))
        .isInstanceOf(NullPointerException.class).hasMessage("engine == null");
  }

  // ==================================================================== CORS

  @Test
  void corsPreflightIsAnswered204WithTheAllowHeaders() {
    h = new PollingHarness(EngineOptions.builder().cors(CorsOptions.builder()
        .allowOrigin("https://app.example.com").allowCredentials(true).maxAge(Duration.ofMinutes(10)).build())
        .build());

    FakeExchange preflight = h.handle(FakeExchange.request("OPTIONS", "EIO=4&transport=polling",
        "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type"));

    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.body()).isEmpty();
    assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(preflight.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(preflight.header("Access-Control-Allow-Methods")).isEqualTo("GET,HEAD,PUT,PATCH,POST,DELETE");
    assertThat(preflight.header("Access-Control-Allow-Headers")).isEqualTo("content-type");
    assertThat(preflight.header("Access-Control-Max-Age")).isEqualTo("600");
    assertThat(preflight.header("Vary")).isEqualTo("Origin, Access-Control-Request-Headers");
    assertThat(h.engine.sessionCount()).isZero();
  }

  @Test
  void corsPreflightWithAnyOriginAndFixedHeaders() {
    h = new PollingHarness(EngineOptions.builder()
        .cors(CorsOptions.builder().allowAnyOrigin().allowHeaders("X-Token", "Content-Type")
            .allowMethods("GET", "POST").build())
        .build());

    FakeExchange preflight = h.handle(FakeExchange.request("OPTIONS", "EIO=4&transport=polling",
        "Origin", "https://elsewhere.example", "Access-Control-Request-Headers", "x-other"));

    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(preflight.header("Access-Control-Allow-Methods")).isEqualTo("GET,POST");
    assertThat(preflight.header("Access-Control-Allow-Headers")).isEqualTo("X-Token,Content-Type");
    assertThat(preflight.header("Access-Control-Allow-Credentials")).isNull();
  }

  @Test
  void corsHeadersGoOnOrdinaryResponsesToo() {
    h = new PollingHarness(EngineOptions.builder()
        .cors(CorsOptions.builder().allowOrigin("https://app.example.com").exposeHeaders("X-Id").build()).build());

    FakeExchange get = h.handle(FakeExchange.request("GET", "EIO=4&transport=polling",
        "Origin", "https://app.example.com"));
    FakeExchange refused = h.handle(FakeExchange.request("GET", "EIO=4&transport=polling&sid=nope",
        "Origin", "https://app.example.com"));

    assertThat(get.status()).isEqualTo(200);
    assertThat(get.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(get.header("Access-Control-Expose-Headers")).isEqualTo("X-Id");
    assertThat(get.header("Access-Control-Allow-Methods")).isNull();
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }

  @Test
  void disallowedOriginGetsNoCorsHeaders() {
    h = new PollingHarness(EngineOptions.builder()
        .cors(CorsOptions.builder().allowOrigin("https://app.example.com").build()).build());

    FakeExchange preflight = h.handle(FakeExchange.request("OPTIONS", "EIO=4&transport=polling",
        "Origin", "https://evil.example"));

    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.headers()).doesNotContainKeys("Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods", "Access-Control-Allow-Credentials");
  }

  @Test
  void withoutCorsAnOptionsHandshakeIsABadMethod() {
    FakeExchange options = h.handle(FakeExchange.request("OPTIONS", "EIO=4&transport=polling",
        "Origin", "https://app.example.com"));

    assertThat(options.status()).isEqualTo(400);
    assertThat(options.bodyText()).isEqualTo("{\"code\":2,\"message\":\"Bad handshake method\"}");
    assertThat(options.header("Access-Control-Allow-Origin")).isNull();
  }

  // ==================================================================== cookie

  @Test
  void cookieOptionSetsTheIoCookieOnTheHandshakeOnly() {
    h = new PollingHarness(EngineOptions.builder().cookie(CookieOptions.builder().build()).build());

    FakeExchange handshake = h.handle(FakeExchange.get("EIO=4&transport=polling"));
    String sid = handshake.bodyText().substring(9, 29);

    assertThat(handshake.header("Set-Cookie")).isEqualTo("io=" + sid + "; Path=/; HttpOnly; SameSite=Lax");
    assertThat(handshake.headersSetAfterResponse()).isZero();
    FakeExchange get = h.get(sid);
    h.session(sid).send("x");
    assertThat(get.header("Set-Cookie")).isNull();
  }

  @Test
  void customCookie() {
    h = new PollingHarness(EngineOptions.builder().cookie(CookieOptions.builder().name("sticky").path(null)
        .httpOnly(false).sameSite(null).secure(true).build()).build());

    FakeExchange handshake = h.handle(FakeExchange.get("EIO=4&transport=polling"));
    String sid = handshake.bodyText().substring(9, 29);

    assertThat(handshake.header("Set-Cookie")).isEqualTo("sticky=" + sid + "; Secure");
  }
}
