package dev.parley.examples.docs;

// tag::testing-imports[]
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
// end::testing-imports[]

/**
 * The example of {@code docs/testing.md}, run with the project's tests: a user's handlers tested
 * against a real server on a free loopback port with the official Java client.
 */
// tag::testing-class[]
class TestingYourHandlersTest {
  private SocketIoServer io;
  private ParleyJetty.Running server;
  private final java.util.List<Socket> clients = new java.util.ArrayList<>();

  /** The code under test: in an application this is your own class that registers handlers. */
  static void registerHandlers(SocketIoServer io) {
    io.onConnection(socket -> {
      socket.on("join", (args, ack) -> {
        String room = args.get(0).asText();
        socket.join(room);
        ack.send(new JoinReply(room, socket.rooms().size()));
      });
      socket.on("say", (args, ack) -> socket.to(args.get(0).asText()).emit("said", args.get(1).asText()));
    });
  }

  record JoinReply(String room, int rooms) {}

  @BeforeEach
  void start() {
    io = SocketIoServer.builder().build();
    registerHandlers(io);
    server = ParleyJetty.listen(io, "127.0.0.1", 0);          // port 0: a free port
  }

  @AfterEach
  void stop() {
    clients.forEach(Socket::close);
    server.close();                                             // closes every connection
  }

  /** An official Java client (io.socket:socket.io-client), connected and ready. */
  Socket connect() throws Exception {
    IO.Options options = IO.Options.builder().setTransports(new String[] {"websocket"}).build();
    Socket client = IO.socket("http://127.0.0.1:" + server.port(), options);
    CompletableFuture<Void> connected = new CompletableFuture<>();
    client.once(Socket.EVENT_CONNECT, args -> connected.complete(null));
    client.once(Socket.EVENT_CONNECT_ERROR, args -> connected.completeExceptionally(new AssertionError(args[0])));
    client.connect();
    clients.add(client);
    connected.get(10, TimeUnit.SECONDS);
    return client;
  }

  @Test
  void joinAnswersWithTheRoom() throws Exception {
    Socket alice = connect();
    CompletableFuture<JSONObject> reply = new CompletableFuture<>();
    alice.emit("join", new Object[] {"lobby"}, args -> reply.complete((JSONObject) args[0]));

    JSONObject answer = reply.get(10, TimeUnit.SECONDS);
    assertThat(answer.getString("room")).isEqualTo("lobby");
    assertThat(answer.getInt("rooms")).isEqualTo(2);           // its own room and "lobby"
  }

  @Test
  void sayReachesTheOthersInTheRoomButNotTheSender() throws Exception {
    Socket alice = connect();
    Socket bob = connect();
    BlockingQueue<String> aliceGot = new ArrayBlockingQueue<>(10);
    BlockingQueue<String> bobGot = new ArrayBlockingQueue<>(10);
    alice.on("said", args -> aliceGot.add((String) args[0]));
    bob.on("said", args -> bobGot.add((String) args[0]));
    for (Socket s : java.util.List.of(alice, bob)) {
      CompletableFuture<Object> joined = new CompletableFuture<>();
      s.emit("join", new Object[] {"lobby"}, args -> joined.complete(args[0]));
      joined.get(10, TimeUnit.SECONDS);                         // the ack: the join has happened
    }

    alice.emit("say", "lobby", "hello");

    assertThat(bobGot.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    // the sender is excluded: a marker sent after "hello" arrives first, without sleeping
    bob.emit("say", "lobby", "marker");
    assertThat(aliceGot.poll(10, TimeUnit.SECONDS)).isEqualTo("marker");
  }
}
// end::testing-class[]
