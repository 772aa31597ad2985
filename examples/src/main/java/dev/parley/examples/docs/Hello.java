package dev.parley.examples.docs;

// tag::readme[]
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;

public class Hello {
  public static void main(String[] args) throws Exception {
    SocketIoServer io = SocketIoServer.builder()
        .cors(cors -> cors.allowOrigin("http://localhost:8080"))
        .build();
    io.onConnection(socket -> {
      socket.join("lobby");
      socket.on("chat message", (msg, ack) -> {
        socket.to("lobby").emit("chat message", msg.get(0));   // everyone in the lobby but the sender
        ack.send("delivered");
      });
    });
    ParleyJetty.listen(io, 3000).join();
  }
}
// end::readme[]
