package dev.parley.examples.spring;

import dev.parley.ConnectError;
import dev.parley.SocketIoServer;
import org.springframework.stereotype.Component;

// tag::sockets[]
/** The Socket.IO side: who may connect, and the room each user's tabs share. */
@Component
public class NotificationSockets {
  /** Registers the middleware and handlers on the starter's server. */
  public NotificationSockets(SocketIoServer io) {
    io.use((socket, next) -> {
      String user = socket.handshake().auth().path("user").asText("");
      if (user.isBlank()) {
        next.fail(new ConnectError("auth.user is required"));
      } else {
        socket.data().put("user", user);
        next.proceed();
      }
    });
    io.onConnection(socket -> socket.join(room(socket.data().get("user").toString())));
  }

  /** The room of one user's connections. */
  public static String room(String user) {
    return "user:" + user;
  }
}
// end::sockets[]
