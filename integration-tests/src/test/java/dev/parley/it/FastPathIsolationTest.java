package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fast path's classes are loaded only once its check has passed: a JVM whose Parley runs on the
 * public path (here forced with {@code -Dparley.websocket.path=public}) serves a WebSocket client
 * without ever loading {@code FrameConnection}, {@code FrameWriter} or {@code NonBlockingHandshaker}
 * ({@code -verbose:class} lists every class the JVM loads), and says once at INFO which path it took.
 */
class FastPathIsolationTest {
  @Test
  void onThePublicPathNoFastPathClassIsEverLoaded() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-verbose:class", "-Dparley.websocket.path=public",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-cp", System.getProperty("java.class.path"),
        PublicPathServer.class.getName())
        .redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      out = buf.toString(StandardCharsets.UTF_8);
    } finally {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("echoed over WebSocket");
    assertThat(out).contains("dev.parley.transport.jetty.JettyWebSocketTransport");
    for (String fast : List.of("FrameConnection", "FrameWriter", "NonBlockingHandshaker", "PooledBuffers")) {
      assertThat(out).as("loaded on the public path").doesNotContain("dev.parley.transport.jetty." + fast + " ");
    }
    assertThat(out).contains("WebSocket connections use Jetty's WebSocket API (public path), as -Dparley.websocket.path asks");
  }

  /** Run in the child JVM: a server on the public path, one WebSocket echo, then exit. */
  public static final class PublicPathServer {
    public static void main(String[] args) {
      EngineServer engine = EngineServer.builder().options(EngineOptions.defaults()).build();
      engine.onConnection(session -> session.setListener(new dev.parley.engine.EngineSession.Listener() {
        @Override
        public void onMessage(dev.parley.engine.EngineSession s, dev.parley.engine.EnginePacket packet) {
          s.send(packet);
        }

        @Override
        public void onClose(dev.parley.engine.EngineSession s, String reason) {}
      }));
      try (ParleyJetty.Running running = ParleyJetty.listen(engine, "127.0.0.1", 0)) {
        JdkWebSocket ws = JdkWebSocket.open(java.net.URI.create(
            "ws://127.0.0.1:" + running.port() + "/engine.io/?EIO=4&transport=websocket"));
        ws.awaitText(0);
        ws.sendText("4hello");
        assertThat(ws.awaitText(1).text()).isEqualTo("4hello");
        ws.abort();
        System.out.println("echoed over WebSocket");
      }
      System.exit(0);
    }
  }
}
