package dev.parley.examples.docs;

import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;

/**
 * The getting-started server of {@code docs/guide.md} (region {@code guide-2}), compiled with the
 * project so the guide cannot rot.
 *
 * <pre>{@code
 * java -cp ... dev.parley.examples.docs.ChatServer
 * }</pre>
 */
// tag::guide-2[]
public final class ChatServer {
  public static void main(String[] args) throws Exception {
    SocketIoServer io = SocketIoServer.builder()
        .cors(cors -> cors.allowOrigin("http://localhost:8080"))
        .build();
    io.onConnection(socket -> {
      socket.emit("welcome", "hello " + socket.id());
      socket.on("chat message", (msg, ack) -> {
        io.emit("chat message", msg.get(0));
        ack.send("delivered");
      });
    });
    try (ParleyJetty.Running running = ParleyJetty.listen(io, 3000)) {
      running.join();
    }
  }
}
// end::guide-2[]
