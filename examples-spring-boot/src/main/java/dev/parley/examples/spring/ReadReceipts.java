package dev.parley.examples.spring;

import dev.parley.Socket;
import dev.parley.spring.boot.OnEvent;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

// tag::on-event[]
/** Read receipts: a client says which notification it showed, and the user's other tabs learn it. */
@Component
public class ReadReceipts {
  /** What a client sends: the notification it showed. */
  public record Read(String at) {}

  private final Map<String, Set<String>> readByUser = new ConcurrentHashMap<>();

  /** Handles {@code socket.emit("read", {at}, ack)}: the ack is the count of notifications read. */
  @OnEvent("read")
  public int read(Socket socket, Read read) {
    String user = socket.data().get("user").toString();
    Set<String> seen = readByUser.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet());
    seen.add(read.at());
    socket.to(NotificationSockets.room(user)).emit("read", read.at());   // the user's other tabs
    return seen.size();
  }
}
// end::on-event[]
