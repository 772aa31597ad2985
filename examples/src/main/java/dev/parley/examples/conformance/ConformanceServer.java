package dev.parley.examples.conformance;

import dev.parley.SocketIoServer;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.transport.jetty.ParleyJetty;
import java.time.Duration;

/**
 * The fixture servers the official conformance suites expect (PROTOCOL.md section 3), started by
 * {@code scripts/conformance-server.sh engine.io|socket.io}. Engine.IO: path {@code /engine.io/}, ping
 * every 300 ms, 200 ms to answer, 1,000,000-byte payloads, every message echoed back unchanged.
 *
 * <pre>{@code
 * PORT=3000 scripts/conformance-server.sh engine.io
 * PORT=3000 scripts/conformance-server.sh socket.io
 * }</pre>
 */
public final class ConformanceServer {
  private ConformanceServer() {}

  public static void main(String[] args) throws Exception {
    String suite = args.length > 0 ? args[0] : "engine.io";
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    ParleyJetty.Running running;
    if (suite.equals("socket.io")) {
      running = ParleyJetty.listen(socketIo(), "127.0.0.1", port);
    } else if (suite.equals("engine.io")) {
      running = ParleyJetty.listen(engineIo(), "127.0.0.1", port);
    } else {
      System.err.println("unknown suite '" + suite + "': expected engine.io or socket.io");
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    System.out.println(suite + " conformance server listening on http://127.0.0.1:" + running.port()
        + " (WebSocket path: " + running.handler().webSocketPath() + ")");
    running.join();
  }

  /**
   * The Socket.IO v5 suite's fixture: path {@code /socket.io/}, the same timings, connectTimeout
   * 1000 ms; on {@code /} and {@code /custom} emit "auth" with the handshake auth; on {@code /},
   * "message" is echoed as "message-back" and "message-with-ack" is acked with its arguments.
   */
  static SocketIoServer socketIo() {
    SocketIoServer io = SocketIoServer.builder()
        .pingInterval(Duration.ofMillis(300))
        .pingTimeout(Duration.ofMillis(200))
        .maxHttpBufferSize(1_000_000)
        .connectTimeout(Duration.ofMillis(1000))
        .build();
    io.onConnection(socket -> {
      socket.emit("auth", socket.handshake().auth());
      socket.on("message", (args, ack) -> socket.emit("message-back", args.values().toArray()));
      socket.on("message-with-ack", (args, ack) -> ack.send(args.values().toArray()));
    });
    io.of("/custom").onConnection(socket -> socket.emit("auth", socket.handshake().auth()));
    return io;
  }

  static EngineServer engineIo() {
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
    return engine;
  }
}
