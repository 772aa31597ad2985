package dev.parley.it;

import static dev.parley.it.Http.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.CookieOptions;
import dev.parley.engine.CorsOptions;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.TransportKind;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CORS, the {@code io} cookie, the {@code transports} and {@code path} options, on a real Jetty. */
class ServerOptionsTest {
  private static final String APP = "http://app.test";

  private final List<TestServer> servers = new ArrayList<>();
  private final List<NodeClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(NodeClient::close);
    servers.forEach(TestServer::close);
  }

  private TestServer server(EngineOptions options) {
    TestServer s = TestServer.start(options);
    servers.add(s);
    return s;
  }

  private static HttpResponse<String> getWithOrigin(URI uri, String origin) {
    return Http.send(Http.request(uri).header("Origin", origin).GET().build());
  }

  private static HttpResponse<String> preflight(URI uri, String origin) {
    return Http.send(Http.request(uri)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  // ------------------------------------------------------------------ CORS

  @Test
  void corsPreflightIs204WithTheAllowHeaders() {
    TestServer server = server(EngineOptions.builder()
        .cors(CorsOptions.builder().allowOrigin(APP).allowCredentials(true).build()).build());

    HttpResponse<String> r = preflight(server.uri("EIO=4&transport=polling"), APP);

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(header(r, "Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(header(r, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(r, "Access-Control-Allow-Methods")).isEqualTo("GET,HEAD,PUT,PATCH,POST,DELETE");
    assertThat(header(r, "Access-Control-Allow-Headers")).isEqualTo("content-type");
    assertThat(r.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
    assertThat(server.engine().sessionCount()).isZero();
  }

  @Test
  void corsHeadersOnHandshakeLaterRequestsAndErrors() {
    TestServer server = server(EngineOptions.builder()
        .cors(CorsOptions.builder().allowOrigin(APP).allowCredentials(true).exposeHeaders("X-Custom").build())
        .build());

    HttpResponse<String> handshake = getWithOrigin(server.uri("EIO=4&transport=polling"), APP);
    assertThat(handshake.statusCode()).isEqualTo(200);
    assertThat(header(handshake, "Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(header(handshake, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(handshake, "Access-Control-Expose-Headers")).isEqualTo("X-Custom");
    String sid = Http.Handshake.parse(handshake).sid();

    HttpResponse<String> post = Http.send(Http.request(server.uri("EIO=4&transport=polling&sid=" + sid))
        .header("Origin", APP).POST(HttpRequest.BodyPublishers.ofString("4cors")).build());
    assertThat(post.body()).isEqualTo("ok");
    assertThat(header(post, "Access-Control-Allow-Origin")).isEqualTo(APP);
    HttpResponse<String> get = getWithOrigin(server.uri("EIO=4&transport=polling&sid=" + sid), APP);
    assertThat(get.body()).isEqualTo("4cors");
    assertThat(header(get, "Access-Control-Allow-Origin")).isEqualTo(APP);

    // a browser must be able to read error answers too
    HttpResponse<String> error = getWithOrigin(server.uri("EIO=4&transport=polling&sid=nope"), APP);
    assertError(error, 400, 1, "Session ID unknown");
    assertThat(header(error, "Access-Control-Allow-Origin")).isEqualTo(APP);
  }

  @Test
  void corsGivesNothingToOriginsNotAllowed() {
    TestServer server = server(EngineOptions.builder()
        .cors(CorsOptions.builder().allowOrigin(APP).allowCredentials(true).build()).build());

    HttpResponse<String> get = getWithOrigin(server.uri("EIO=4&transport=polling"), "http://evil.test");
    assertThat(get.statusCode()).isEqualTo(200); // the browser, not the server, enforces CORS
    assertThat(header(get, "Access-Control-Allow-Origin")).isNull();
    assertThat(header(get, "Access-Control-Allow-Credentials")).isNull();

    HttpResponse<String> pre = preflight(server.uri("EIO=4&transport=polling"), "http://evil.test");
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(header(pre, "Access-Control-Allow-Origin")).isNull();
    assertThat(header(pre, "Access-Control-Allow-Methods")).isNull();
  }

  @Test
  void corsAnyOriginIsAStarWithoutCredentialsAndTheOriginWithThem() {
    TestServer star = server(EngineOptions.builder().cors(CorsOptions.builder().allowAnyOrigin().build()).build());
    HttpResponse<String> r = getWithOrigin(star.uri("EIO=4&transport=polling"), "http://anywhere.test");
    assertThat(header(r, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(header(r, "Access-Control-Allow-Credentials")).isNull();

    TestServer creds = server(EngineOptions.builder()
        .cors(CorsOptions.builder().allowAnyOrigin().allowCredentials(true).maxAge(Duration.ofMinutes(10)).build())
        .build());
    HttpResponse<String> c = getWithOrigin(creds.uri("EIO=4&transport=polling"), "http://anywhere.test");
    assertThat(header(c, "Access-Control-Allow-Origin")).isEqualTo("http://anywhere.test");
    assertThat(header(c, "Access-Control-Allow-Credentials")).isEqualTo("true");
    HttpResponse<String> pre = preflight(creds.uri("EIO=4&transport=polling"), "http://anywhere.test");
    assertThat(header(pre, "Access-Control-Max-Age")).isEqualTo("600");
  }

  @Test
  void withoutCorsThereAreNoCorsHeadersAndOptionsIsABadHandshake() {
    TestServer server = server(EngineOptions.defaults());
    HttpResponse<String> get = getWithOrigin(server.uri("EIO=4&transport=polling"), APP);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(header(get, "Access-Control-Allow-Origin")).isNull();
    assertError(preflight(server.uri("EIO=4&transport=polling"), APP), 400, 2, "Bad handshake method");
  }

  // ------------------------------------------------------------------ cookie

  @Test
  void ioCookieIsSetOnTheHandshakeOnly() {
    TestServer server = server(EngineOptions.builder().cookie(CookieOptions.builder().build()).build());
    HttpResponse<String> r = Http.get(server.uri("EIO=4&transport=polling"));
    String sid = Http.Handshake.parse(r).sid();
    assertThat(r.headers().allValues("Set-Cookie")).containsExactly("io=" + sid + "; Path=/; HttpOnly; SameSite=Lax");

    assertThat(Http.post(server.uri("EIO=4&transport=polling&sid=" + sid), "4x").headers().firstValue("Set-Cookie"))
        .isEmpty();
    assertThat(Http.get(server.uri("EIO=4&transport=polling&sid=" + sid)).headers().firstValue("Set-Cookie"))
        .isEmpty();
  }

  @Test
  void customCookie() {
    TestServer server = server(EngineOptions.builder()
        .cookie(CookieOptions.builder().name("sticky").path("/rt").httpOnly(false).secure(true).sameSite("None").build())
        .build());
    HttpResponse<String> r = Http.get(server.uri("EIO=4&transport=polling"));
    String sid = Http.Handshake.parse(r).sid();
    assertThat(r.headers().allValues("Set-Cookie")).containsExactly("sticky=" + sid + "; Path=/rt; Secure; SameSite=None");
  }

  @Test
  void noCookieByDefault() {
    TestServer server = server(EngineOptions.defaults());
    assertThat(Http.get(server.uri("EIO=4&transport=polling")).headers().firstValue("Set-Cookie")).isEmpty();
  }

  // ------------------------------------------------------------------ transports

  @Test
  void websocketOnlyServerRefusesPolling() {
    TestServer server = server(EngineOptions.builder().transports(TransportKind.WEBSOCKET).build());
    assertError(Http.get(server.uri("EIO=4&transport=polling")), 400, 0, "Transport unknown");

    JdkWebSocket ws = JdkWebSocket.open(server.wsUri("EIO=4&transport=websocket"));
    try {
      assertThat(ws.awaitText(0).text()).startsWith("0{").contains("\"upgrades\":[]");
    } finally {
      ws.abort();
    }

    NodeClient client = NodeClient.connect(server.origin(), Map.of("transports", List.of("websocket")));
    clients.add(client);
    assertThat(client.awaitEvent("open").field("transport")).isEqualTo("websocket");
  }

  @Test
  void pollingOnlyServerRefusesWebSocketAndAdvertisesNoUpgrade() {
    TestServer server = server(EngineOptions.builder().transports(TransportKind.POLLING).build());
    assertError(Http.get(server.uri("EIO=4&transport=websocket")), 400, 0, "Transport unknown");
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write(RawHttp.upgradeRequest(server.port(), "/engine.io/?EIO=4&transport=websocket"));
      RawHttp.Response r = raw.readResponse();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).isEqualTo("Transport unknown");
    }
    Http.Handshake h = Http.handshake(server);
    assertThat(h.json().get("upgrades").toString()).isEqualTo("[]");

    // the default client (polling, then upgrade) stays on polling and works
    NodeClient client = NodeClient.connect(server.origin(), Map.of());
    clients.add(client);
    assertThat(client.awaitEvent("open").field("transport")).isEqualTo("polling");
    client.send("still polling");
    assertThat(client.awaitMessages(1).get(0).text()).isEqualTo("still polling");
    assertThat(client.events().snapshot()).noneMatch(e -> e.type().startsWith("upgrad"));
  }

  // ------------------------------------------------------------------ path

  @Test
  void customPath() {
    TestServer server = server(EngineOptions.builder().path("/realtime").build());
    assertThat(server.engine().options().path()).isEqualTo("/realtime/");

    assertThat(Http.get(URI.create(server.origin() + "/realtime/?EIO=4&transport=polling")).statusCode()).isEqualTo(200);
    assertThat(Http.get(URI.create(server.origin() + "/engine.io/?EIO=4&transport=polling")).statusCode()).isEqualTo(404);
    assertThat(Http.get(URI.create(server.origin() + "/realtime?EIO=4&transport=polling")).statusCode()).isEqualTo(404);
    assertThat(server.engine().sessionCount()).isEqualTo(1);

    NodeClient client = NodeClient.connect(server.origin(), Map.of("path", "/realtime/"));
    clients.add(client);
    client.awaitEvent("open");
    assertThat(client.awaitEvent("upgrade").field("transport")).isEqualTo("websocket");
    client.send("over /realtime/");
    assertThat(client.awaitMessages(1).get(0).text()).isEqualTo("over /realtime/");
  }
}
