package dev.parley.examples.chat;

import dev.parley.ConnectError;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example chat: a web page and the Socket.IO endpoint on one port ({@code PORT}, default 3000),
 * everything in memory. Start it with {@code scripts/chat.sh} and open http://localhost:3000.
 *
 * <p>A user picks a name (sent as {@code auth.name}); everyone is in the room {@code general};
 * messages get an id and a time from the server, are kept (the last 50) and broadcast, and the sender
 * receives the id as an ack; typing notices go to everyone but the sender; joins and leaves are
 * announced with the online count.
 *
 * <pre>{@code
 * Server jetty = ChatServer.start(3000, Path.of("examples/chat-web"));
 * jetty.join();
 * }</pre>
 */
public final class ChatServer {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final String ROOM = "general";
  private static final int HISTORY = 50;
  private static final int MAX_TEXT = 500;

  /** One chat message as stored and sent. */
  public record Message(String id, String name, String text, long time) {}

  private final Deque<Message> history = new ArrayDeque<>();

  private ChatServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    Path web = Path.of(System.getProperty("chat.web", "examples/chat-web"));
    Server jetty = start(port, web);
    log.info("chat at http://localhost:{}/", port);
    jetty.join();
  }

  /** Starts the chat on {@code port}, serving the page from {@code webDir}. */
  public static Server start(int port, Path webDir) throws Exception {
    if (!Files.isRegularFile(webDir.resolve("node_modules/socket.io-client/dist/socket.io.min.js"))) {
      throw new IllegalStateException("the browser client is missing: run 'npm ci' in " + webDir
          + " (scripts/chat.sh does it)");
    }
    SocketIoServer io = new ChatServer().socketIo();
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setPort(port);
    jetty.addConnector(connector);
    jetty.setHandler(new Handler.Sequence(new ParleyHandler(io), new StaticFiles(webDir)));
    jetty.addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
      @Override
      public void lifeCycleStopping(org.eclipse.jetty.util.component.LifeCycle event) {
        io.close();
      }
    });
    jetty.start();
    return jetty;
  }

  SocketIoServer socketIo() {
    SocketIoServer io = SocketIoServer.builder().build();
    io.use((socket, next) -> {
      String name = socket.handshake().auth().path("name").asText("").trim();
      if (name.isEmpty() || name.length() > 32) {
        next.fail(new ConnectError("a name of 1 to 32 characters is required"));
        return;
      }
      socket.data().put("name", name);
      next.proceed();
    });
    io.onConnection(socket -> {
      String name = (String) socket.data().get("name");
      socket.join(ROOM);
      socket.emit("history", snapshot());
      io.to(ROOM).emit("presence", Map.of("name", name, "joined", true, "online", io.sockets().sockets().size()));

      socket.on("message", (args, ack) -> {
        String text = args.get(0).asText("").trim();
        if (text.isEmpty() || text.length() > MAX_TEXT) {
          ack.send(Map.of("error", "a message has 1 to " + MAX_TEXT + " characters"));
          return;
        }
        Message m = new Message(UUID.randomUUID().toString(), name, text, Instant.now().toEpochMilli());
        store(m);
        io.to(ROOM).emit("message", m);
        ack.send(Map.of("id", m.id()));
      });
      socket.on("typing", (args, ack) -> socket.to(ROOM).emit("typing", name));
      socket.onDisconnect(reason -> io.to(ROOM).emit("presence",
          Map.of("name", name, "joined", false, "online", io.sockets().sockets().size())));
    });
    return io;
  }

  private synchronized void store(Message m) {
    history.addLast(m);
    while (history.size() > HISTORY) {
      history.removeFirst();
    }
  }

  private synchronized List<Message> snapshot() {
    return new ArrayList<>(history);
  }
}
