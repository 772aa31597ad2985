package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.engine.TransportKind;
import dev.parley.spring.boot.app.EchoApplication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mock.env.MockEnvironment;

/**
 * {@code parley.*} properties that change what clients see (another path, WebSocket only), and the
 * Redis URI the adapters get from {@code parley.redis.*} or Boot's {@code spring.data.redis.*}.
 */
@Timeout(120)
class ParleyPropertiesTest {
  @Test
  void anotherPathAndWebSocketOnly() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(EchoApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1", "parley.path=/realtime",
            "parley.transports=websocket", "parley.recovery.enabled=true", "parley.metrics.enabled=false")
        .run()) {
      SocketIoServer io = context.getBean(SocketIoServer.class);
      assertThat(io.engine().options().path()).isEqualTo("/realtime/");
      assertThat(io.engine().options().transports()).containsExactly(TransportKind.WEBSOCKET);
      assertThat(context.getBeansOfType(dev.parley.metrics.micrometer.ParleyMetrics.class)).isEmpty();
      String origin = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();

      try (NodeSocket client = NodeSocket.connect(origin,
          Map.of("path", "/realtime/", "transports", List.of("websocket")))) {
        client.await("connect");
        assertThat(client.emitWithAck("echo", "over /realtime/").get(0).asText()).isEqualTo("over /realtime/");
      }
      // polling is off: the handshake is refused; the default path is the application's (no handler: 404)
      assertThat(Http.get(origin + "/realtime/?EIO=4&transport=polling").statusCode()).isEqualTo(400);
      assertThat(Http.get(origin + "/socket.io/?EIO=4&transport=polling").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void theRedisUriComesFromParleyOrFromBootsRedisSettings() {
    ParleyProperties.Redis redis = new ParleyProperties().getRedis();
    MockEnvironment env = new MockEnvironment();
    assertThat(RedisAdapters.uri(redis, env)).isEqualTo("redis://localhost:6379/0");

    env.setProperty("spring.data.redis.host", "redis.internal");
    env.setProperty("spring.data.redis.port", "6380");
    env.setProperty("spring.data.redis.database", "2");
    env.setProperty("spring.data.redis.username", "app");
    env.setProperty("spring.data.redis.password", "p@ss word");
    env.setProperty("spring.data.redis.ssl.enabled", "true");
    assertThat(RedisAdapters.uri(redis, env)).isEqualTo("rediss://app:p%40ss%20word@redis.internal:6380/2");

    env.setProperty("spring.data.redis.url", "redis://boot:6379");
    assertThat(RedisAdapters.uri(redis, env)).isEqualTo("redis://boot:6379");

    redis.setUrl("redis://parley:6379/1");
    assertThat(RedisAdapters.uri(redis, env)).isEqualTo("redis://parley:6379/1");
  }
}
