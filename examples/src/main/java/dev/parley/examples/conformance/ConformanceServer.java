package dev.parley.examples.conformance;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.transport.jetty.ParleyJetty;
import java.time.Duration;

/**
 * The fixture servers the official conformance suites expect (PROTOCOL.md section 3), started by
 * {@code scripts/conformance-server.sh engine.io}: path {@code /engine.io/}, ping every 300 ms, 200 ms
 * to answer, 1,000,000-byte payloads, and every message echoed back unchanged.
 *
 * <pre>{@code
 * PORT=3000 scripts/conformance-server.sh engine.io
 * }</pre>
 */
public final class ConformanceServer {
  private ConformanceServer() {}

  public static void main(String[] args) throws Exception {
    String suite = args.length > 0 ? args[0] : "engine.io";
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    if (!suite.equals("engine.io")) {
      System.err.println("unknown suite '" + suite + "': expected engine.io");
      System.exit(2);
    }
    EngineServer engine = EngineServer.builder()
        .options(EngineOptions.builder()
            .path("/engine.io/")
            .pingInterval(Duration.ofMillis(300))
            .pingTimeout(Duration.ofMillis(200))
            .maxHttpBufferSize(1_000_000)
            .build())
        .build();
    engine.onConnection(session -> session.setListener(new EngineSession.Listener() {
      @Override
      public void onMessage(EngineSession s, EnginePacket packet) {
        s.send(packet);
      }

      @Override
      public void onClose(EngineSession s, String reason) {}
    }));
    ParleyJetty.Running running = ParleyJetty.listen(engine, "127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    System.out.println("engine.io conformance server listening on http://127.0.0.1:" + running.port() + "/engine.io/");
    running.join();
  }
}
