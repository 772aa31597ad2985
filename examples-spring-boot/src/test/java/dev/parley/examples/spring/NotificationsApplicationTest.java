package dev.parley.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example service on a random port, with the official Java client and plain HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(60)
class NotificationsApplicationTest {
  @LocalServerPort
  int port;

  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void closeClients() {
    sockets.forEach(Socket::close);
  }

  @Test
  void aNotificationPostedOverRestReachesTheUsersSocket() throws Exception {
    BlockingQueue<JSONObject> received = new LinkedBlockingQueue<>();
    Socket ann = socket(Map.of("user", "ann"));
    ann.on("notification", args -> received.add((JSONObject) args[0]));
    CompletableFuture<Void> connected = new CompletableFuture<>();
    ann.once(Socket.EVENT_CONNECT, args -> connected.complete(null));
    ann.connect();
    connected.get(20, TimeUnit.SECONDS);

    HttpResponse<String> posted = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notify/ann"))
            .POST(HttpRequest.BodyPublishers.ofString("your build is green")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(posted.body()).contains("\"sockets\":1");
    JSONObject notification = received.poll(20, TimeUnit.SECONDS);
    assertThat(notification.getString("text")).isEqualTo("your build is green");

    // the read receipt, an @OnEvent method: its return value is the ack
    CompletableFuture<Object> count = new CompletableFuture<>();
    ann.emit("read", new Object[] {new JSONObject().put("at", notification.getString("at"))},
        args -> count.complete(args[0]));
    assertThat(count.get(20, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void aClientWithoutAUserIsRefused() throws Exception {
    Socket anonymous = socket(Map.of());
    CompletableFuture<Object> refused = new CompletableFuture<>();
    anonymous.once(Socket.EVENT_CONNECT_ERROR, args -> refused.complete(args[0]));
    anonymous.connect();
    assertThat(refused.get(20, TimeUnit.SECONDS).toString()).contains("auth.user is required");
  }

  private Socket socket(Map<String, String> auth) {
    IO.Options options = new IO.Options();
    options.transports = new String[] {"websocket"};
    options.reconnection = false;
    options.forceNew = true;
    options.auth = auth;
    Socket s = IO.socket(URI.create("http://127.0.0.1:" + port), options);
    sockets.add(s);
    return s;
  }
}
