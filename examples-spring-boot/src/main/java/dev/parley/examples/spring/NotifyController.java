package dev.parley.examples.spring;

import dev.parley.SocketIoServer;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

// tag::controller[]
/** The REST side, on the same port: other services post notifications here. */
@RestController
public class NotifyController {
  private final SocketIoServer io;

  /** A controller emitting through the starter's server. */
  public NotifyController(SocketIoServer io) {
    this.io = io;
  }

  /** Sends {@code text} to every connected tab of {@code user}; answers how many sockets it reached here. */
  @PostMapping("/notify/{user}")
  public Map<String, Object> notify(@PathVariable("user") String user, @RequestBody String text) {
    String room = NotificationSockets.room(user);
    io.to(room).emit("notification", Map.of("text", text, "at", Instant.now().toString()));
    return Map.of("user", user, "sockets", io.sockets().adapter().sockets(Set.of(room)).size());
  }
}
// end::controller[]
