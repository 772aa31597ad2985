package dev.parley.examples.docs;

import dev.parley.ConnectError;
import dev.parley.Namespace;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.util.Objects;

/**
 * The Parley side of {@code docs/migrating-from-netty-socketio.md}, compiled with the project so the
 * page cannot rot (regions {@code chat}; the class below is the page's {@code ChatServer}).
 *
 * <pre>{@code
 * java -cp ... dev.parley.examples.docs.NettyMigrationChat
 * }</pre>
 */
final class NettyMigrationChat {
  private NettyMigrationChat() {}

  public static void main(String[] args) throws Exception {
    ChatServer.main(args);
  }

  // tag::chat[]
  public final class ChatServer {
    public record ChatMessage(String user, String text) {}

    public static void main(String[] args) throws Exception {
      SocketIoServer io = SocketIoServer.builder()
          .cors(cors -> cors.allowOrigin("http://localhost:8080").allowCredentials(true))
          .build();
      Namespace chat = io.of("/chat");
      chat.use((socket, next) -> {                          // runs for every CONNECT, auth or not
        String user = socket.handshake().auth().path("user").asText(null);
        if (user == null) {
          next.fail(new ConnectError("name required"));
          return;
        }
        socket.data().put("user", user);                    // per socket (this namespace)
        next.proceed();
      });
      chat.onConnection(socket -> {
        String room = Objects.requireNonNullElse(socket.handshake().query("room"), "lobby");
        Object user = socket.data().get("user");
        socket.join(room);
        socket.to(room).emit("joined", user);               // all but this socket
        socket.on("message", ChatMessage.class, (msg, ack) -> {
          chat.to(room).emit("message", msg);
          ack.send("ok");
        });
        socket.onDisconnect(reason -> chat.to(room).emit("left", user));
      });
      try (ParleyJetty.Running running = ParleyJetty.listen(io, "0.0.0.0", 9092)) {
        running.join();                                     // Running.close() closes io, then Jetty
      }
    }
  }
  // end::chat[]
}
