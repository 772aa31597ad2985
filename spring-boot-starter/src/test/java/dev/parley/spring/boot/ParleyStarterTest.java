package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.SocketIoServer;
import dev.parley.engine.TransportKind;
import dev.parley.metrics.micrometer.ParleyMetrics;
import dev.parley.spring.boot.app.EchoApplication;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The application (Jetty, Actuator, the Prometheus registry, the starter and one echo
 * component) on a random port: the official JS client over each transport on the Boot port, the
 * application's own endpoint beside it, the meters moving in a Prometheus scrape over HTTP, the
 * {@code parley} health component and the properties bound.
 */
@SpringBootTest(classes = EchoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,prometheus",
      "management.endpoint.health.show-details=always",
      "parley.ping-interval=5000",
      "parley.ping-timeout=4s",
      "parley.max-http-buffer-size=512KB",
      "parley.cors.allowed-origins=https://app.example.com",
    })
@Timeout(120)
class ParleyStarterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort
  int port;

  @Autowired
  SocketIoServer io;

  @Autowired
  ParleyMetrics metrics;

  @Autowired
  ParleyLifecycle lifecycle;

  @Autowired
  ParleyMount mount;

  private String origin() {
    return "http://127.0.0.1:" + port;
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "polling", "upgrade"})
  void theOfficialClientTalksToTheInjectedServerOnTheBootPort(String mode) {
    Map<String, Object> options = switch (mode) {
      case "websocket" -> Map.of("transports", List.of("websocket"));
      case "polling" -> Map.of("transports", List.of("polling"));
      default -> Map.of("transports", List.of("polling", "websocket"), "upgrade", true);
    };
    try (NodeSocket client = NodeSocket.connect(origin(), options)) {
      JsonNode opened = client.await("open");
      assertThat(opened.path("transport").asText()).isEqualTo(mode.equals("upgrade") ? "polling" : mode);
      client.await("connect");
      if (mode.equals("upgrade")) {
        assertThat(client.await("upgrade").path("transport").asText()).isEqualTo("websocket");
      }
      assertThat(client.emitWithAck("echo", Map.of("hello", mode)).get(0).path("hello").asText()).isEqualTo(mode);
      client.disconnect();
    }
  }

  @Test
  void onEventMethodsOfBeansAreHandlers() {
    try (NodeSocket client = NodeSocket.connect(origin(), Map.of("transports", List.of("websocket")));
        NodeSocket math = NodeSocket.connect(origin() + "/math", Map.of("transports", List.of("websocket")))) {
      String id = client.await("connect").path("id").asText();
      assertThat(client.emitWithAck("greet", Map.of("name", "ann", "times", 2)).get(0).asText())
          .isEqualTo("hello ann hello ann");
      assertThat(client.emitWithAck("whoami").get(0).asText()).isEqualTo(id); // a CompletionStage's value
      math.await("connect");
      assertThat(math.emitWithAck("add", 2, 3).get(0).asInt()).isEqualTo(5);
    }
  }

  @Test
  void theApplicationsOwnEndpointsShareThePort() {
    HttpResponse<String> hello = Http.get(origin() + "/hello");
    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(hello.body()).isEqualTo("hello");
  }

  @Test
  void prometheusShowsTheMetersMovingAsClientsConnectEmitAndLeave() throws Exception {
    String before = scrape();
    for (String meter : List.of("parley_connections_opened_total", "parley_sockets_connects_total",
        "parley_events_received_total", "parley_events_sent_total", "parley_broadcasts_total",
        "parley_acks_sent_total", "parley_engine_received_bytes_total", "parley_engine_sent_bytes_total",
        "parley_engine_dropped_packets_total", "parley_recovery_attempts_total", "parley_ack_round_trip_seconds_count")) {
      assertThat(Http.sample(before, meter)).as(meter + " in\n" + before).isNotNaN();
    }
    double connects = Http.sample(before, "parley_sockets_connects_total");
    double received = Http.sample(before, "parley_events_received_total");
    double leftByClient = Http.sample(before, "parley_sockets_disconnects_total", "reason", "client_namespace_disconnect");

    try (NodeSocket client = NodeSocket.connect(origin(), Map.of("transports", List.of("websocket")))) {
      client.await("connect");
      awaitSample("parley_sockets_connected", v -> v >= 1, "namespace", "/");
      assertThat(Http.sample(scrape(), "parley_connections_open", "transport", "websocket")).isGreaterThanOrEqualTo(1);
      awaitSample("parley_sockets_connects_total", v -> v > connects);

      client.emitWithAck("echo", "one");
      client.emitWithAck("echo", "two");
      awaitSample("parley_events_received_total", v -> v >= received + 2);

      client.disconnect();
      awaitSample("parley_sockets_disconnects_total", v -> v >= leftByClient + 1,
          "reason", "client_namespace_disconnect");
    }
  }

  @Test
  void everyMeterOfTheMetricsPageIsInTheScrape() throws Exception {
    // the last column of docs/metrics.md's table: the names Prometheus shows
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("../docs/metrics.md"))) {
      if (line.startsWith("| `parley.")) {
        String last = line.substring(line.lastIndexOf('|', line.length() - 2));
        Matcher m = Pattern.compile("`(parley_[a-z_]+)`").matcher(last);
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    assertThat(names).hasSizeGreaterThan(20);
    String scrape = scrape();
    assertThat(names).allSatisfy(name -> assertThat(scrape).as(name).containsPattern("(?m)^" + name + "[ {]"));
  }

  @Test
  void healthHasAParleyComponentThatIsUp() throws Exception {
    HttpResponse<String> health = Http.get(origin() + "/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode parley = JSON.readTree(health.body()).path("components").path("parley");
    assertThat(parley.path("status").asText()).as(health.body()).isEqualTo("UP");
    assertThat(parley.path("details").has("connections")).isTrue();
    assertThat(parley.path("details").path("adapter").asText()).isEqualTo("InMemoryAdapter");
  }

  @Test
  void thePropertiesConfigureTheServer() {
    assertThat(io.engine().options().pingIntervalMillis()).isEqualTo(5000); // a plain number: ms
    assertThat(io.engine().options().pingTimeoutMillis()).isEqualTo(4000);
    assertThat(io.engine().options().maxHttpBufferSize()).isEqualTo(512 * 1024);
    assertThat(io.engine().options().path()).isEqualTo("/socket.io/");
    assertThat(io.engine().options().transports()).containsExactlyInAnyOrder(TransportKind.POLLING, TransportKind.WEBSOCKET);
    assertThat(metrics.server()).isSameAs(io);
    assertThat(mount.isMounted()).isTrue();
    assertThat(lifecycle.drainTimeout()).isEqualTo(Duration.ofSeconds(30)); // Boot's timeout-per-shutdown-phase
    // CORS: the configured origin is allowed on a polling handshake, another is not
    HttpResponse<String> allowed = Http.get(origin() + "/socket.io/?EIO=4&transport=polling", "https://app.example.com");
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
    HttpResponse<String> other = Http.get(origin() + "/socket.io/?EIO=4&transport=polling", "https://evil.example.com");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  private String scrape() {
    HttpResponse<String> r = Http.get(origin() + "/actuator/prometheus");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private void awaitSample(String name, DoublePredicate condition, String... labels) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = scrape();
      if (condition.test(Http.sample(last, name, labels))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " " + List.of(labels) + " did not reach the expected value; last scrape:\n" + last);
  }
}
