package dev.parley.examples.docs;

// tag::guide-1[]
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.*;                       // SocketIoServer, Namespace, Socket, Args, Ack, ...
import dev.parley.adapter.RoomEvent;
import dev.parley.engine.AdmissionHook;
import dev.parley.engine.CookieOptions;
import dev.parley.engine.TransportKind;
import dev.parley.transport.jetty.ParleyHandler;
import dev.parley.transport.jetty.ParleyJetty;
import dev.parley.transport.jetty.WebSocketPath;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.*;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
// end::guide-1[]

/**
 * The code of {@code docs/guide.md}, compiled with the project so the guide cannot rot: each region
 * between {@code tag::NAME[]} and {@code end::NAME[]} appears verbatim in the guide, after a
 * {@code <!-- snippet: GuideSnippets.java#NAME -->} marker, and {@code DocsSnippetsTest} checks
 * that they are equal. Edit the code here, then copy it into the guide.
 *
 * <pre>{@code
 * GuideSnippets.guide5(io, tokens, myApp); // never called: it only has to compile
 * }</pre>
 */
@SuppressWarnings({"unused", "CodeBlock2Expr"})
final class GuideSnippets {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GuideSnippets.class);

  record ChatMessage(String room, String text) {}

  record Upload(String name, byte[] data) {}

  interface Tokens {
    boolean valid(String token);

    String user(String token);
  }

  private GuideSnippets() {}

  static void guide3(SocketIoServer io, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-3[]
    Namespace chat = io.of("/chat");
    chat.onConnection(socket -> socket.join("general"));
    chat.to("general").emit("announcement", "welcome");

    ParentNamespace workspaces = io.of(Pattern.compile("^/workspace-\\d+$"));
    workspaces.onConnection(socket ->
        log.info("{} joined {}", socket.id(), socket.namespace().name()));
    workspaces.emit("maintenance", "in 5 minutes");   // every /workspace-N created so far

    ParentNamespace tenants = io.of(name -> name.startsWith("/tenant-"));
    log.info("{} tenants", tenants.children().size());
    // end::guide-3[]
  }

  static void guide4(SocketIoServer io, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-4[]
    io.use((socket, next) -> {
      String token = socket.handshake().auth().path("token").asText(null);
      if (token == null || !tokens.valid(token)) {
        next.fail(new ConnectError("unauthorized", Map.of("code", 401)));
        return;
      }
      socket.data().put("user", tokens.user(token));
      next.proceed();
    });
    // end::guide-4[]
  }

  static void guide5(SocketIoServer io, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-5[]
    io.onConnection(socket -> {
      Handshake h = socket.handshake();
      String agent = h.header("user-agent");      // header names are case-insensitive
      String room = h.query("room");              // from the client's `query` option
      JsonNode auth = h.auth();                   // {} when the client sent no auth
      log.info("{} from {} at {} ({}), secure={}, url={}", agent, h.address(), h.time(), room, h.secure(), h.url());
    });
    // end::guide-5[]
  }

  static void guide6(SocketIoServer io, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-6[]
    io.onConnection(socket -> {
      socket.on("move", (args, ack) -> {
        int x = args.get(0).asInt();              // a JsonNode; MissingNode when absent
        String label = args.get(1, String.class); // converted with the server's ObjectMapper
        log.info("{} args: {} {}", args.size(), x, label);
      });
      socket.on("chat message", ChatMessage.class, (msg, ack) ->
          io.to(msg.room()).emit("chat message", msg));
      socket.emit("hello", "world", 42, Map.of("nested", List.of(1, 2)));
      socket.onAny((event, args) -> log.debug("{} <- {} {}", socket.id(), event, args));
    });
    // end::guide-6[]
  }

  static void guide7(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-7[]
    socket.use((event, args, next) -> {
      if (event.startsWith("admin:") && socket.data().get("admin") == null) {
        next.reject(new SocketIoException("not allowed: " + event));
      } else {
        next.proceed();
      }
    });
    socket.onError(error -> socket.emit("error-message", error.getMessage()));
    // end::guide-7[]
  }

  static void guide8(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-8[]
    socket.on("save", (args, ack) -> ack.send(Map.of("status", "ok")));
    // end::guide-8[]
  }

  static void guide9(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-9[]
    socket.emitWithAck("question", "are you there?")
        .thenAccept(answer -> log.info("answer: {}", answer.get(0)));

    socket.emitWithAck("question", (error, answer) -> {
      if (error != null) {
        log.warn("no answer", error);
      } else {
        log.info("answer: {}", answer.get(0));
      }
    }, "are you there?");

    socket.timeout(Duration.ofSeconds(5)).emitWithAck("question", "are you there?")
        .whenComplete((answer, error) -> {
          if (error instanceof AckTimeoutException) {
            log.info("no answer within 5 s");
          }
        });
    // end::guide-9[]
  }

  static void guide10(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-10[]
    socket.emit("file", new byte[] {1, 2, 3});
    socket.emit("file", Map.of("name", "a.bin", "data", ByteBuffer.wrap(new byte[] {4, 5})));
    socket.on("upload", (args, ack) -> {
      byte[] first = args.bytes(0);                       // null when argument 0 is not binary
      Upload upload = args.get(1, Upload.class);          // binary inside objects converts to byte[]
      byte[] nested = args.get(1).get("data").binaryValue();
      ack.send(first.length, upload.data().length, nested.length);
    });
    // end::guide-10[]
  }

  static void guide11(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-11[]
    socket.join("room1", "room2");
    socket.leave("room2");
    log.info("rooms: {}", socket.rooms());                 // [<socket id>, room1]

    io.to("room1").emit("news", "for room1");
    io.to("room1").to("room2").except("banned").emit("news", "room1 or room2, not banned");
    socket.to("room1").emit("typing", socket.id());        // room1 without the sender
    socket.broadcast().emit("joined", socket.id());        // everyone but the sender
    io.unreliable().emit("cursor", 10, 20);                // may be dropped (socket.io's volatile)
    io.local().emit("node-only", "hi");
    // end::guide-11[]
  }

  static void guide12(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-12[]
    io.timeout(Duration.ofSeconds(5)).emitWithAck("vote", "lunch?")
        .whenComplete((answers, error) -> {
          if (error instanceof AckTimeoutException) {
            List<Args> some = ((AckTimeoutException) error).partialResponses();
            log.info("{} answered in time", some.size());
          } else {
            log.info("all {} answered", answers.size());
          }
        });
    // end::guide-12[]
  }

  static void guide13(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-13[]
    io.in("room1").fetchSockets().thenAccept(sockets -> {
      for (RemoteSocket s : sockets) {
        log.info("{} rooms={} data={}", s.id(), s.rooms(), s.data());
        s.emit("hello");
      }
    });
    io.in("room1").socketsJoin("room2");
    io.socketsLeave("lobby");
    io.in("room1").disconnectSockets(false);
    io.of("/admin").disconnectSockets(true);
    // end::guide-13[]
  }

  static void guide14(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-14[]
    io.sockets().onRoomEvent(event -> {
      if (event.kind() == RoomEvent.Kind.JOIN) {
        log.info("{} joined {}", event.socketId(), event.room());
      }
    });
    // end::guide-14[]
  }

  static void guide15(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-15[]
    socket.onDisconnecting(reason -> log.info("leaving {} ({})", socket.rooms(), reason));
    socket.onDisconnect(reason -> {
      if (reason == DisconnectReason.PING_TIMEOUT) {
        log.info("{} lost", socket.id());
      }
    });
    socket.disconnect();       // this namespace only
    socket.disconnect(true);   // the whole connection
    // end::guide-15[]
  }

  static void guide16(Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-16[]
    SocketIoServer io = SocketIoServer.builder()
        .errorHandler((socket, event, error) ->
            log.error("{} failed on socket {}", event, socket == null ? "-" : socket.id(), error))
        .build();
    // end::guide-16[]
  }

  static void guideObserve(SocketIoServer io) {
    // tag::guide-observe[]
    ServerStats stats = io.stats();
    log.info("{} sockets, {} events in, {} out, {} dropped", stats.connectedSockets(),
        stats.eventsReceived(), stats.eventsSent(), stats.engine().droppedPackets());

    io.observe(new ServerObserver() {
      @Override
      public void onSocketDisconnected(Socket socket, DisconnectReason reason) {
        log.info("{} left {}: {}", socket.id(), socket.namespace().name(), reason);
      }

      @Override
      public void onAck(Socket socket, long roundTripNanos) {
        log.debug("ack from {} after {} µs", socket.id(), roundTripNanos / 1_000);
      }
    });
    // end::guide-observe[]
  }

  static void guide17(Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-17[]
    SocketIoServer io = SocketIoServer.builder()
        .path("/socket.io/")
        .pingInterval(Duration.ofSeconds(25))
        .pingTimeout(Duration.ofSeconds(20))
        .maxHttpBufferSize(1_000_000)
        .connectTimeout(Duration.ofSeconds(45))
        .cors(cors -> cors.allowOrigin("https://app.example.com").allowCredentials(true))
        .engine(engine -> engine
            .transports(TransportKind.WEBSOCKET, TransportKind.POLLING)
            .upgradeTimeout(Duration.ofSeconds(10))
            .cookie(CookieOptions.builder().name("io").sameSite("Lax").build())
            .admission(request -> "https://app.example.com".equals(request.header("Origin"))
                ? AdmissionHook.Decision.allow()
                : AdmissionHook.Decision.refuse("origin not allowed")))
        .build();
    // end::guide-17[]
  }

  static void guideWebSocketPath(SocketIoServer io) {
    // tag::guide-websocket-path[]
    new ParleyHandler(io, ParleyHandler.Options.builder().webSocketPath(WebSocketPath.PUBLIC).build());
    ParleyJetty.listen(io, null, 3000, ParleyJetty.Options.builder()
        .handler(ParleyHandler.Options.builder().webSocketPath(WebSocketPath.PUBLIC).build())
        .build());
    // end::guide-websocket-path[]
  }

  static void guide18(SocketIoServer io, Socket socket, Tokens tokens, Handler myApp) throws Exception {
    // tag::guide-18[]
    Server jetty = new Server(8080);
    ContextHandler realtime = new ContextHandler(new ParleyHandler(io), "/rt");
    jetty.setHandler(new Handler.Sequence(realtime, myApp));
    jetty.start();      // clients connect with path "/rt/socket.io/"
    // ... later
    io.close();
    jetty.stop();
    // end::guide-18[]
  }

  static void guide19() throws Exception {
    // tag::guide-19[]
    SocketIoServer io = SocketIoServer.builder()
        .connectionStateRecovery(Duration.ofMinutes(2), true)   // window, skipMiddlewares
        .build();
    io.onConnection(socket -> {
      if (socket.recovered()) {
        // same id, rooms and data() as before; the missed events were sent before the connect
      } else {
        socket.join("news");                                   // first connection: set it up
      }
    });
    // end::guide-19[]
  }
}
