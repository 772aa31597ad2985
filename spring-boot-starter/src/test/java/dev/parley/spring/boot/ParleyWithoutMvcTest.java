package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.spring.boot.bare.SocketOnlyApplication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The starter without Spring MVC (hidden from the application's class loader): Boot still starts its
 * Jetty, as a servlet application thanks to spring-web, and the official client talks to the server
 * on its port.
 */
@Timeout(120)
class ParleyWithoutMvcTest {
  @Test
  void theStarterAloneServesSocketIo() {
    FilteredClassLoader withoutMvc = new FilteredClassLoader("org.springframework.web.servlet.");
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SocketOnlyApplication.class)
        .resourceLoader(new DefaultResourceLoader(withoutMvc))
        .properties("server.port=0", "server.address=127.0.0.1")
        .run()) {
      assertThat(context.containsBean("dispatcherServlet")).isFalse();
      String origin = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
      try (NodeSocket client = NodeSocket.connect(origin, Map.of("transports", List.of("polling", "websocket")))) {
        client.await("connect");
        assertThat(client.emitWithAck("echo", "bare").get(0).asText()).isEqualTo("bare");
      }
    }
  }
}
