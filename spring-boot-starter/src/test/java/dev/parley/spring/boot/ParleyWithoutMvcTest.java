package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.spring.boot.bare.SocketOnlyApplication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.servlet.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The starter without Spring MVC (hidden from the application's class loader): Boot still starts its
 * Jetty, as a servlet application thanks to spring-web, and the official client talks to the server
 * on its port. And on a web server that is not Jetty, the start fails and says what to change.
 */
@Timeout(120)
class ParleyWithoutMvcTest {
  @Test
  void anotherWebServerThanJettyFailsTheStartWithWhatToDo() {
    // without MVC, whose beans would want the servlet context a real server gives them
    FilteredClassLoader withoutMvc = new FilteredClassLoader("org.springframework.web.servlet.");
    assertThatThrownBy(() -> new SpringApplicationBuilder(SocketOnlyApplication.class, OtherServer.class)
        .resourceLoader(new DefaultResourceLoader(withoutMvc))
        .properties("server.port=0").run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runs on OtherWebServer").hasMessageContaining("exclude spring-boot-starter-tomcat");
  }

  /** A servlet web server factory that is not Jetty, as Tomcat's would be. */
  @Configuration(proxyBeanMethods = false)
  static class OtherServer {
    @Bean
    ServletWebServerFactory otherServer() {
      return initializers -> new OtherWebServer();
    }
  }

  /** A web server that serves nothing. */
  static final class OtherWebServer implements WebServer {
    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public int getPort() {
      return 0;
    }
  }

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
