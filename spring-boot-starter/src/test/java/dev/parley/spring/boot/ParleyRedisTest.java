package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.RemoteSocket;
import dev.parley.SocketIoServer;
import dev.parley.spring.boot.app.EchoApplication;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two applications with {@code parley.adapter=redis}, on the Redis of Boot's own
 * {@code spring.data.redis.*} settings (127.0.0.1:6379, a fresh key): one cluster, a request between
 * them counted in the Prometheus scrape, and the Redis connection's state in the health component.
 */
@Timeout(120)
class ParleyRedisTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ConfigurableApplicationContext start(String key) {
    return new SpringApplicationBuilder(EchoApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1",
            "management.endpoints.web.exposure.include=health,prometheus",
            "management.endpoint.health.show-details=always",
            "parley.adapter=redis", "parley.redis.key=" + key,
            "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=6379")
        .run();
  }

  private static String origin(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  @Test
  void twoApplicationsFormOneClusterOnBootsRedisSettings() throws Exception {
    String key = "parley-boot-test-" + UUID.randomUUID().toString().substring(0, 8);
    try (ConfigurableApplicationContext a = start(key);
        ConfigurableApplicationContext b = start(key);
        NodeSocket client = NodeSocket.connect(origin(a), Map.of("transports", List.of("websocket")))) {
      String id = client.await("connect").path("id").asText();

      // B asks the cluster: the socket of A is there
      List<RemoteSocket> sockets = b.getBean(SocketIoServer.class).fetchSockets().get(20, TimeUnit.SECONDS);
      assertThat(sockets).extracting(RemoteSocket::id).contains(id);

      String scrape = Http.get(origin(b) + "/actuator/prometheus").body();
      assertThat(Http.sample(scrape, "parley_adapter_requests_total")).isGreaterThanOrEqualTo(1);
      assertThat(Http.sample(scrape, "parley_adapter_request_timeouts_total")).isZero();
      assertThat(Http.sample(scrape, "parley_adapter_reachable")).isEqualTo(1);
      assertThat(Http.sample(scrape, "parley_adapter_outages_total")).isZero();

      JsonNode parley = JSON.readTree(Http.get(origin(a) + "/actuator/health").body()).path("components").path("parley");
      assertThat(parley.path("status").asText()).isEqualTo("UP");
      assertThat(parley.path("details").path("adapter").asText()).isEqualTo("RedisAdapter");
      assertThat(parley.path("details").path("backendReachable").asBoolean()).isTrue();
      client.disconnect();
    }
  }
}
