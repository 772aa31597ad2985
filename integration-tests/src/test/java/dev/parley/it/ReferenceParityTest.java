package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parley against the reference server (Node.js socket.io 4.8.4, {@code reference-server.mjs}): the same
 * raw requests to both, the answers compared field by field.
 */
class ReferenceParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TIME = "[A-Z][a-z]{2} [A-Z][a-z]{2} \\d{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT[+-]\\d{4} \\(.+\\)";
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private ReferenceServer reference() {
    ReferenceServer r = ReferenceServer.start();
    resources.add(r);
    return r;
  }

  /** A Parley server configured like reference-server.mjs by {@code configure}; returns its origin. */
  private String parley(Consumer<SocketIoServer> configure) {
    SocketIoServer io = SocketIoServer.builder()
        .pingInterval(Duration.ofSeconds(1)).pingTimeout(Duration.ofSeconds(2)).build();
    configure.accept(io);
    resources.add(io);
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    resources.add(running);
    return "http://127.0.0.1:" + running.port();
  }

  /** The same headers, in the same order, to both servers. */
  private static HttpRequest.Builder request(String origin, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(origin + pathAndQuery)).timeout(Http.TIMEOUT)
        .header("Origin", "http://example.com")
        .header("Cookie", "a=1")
        .header("Cookie", "b=2")
        .header("X-Custom", "one")
        .header("X-Custom", "two")
        .header("Accept", "*/*");
  }

  /** A raw polling session: handshake, CONNECT to "/" with {@code auth}, then polls until an event arrives. */
  private static JsonNode firstEvent(String origin, String auth) throws Exception {
    String query = "/socket.io/?EIO=4&transport=polling&t=Pq1&x=a+b%20c&rep=1&rep=2";
    HttpResponse<String> open = Http.send(request(origin, query).GET().build());
    assertThat(open.statusCode()).as(origin).isEqualTo(200);
    String sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
    String session = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
    HttpResponse<String> post = Http.send(request(origin, session).POST(HttpRequest.BodyPublishers.ofString("40" + auth))
        .build());
    assertThat(post.body()).isEqualTo("ok");
    for (int i = 0; i < 10; i++) {
      String body = Http.send(request(origin, session).GET().build()).body();
      for (String packet : body.split(Http.RS)) {
        if (packet.startsWith("42")) {
          return JSON.readTree(packet.substring(2));
        }
      }
    }
    throw new AssertionError("no event from " + origin);
  }

  @Test
  void socketHandshakeIsTheReferencesObjectFieldByField() throws Exception {
    String node = reference().origin();
    String parley = parley(io -> io.sockets().onConnection(
        s -> s.emit("handshake", s.handshake().toNodeObject())));
    String auth = "{\"token\":\"abc\",\"n\":1}";

    JsonNode expected = firstEvent(node, auth).get(1);
    JsonNode actual = firstEvent(parley, auth).get(1);

    assertThat(fieldNames(actual)).isEqualTo(fieldNames(expected));
    JsonNode expectedHeaders = expected.get("headers").deepCopy();
    JsonNode actualHeaders = actual.get("headers").deepCopy();
    assertThat(fieldNames(actualHeaders)).isEqualTo(fieldNames(expectedHeaders));
    ((com.fasterxml.jackson.databind.node.ObjectNode) expectedHeaders).remove("host"); // the ports differ
    ((com.fasterxml.jackson.databind.node.ObjectNode) actualHeaders).remove("host");
    assertThat(actualHeaders).isEqualTo(expectedHeaders);
    assertThat(actual.get("headers").get("cookie").asText()).isEqualTo("a=1; b=2");
    assertThat(actual.get("time").asText()).matches(TIME);
    assertThat(expected.get("time").asText()).matches(TIME);
    assertThat(actual.get("time").asText().replaceAll("\\d{2}:\\d{2}:\\d{2}", ""))
        .isEqualTo(expected.get("time").asText().replaceAll("\\d{2}:\\d{2}:\\d{2}", ""));
    assertThat(actual.get("issued").isIntegralNumber()).isTrue();
    assertThat(Math.abs(actual.get("issued").asLong() - expected.get("issued").asLong())).isLessThan(60_000);
    for (String field : List.of("address", "xdomain", "secure", "url", "query", "auth")) {
      assertThat(actual.get(field)).as(field).isEqualTo(expected.get(field));
    }
  }

  /**
   * Node's {@code initial_headers} and {@code headers} events against Parley's hooks: the same headers on
   * the same responses (a polling handshake, a later POST, a WebSocket handshake, an upgrade).
   */
  @Test
  void headersHooksAddTheirHeadersToTheResponsesTheReferenceAddsThemTo() throws Exception {
    String node = reference().origin();
    String parley = parley(io -> {
      io.engine().onInitialHeaders((headers, request) -> headers.put("set-cookie", List.of("initial=1; Path=/")));
      io.engine().onHeaders((headers, request) ->
          headers.put("X-Parity", List.of(String.valueOf(request.query("transport")))));
    });
    assertThat(hookedHeaders(parley)).isEqualTo(hookedHeaders(node)).containsExactly(
        "handshake set-cookie=[initial=1; Path=/] x-parity=[polling]",
        "post set-cookie=[] x-parity=[polling]",
        "websocket set-cookie=[initial=1; Path=/] x-parity=websocket",
        "upgrade set-cookie=null x-parity=websocket");
  }

  /** What the hooks added to four responses, one line each. */
  private static List<String> hookedHeaders(String origin) throws Exception {
    List<String> out = new ArrayList<>();
    HttpResponse<String> open = Http.send(request(origin, "/socket.io/?EIO=4&transport=polling").GET().build());
    out.add("handshake set-cookie=" + open.headers().allValues("set-cookie") + " x-parity="
        + open.headers().allValues("x-parity"));
    String sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
    HttpResponse<String> post = Http.send(request(origin, "/socket.io/?EIO=4&transport=polling&sid=" + sid)
        .POST(HttpRequest.BodyPublishers.ofString("40")).build());
    out.add("post set-cookie=" + post.headers().allValues("set-cookie") + " x-parity="
        + post.headers().allValues("x-parity"));
    int port = URI.create(origin).getPort();
    for (String query : List.of("EIO=4&transport=websocket", "EIO=4&transport=websocket&sid=" + sid)) {
      try (RawHttp raw = RawHttp.connect(port)) {
        raw.write(RawHttp.upgradeRequest(port, "/socket.io/?" + query));
        RawHttp.Response r = raw.readResponse();
        assertThat(r.status()).as(origin + " " + query).isEqualTo(101);
        String cookie = r.header("set-cookie");
        out.add((query.contains("sid") ? "upgrade" : "websocket") + " set-cookie="
            + (cookie == null ? null : List.of(cookie)) + " x-parity=" + r.header("x-parity"));
      }
    }
    return out;
  }

  /**
   * socket.io-client's own test "should not emit a packet twice in the 'connect' handler", 30 times in a
   * row: in its first 100 ms the client gets the OPEN, the CONNECT and the ack (when the machine is quick
   * enough for them all to come), and never a noop, because the
   * noop that releases the poll during an upgrade comes at the first 100 ms check, as in the reference.
   */
  @Test
  void theClientSeesThreePacketsInTheConnectHandlersFirst100Ms() throws Exception {
    String parley = parley(io -> io.onConnection(s -> s.on("echo", (args, ack) -> ack.send(args.get(0)))));
    java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("parley.node.dir", "src/test/node"))
        .toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "connect-packets.mjs",
        parley, "30").directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("NODE_OPTIONS");
    Process p = pb.start();
    resources.add(p::destroyForcibly);
    List<String> lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8)).lines().toList();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(lines).hasSize(30);
    int complete = 0;
    for (String line : lines.subList(3, lines.size())) { // the first ones warm the server up
      JsonNode tr = JSON.readTree(line);
      JsonNode received = tr.get("received");
      // never a fourth packet (the noop of an upgrade) in the connect handler's first 100 ms
      assertThat(received.size()).as(line).isLessThanOrEqualTo(3);
      if (received.size() == 3) {
        complete++;
        assertThat(tr.get("sent").toString()).as(line).isEqualTo("[\"0\",\"20[\\\"echo\\\",null]\"]");
        assertThat(received.get(2).asText()).as(line).isEqualTo("30[null]");
      }
    }
    assertThat(complete).as("tries whose ack came within 100 ms: %s", lines).isPositive();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
