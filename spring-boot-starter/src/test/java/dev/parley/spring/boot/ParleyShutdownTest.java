package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.DisconnectReason;
import dev.parley.SocketIoServer;
import dev.parley.spring.boot.app.EchoApplication;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The end of a Boot application's Socket.IO server: the {@code parley} health component goes DOWN
 * when the server is closed, and closing the application (graceful shutdown, Boot's default)
 * disconnects connected clients, polling and WebSocket, before the web server stops.
 */
@Timeout(120)
class ParleyShutdownTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(EchoApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1",
            "management.endpoints.web.exposure.include=health,prometheus",
            "management.endpoint.health.show-details=always")
        .properties(properties)
        .run();
  }

  private static String origin(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  @Test
  void healthGoesDownWhenTheServerIsClosed() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      String origin = origin(context);
      assertThat(parleyStatus(Http.get(origin + "/actuator/health"))).isEqualTo("UP");

      context.getBean(SocketIoServer.class).close();

      HttpResponse<String> down = Http.get(origin + "/actuator/health");
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
      assertThat(parleyStatus(down)).isEqualTo("DOWN");
    }
  }

  @Test
  void closingTheApplicationDisconnectsItsClientsFirst() throws InterruptedException {
    ConfigurableApplicationContext context = start("server.shutdown=graceful",
        "spring.lifecycle.timeout-per-shutdown-phase=20s");
    try (NodeSocket ws = NodeSocket.connect(origin(context), Map.of("transports", List.of("websocket")));
        NodeSocket polling = NodeSocket.connect(origin(context), Map.of("transports", List.of("polling")))) {
      ws.await("connect");
      polling.await("connect");
      SocketIoServer io = context.getBean(SocketIoServer.class);
      assertThat(context.getBean(ParleyLifecycle.class).drainTimeout()).isEqualTo(Duration.ofSeconds(20));
      for (int i = 0; i < 200 && io.stats().connectedSockets() < 2; i++) {
        Thread.sleep(50);
      }
      assertThat(io.stats().connectedSockets()).isEqualTo(2);

      context.close();

      assertThat(ws.await("disconnect").path("reason").asText()).isIn("io server disconnect", "transport close");
      assertThat(polling.await("disconnect").path("reason").asText()).isIn("io server disconnect", "transport close");
      assertThat(io.engine().isClosed()).isTrue();
      assertThat(io.stats().disconnects(DisconnectReason.SERVER_SHUTTING_DOWN)).isEqualTo(2);
    } finally {
      context.close();
    }
  }

  private static String parleyStatus(HttpResponse<String> health) throws Exception {
    JsonNode json = JSON.readTree(health.body());
    return json.path("components").path("parley").path("status").asText();
  }
}
