package dev.parley.spring.boot.bare;

import dev.parley.SocketIoServer;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** An application that only speaks Socket.IO, without Spring MVC. */
@SpringBootApplication
public class SocketOnlyApplication {
  /** The one handler. */
  @Component
  static class Echo {
    Echo(SocketIoServer io) {
      io.onConnection(socket -> socket.on("echo", (args, ack) -> ack.send(args.get(0))));
    }
  }
}
