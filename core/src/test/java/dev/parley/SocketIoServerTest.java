package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.InProcessServer.Conn;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.engine.ParleyExecutors;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.LogCapture;
import dev.parley.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives a real {@link SocketIoServer} in-process over fake WebSocket transports, on the test thread,
 * with a hand-driven clock, and checks the exact Engine.IO frames sent.
 */
class SocketIoServerTest {
  private static final Pattern CONNECT_OK = Pattern.compile("40\\{\"sid\":\"([^\"]+)\"\\}");

  private ManualScheduler scheduler;
  private SocketIoServer io;
  private final List<String> errors = new ArrayList<>();
  private final List<Throwable> errorCauses = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void setUp() {
    scheduler = new ManualScheduler();
    io = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(scheduler)
        .connectTimeout(Duration.ofSeconds(5))
        .errorHandler((socket, event, error) -> {
          errors.add((socket == null ? "-" : socket.id()) + ":" + event);
          errorCauses.add(error);
        })
        .build();
    io.onConnection(sockets::add);
  }

  @AfterEach
  void tearDown() {
    io.close();
  }

  private Conn open() {
    FakeTransport t = FakeTransport.webSocket();
    EngineSession s = io.engine().handshake(t,
        EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket").build());
    assertThat(t.wire()).hasSize(1);
    assertThat(t.wire().get(0)).startsWith("0{\"sid\":\"" + s.id() + "\"");
    return new Conn(t, s);
  }

  /** Opens a connection and joins "/"; returns the connection, the socket is the last of {@link #sockets}. */
  private Conn connectMain() {
    Conn c = open();
    c.send("40");
    assertThat(c.last()).matches(CONNECT_OK);
    return c;
  }

  private Socket lastSocket() {
    return sockets.get(sockets.size() - 1);
  }

  // ------------------------------------------------------------------ connecting

  @Test
  void connectRepliesWithFreshSocketIdAndDefaultAuth() {
    Conn c = open();
    c.send("40");
    assertThat(c.frames()).hasSize(1);
    Matcher m = CONNECT_OK.matcher(c.last());
    assertThat(m.matches()).as(c.last()).isTrue();
    String sid = m.group(1);
    assertThat(sid).isNotEqualTo(c.session.id()).isNotEmpty();
    assertThat(sockets).hasSize(1);
    Socket socket = sockets.get(0);
    assertThat(socket.id()).isEqualTo(sid);
    assertThat(socket.connectionId()).isEqualTo(c.session.id());
    assertThat(socket.connected()).isTrue();
    assertThat(socket.handshake().auth().isObject()).isTrue();
    assertThat(socket.handshake().auth().size()).isZero();
    assertThat(socket.rooms()).containsExactly(sid);
    assertThat(io.sockets().sockets()).containsKey(sid);
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void theEnginesConnectionHandlerAndSessionListenersBelongToSocketIo() {
    assertThatThrownBy(() -> io.engine().onConnection(session -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("io.onConnection");

    Conn c = open(); // Socket.IO still gets the connection
    assertThatThrownBy(() -> c.session.setListener(new EngineSession.Listener() {
      @Override
      public void onMessage(EngineSession session, EnginePacket packet) {}

      @Override
      public void onClose(EngineSession session, String reason) {}
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to a SocketIoServer");
    c.send("40");
    assertThat(c.last()).matches(CONNECT_OK);
  }

  @Test
  void connectPassesAuthData() {
    Conn c = open();
    c.send("40{\"token\":\"123\"}");
    assertThat(c.last()).matches(CONNECT_OK);
    assertThat(lastSocket().handshake().auth().path("token").asText()).isEqualTo("123");
  }

  @Test
  void socketIdsDifferPerConnectionAndNamespace() {
    io.of("/admin");
    Conn c = open();
    c.send("40");
    c.send("40/admin,");
    assertThat(c.frames()).hasSize(2);
    assertThat(c.frames().get(1)).matches("40/admin,\\{\"sid\":\"[^\"]+\"\\}");
    assertThat(sockets).hasSize(1); // handler on "/" only
    Socket main = sockets.get(0);
    assertThat(io.of("/admin").sockets()).hasSize(1);
    String adminId = io.of("/admin").sockets().keySet().iterator().next();
    assertThat(adminId).isNotEqualTo(main.id()).isNotEqualTo(c.session.id());
  }

  @Test
  void namespaceWithoutTrailingCommaIsAccepted() {
    io.of("/custom");
    Conn c = open();
    c.send("40/custom");
    assertThat(c.last()).matches("40/custom,\\{\"sid\":\"[^\"]+\"\\}");
  }

  @Test
  void unknownNamespaceGetsConnectErrorAndConnectionStays() {
    Conn c = open();
    c.send("40/random,");
    assertThat(c.frames()).containsExactly("44/random,{\"message\":\"Invalid namespace\"}");
    assertThat(c.transport.closed()).isFalse();
    c.send("40");
    assertThat(c.last()).matches(CONNECT_OK);
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void middlewareFailureSendsMessageAndData() {
    io.of("/secure").use((socket, next) -> next.fail(new ConnectError("unauthorized", Map.of("code", 401))));
    List<Socket> secure = new ArrayList<>();
    io.of("/secure").onConnection(secure::add);
    Conn c = open();
    c.send("40/secure,");
    assertThat(c.frames()).containsExactly("44/secure,{\"message\":\"unauthorized\",\"data\":{\"code\":401}}");
    assertThat(secure).isEmpty();
    assertThat(io.of("/secure").sockets()).isEmpty();
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void middlewareFailureWithoutDataOmitsData() {
    io.use((socket, next) -> next.fail(new ConnectError("nope")));
    Conn c = open();
    c.send("40");
    assertThat(c.frames()).containsExactly("44{\"message\":\"nope\"}");
    assertThat(sockets).isEmpty();
  }

  @Test
  void middlewareSeesAuthAndCanProceed() {
    List<String> seen = new ArrayList<>();
    io.use((socket, next) -> {
      seen.add(socket.handshake().auth().path("token").asText());
      next.proceed();
    });
    Conn c = open();
    c.send("40{\"token\":\"abc\"}");
    assertThat(seen).containsExactly("abc");
    assertThat(c.last()).matches(CONNECT_OK);
  }

  @Test
  void connectTimeoutClosesAConnectionThatNeverConnects() {
    Conn c = open();
    scheduler.advance(4_999);
    assertThat(c.transport.closed()).isFalse();
    scheduler.advance(1);
    assertThat(c.transport.closed()).isTrue();
  }

  @Test
  void connectTimeoutDoesNotCloseAConnectedClient() {
    Conn c = connectMain();
    scheduler.advance(5_000);
    assertThat(c.transport.closed()).isFalse();
    assertThat(lastSocket().connected()).isTrue();
  }

  @Test
  void duplicateConnectClosesTheConnection() {
    Conn c = connectMain();
    Socket s = lastSocket();
    List<DisconnectReason> reasons = new ArrayList<>();
    s.onDisconnect(reasons::add);
    c.send("40");
    assertThat(c.transport.closed()).isTrue();
    assertThat(s.connected()).isFalse();
    assertThat(reasons).hasSize(1);
    // only the first CONNECT reply, then the Engine.IO close packet
    assertThat(c.frames()).hasSize(2);
    assertThat(c.frames().get(0)).matches(CONNECT_OK);
    assertThat(c.frames().get(1)).isEqualTo("1");
  }

  @Test
  void aConnectRepeatedWhileTheFirstIsPendingGetsTheSameAnswer() {
    List<ConnectMiddleware.Next> held = new ArrayList<>();
    io.use((socket, next) -> held.add(next)); // the connect waits until the test proceeds
    Conn c = open();
    c.send("40");
    c.send("40{\"other\":\"auth\"}");                     // before the first is answered
    assertThat(held).hasSize(1);                             // one socket, one middleware run

    held.get(0).proceed();

    assertThat(c.frames()).hasSize(2).allMatch(f -> f.matches(CONNECT_OK.pattern()));
    assertThat(c.frames().get(1)).isEqualTo(c.frames().get(0)); // the same socket id twice
    assertThat(sockets).hasSize(1);
    assertThat(io.sockets().sockets()).hasSize(1);
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void aRefusedConnectRepeatedWhilePendingGetsTheRefusalTwice() {
    List<ConnectMiddleware.Next> held = new ArrayList<>();
    io.use((socket, next) -> held.add(next));
    Conn c = open();
    c.send("40");
    c.send("40");

    held.get(0).fail(new ConnectError("nope"));

    assertThat(c.frames()).containsExactly("44{\"message\":\"nope\"}", "44{\"message\":\"nope\"}");
    assertThat(sockets).isEmpty();
  }

  @Test
  void aConnectionThatClosesWhileItsConnectIsPendingEndsQuietly() {
    List<ConnectMiddleware.Next> held = new ArrayList<>();
    io.use((socket, next) -> held.add(next));
    Conn c = open();
    c.send("40");
    c.transport.fireClose();                                 // the client goes away meanwhile

    long failures = ParleyExecutors.failedLaneTasks();
    try (LogCapture log = LogCapture.start()) {
      held.get(0).proceed();                                 // the middleware finishes afterwards
      assertThat(log.text()).as("logged when the late connect finished").isEmpty();
    }
    assertThat(ParleyExecutors.failedLaneTasks()).as("lane tasks that threw").isEqualTo(failures);
    assertThat(sockets).isEmpty();
    assertThat(io.sockets().sockets()).isEmpty();
    assertThat(c.frames()).isEmpty();
  }

  @Test
  void aConnectRepeatedInOnePayloadWhileTheConnectionClosesEndsQuietly() {
    // what a hostile "40\x1e40" did: the first CONNECT pending, then the connection closed (here by
    // an event for a namespace not joined), then the middleware finished
    List<ConnectMiddleware.Next> held = new ArrayList<>();
    io.use((socket, next) -> held.add(next));
    Conn c = open();
    c.send("40");
    c.send("42/nowhere,[\"x\"]");
    assertThat(c.transport.closed()).isTrue();

    long failures = ParleyExecutors.failedLaneTasks();
    try (LogCapture log = LogCapture.start()) {
      held.get(0).proceed();
      assertThat(log.text()).isEmpty();
    }
    assertThat(ParleyExecutors.failedLaneTasks()).as("lane tasks that threw").isEqualTo(failures);
    assertThat(sockets).isEmpty();
  }

  @Test
  void eventBeforeConnectClosesTheConnection() {
    Conn c = open();
    c.send("42[\"x\"]");
    assertThat(c.transport.closed()).isTrue();
  }

  @Test
  void undecodablePacketClosesTheConnection() {
    Conn c = connectMain();
    c.send("42abc[\"x\"]");
    assertThat(c.transport.closed()).isTrue();
    assertThat(lastSocket().connected()).isFalse();
  }

  @Test
  void reservedEventNameFromClientClosesTheConnection() {
    Conn c = connectMain();
    c.send("42[\"disconnect\"]");
    assertThat(c.transport.closed()).isTrue();
  }

  @Test
  void connectErrorFromClientClosesTheConnection() {
    Conn c = connectMain();
    c.send("44{\"message\":\"x\"}");
    assertThat(c.transport.closed()).isTrue();
  }

  // ------------------------------------------------------------------ events and acks

  @Test
  void dispatchesEventsWithArgs() {
    Conn c = connectMain();
    List<String> got = new ArrayList<>();
    lastSocket().on("hello", (args, ack) -> got.add(args.values().toString()));
    c.send("42[\"hello\",1,\"2\",{\"3\":[false]}]");
    assertThat(got).containsExactly("[1, \"2\", {\"3\":[false]}]");
    assertThat(c.frames()).hasSize(1); // no ack sent without an id
  }

  @Test
  void ackIsSentOnceEvenIfCalledTwice() {
    Conn c = connectMain();
    lastSocket().on("message-with-ack", (args, ack) -> {
      ack.send(args.values().toArray());
      ack.send("second");
    });
    c.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
    assertThat(c.frames()).hasSize(2);
    assertThat(c.last()).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
  }

  @Test
  void ackOnNamespaceCarriesNamespace() {
    io.of("/admin").onConnection(s -> s.on("q", (args, ack) -> ack.send("a")));
    Conn c = open();
    c.send("40/admin,");
    c.send("42/admin,13[\"q\"]");
    assertThat(c.last()).isEqualTo("43/admin,13[\"a\"]");
  }

  @Test
  void binaryEventRoundTripsThroughAck() {
    Conn c = connectMain();
    lastSocket().on("bin", (args, ack) -> ack.send(args.bytes(0), args.bytes(1)));
    c.send("452-789[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    c.transport.receive(dev.parley.engine.EnginePacket.message(new byte[] {1, 2, 3}));
    assertThat(c.frames()).hasSize(1);
    c.transport.receive(dev.parley.engine.EnginePacket.message(new byte[] {4}));
    assertThat(c.frames()).containsSubsequence(
        "462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", "bAQID", "bBA==");
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void emitWithAckCompletesOnClientAck() throws Exception {
    Conn c = connectMain();
    CompletableFuture<Args> f = lastSocket().emitWithAck("ping", 1);
    assertThat(c.last()).isEqualTo("420[\"ping\",1]");
    assertThat(f).isNotDone();
    c.send("43999[\"wrong id\"]"); // unknown id: ignored
    assertThat(f).isNotDone();
    assertThat(c.transport.closed()).isFalse();
    c.send("430[\"pong\",2]");
    assertThat(f).isDone();
    Args a = f.get();
    assertThat(a.get(0).asText()).isEqualTo("pong");
    assertThat(a.get(1).asInt()).isEqualTo(2);
  }

  @Test
  void ackIdsComeFromOneCounterPerNamespace() {
    Conn c1 = connectMain();
    Socket s1 = lastSocket();
    Conn c2 = connectMain();
    Socket s2 = lastSocket();
    s1.emitWithAck("a");
    s2.emitWithAck("b");
    s1.emitWithAck("c");
    assertThat(c1.frames()).containsSubsequence("420[\"a\"]", "422[\"c\"]");
    assertThat(c2.last()).isEqualTo("421[\"b\"]");
  }

  @Test
  void ackTimeoutFailsExactlyOnce() {
    Conn c = connectMain();
    List<Throwable> failures = new ArrayList<>();
    List<Args> answers = new ArrayList<>();
    lastSocket().timeout(Duration.ofMillis(100)).emitWithAck("ping", (err, res) -> {
      if (err != null) {
        failures.add(err);
      } else {
        answers.add(res);
      }
    });
    assertThat(c.last()).isEqualTo("420[\"ping\"]");
    scheduler.advance(99);
    assertThat(failures).isEmpty();
    scheduler.advance(1);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).isInstanceOf(AckTimeoutException.class);
    c.send("430[\"late\"]");
    scheduler.advance(1_000);
    assertThat(failures).hasSize(1);
    assertThat(answers).isEmpty();
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void ackBeforeTimeoutCancelsTimer() {
    Conn c = connectMain();
    CompletableFuture<Args> f = lastSocket().timeout(Duration.ofMillis(100)).emitWithAck("ping");
    c.send("430[\"ok\"]");
    assertThat(f).isCompleted();
    scheduler.advance(1_000);
    assertThat(f.join().get(0).asText()).isEqualTo("ok");
  }

  @Test
  void timeoutFutureFailsWithAckTimeoutException() {
    connectMain();
    CompletableFuture<Args> f = lastSocket().timeout(Duration.ofMillis(50)).emitWithAck("ping");
    scheduler.advance(50);
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AckTimeoutException.class);
  }

  @Test
  void pendingAckFailsWhenClientDisconnects() {
    Conn c = connectMain();
    Socket s = lastSocket();
    List<DisconnectReason> reasons = new ArrayList<>();
    s.onDisconnect(reasons::add);
    List<Throwable> failures = new ArrayList<>();
    s.timeout(Duration.ofMillis(100)).emitWithAck("ping", (err, res) -> failures.add(err));
    int before = c.wire().size();
    c.send("41");
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).isInstanceOf(SocketDisconnectedException.class);
    assertThat(s.connected()).isFalse();
    assertThat(reasons).containsExactly(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
    assertThat(c.wire()).hasSize(before); // server sends nothing back
    assertThat(c.transport.closed()).isFalse();
    scheduler.advance(1_000);
    assertThat(failures).hasSize(1);
  }

  @Test
  void allPendingAcksFailWhenConnectionCloses() {
    Conn c = connectMain();
    Socket s = lastSocket();
    List<Throwable> failures = new ArrayList<>();
    s.emitWithAck("a", (err, res) -> failures.add(err));
    s.emitWithAck("b", (err, res) -> failures.add(err));
    s.emitWithAck("c", (err, res) -> failures.add(err));
    c.transport.fireClose();
    assertThat(failures).hasSize(3).allMatch(e -> e instanceof SocketDisconnectedException);
    assertThat(s.connected()).isFalse();
  }

  @Test
  void emitWithAckOnDisconnectedSocketFailsAtOnce() {
    Conn c = connectMain();
    Socket s = lastSocket();
    c.send("41");
    CompletableFuture<Args> f = s.emitWithAck("ping");
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::get).hasCauseInstanceOf(SocketDisconnectedException.class);
  }

  @Test
  void eventAfterClientDisconnectClosesTheConnection() {
    Conn c = connectMain();
    c.send("41");
    assertThat(c.transport.closed()).isFalse();
    c.send("42[\"x\"]");
    assertThat(c.transport.closed()).isTrue();
  }

  @Test
  void serverDisconnectSendsDisconnectPacket() {
    Conn c = connectMain();
    Socket s = lastSocket();
    s.disconnect();
    assertThat(c.last()).isEqualTo("41");
    assertThat(s.connected()).isFalse();
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void reservedEventNamesCannotBeEmitted() {
    connectMain();
    Socket s = lastSocket();
    for (String name : List.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
        "removeListener")) {
      assertThatThrownBy(() -> s.emit(name)).as(name).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.emitWithAck(name)).as(name).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> io.emit(name)).as(name).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> io.to("r").emit(name)).as(name).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void handlerExceptionGoesToErrorHandlerAndConnectionStays() {
    Conn c = connectMain();
    Socket s = lastSocket();
    RuntimeException boom = new IllegalStateException("boom");
    List<String> after = new ArrayList<>();
    s.on("explode", (args, ack) -> {
      throw boom;
    });
    s.on("explode", (args, ack) -> after.add("second handler ran"));
    s.on("fine", (args, ack) -> ack.send("ok"));
    c.send("42[\"explode\"]");
    assertThat(errors).containsExactly(s.id() + ":explode");
    assertThat(errorCauses).containsExactly(boom);
    assertThat(after).containsExactly("second handler ran");
    assertThat(c.transport.closed()).isFalse();
    assertThat(s.connected()).isTrue();
    c.send("421[\"fine\"]");
    assertThat(c.last()).isEqualTo("431[\"ok\"]");
  }

  @Test
  void anErrorInAHandlerReachesTheErrorHandlerAndTheWaitingAckGetsTheFailure() {
    Conn c = connectMain();
    Socket s = lastSocket();
    StackOverflowError overflow = new StackOverflowError("deep (test)");
    s.on("deep", (args, ack) -> {
      throw overflow;
    });
    s.on("fine", (args, ack) -> ack.send("ok"));

    c.send("427[\"deep\"]");

    assertThat(errors).containsExactly(s.id() + ":deep");
    assertThat(errorCauses).containsExactly(overflow);
    assertThat(c.last()).isEqualTo("437[{\"error\":\"internal server error\"}]");
    c.send("428[\"fine\"]");
    assertThat(c.last()).isEqualTo("438[\"ok\"]"); // the connection goes on
  }

  @Test
  void anAckThatCannotBeEncodedIsReportedAndAnsweredWithTheFailure() {
    Conn c = connectMain();
    Socket s = lastSocket();
    s.on("loop", (args, ack) -> {
      Map<String, Object> self = new java.util.HashMap<>();
      self.put("me", self);
      ack.send(self);                                   // cannot be encoded: it contains itself
    });

    c.send("423[\"loop\"]");

    assertThat(errors).containsExactly(s.id() + ":loop");
    assertThat(c.last()).isEqualTo("433[{\"error\":\"internal server error\"}]");
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void aHandlerThatAnsweredBeforeThrowingKeepsItsAnswer() {
    Conn c = connectMain();
    Socket s = lastSocket();
    s.on("half", (args, ack) -> {
      ack.send("done");
      throw new IllegalStateException("after the answer");
    });

    c.send("424[\"half\"]");

    assertThat(c.frames()).containsExactly(c.frames().get(0), "434[\"done\"]");
    assertThat(errors).containsExactly(s.id() + ":half");
  }

  @Test
  void theDefaultErrorLogWritesOneTracePerHandlerAndTypeThenCountsPerInterval() {
    SocketIoServer quiet = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(scheduler)
        .build();
    quiet.onConnection(socket -> socket.on("boom", (args, ack) -> {
      throw new IllegalStateException("boom (test)");
    }));
    try (LogCapture log = LogCapture.start()) {
      FakeTransport t = FakeTransport.webSocket();
      quiet.engine().handshake(t, EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket").build());
      t.receive("40");
      for (int i = 0; i < 20_000; i++) {
        t.receive("42[\"boom\"]");
      }
      String flood = log.text();
      assertThat(flood.split("java.lang.IllegalStateException: boom \\(test\\)", -1)).as("stack traces").hasSize(2);
      assertThat(flood).contains("handler for \"boom\" on socket");

      scheduler.advance(10_000);                        // the interval ends: one line with the count
      assertThat(log.text().substring(flood.length()))
          .contains("\"handler for \"boom\" threw java.lang.IllegalStateException\": 19999 more times in the last 10 s");
      assertThat(log.size()).as("bytes logged for 20,000 failing events").isLessThan(20_000);
    } finally {
      quiet.close();
    }
  }

  // ------------------------------------------------------------------ rooms and broadcasts

  @Test
  void broadcastsRespectRoomsAndExcept() {
    Conn a = connectMain();
    Socket sa = lastSocket();
    Conn b = connectMain();
    Socket sb = lastSocket();
    Conn c = connectMain();
    Socket sc = lastSocket();
    sa.join("r");
    sb.join("r", "s");
    sc.join("s");
    assertThat(sb.rooms()).containsExactlyInAnyOrder(sb.id(), "r", "s");

    int a0 = a.wire().size();
    int b0 = b.wire().size();
    int c0 = c.wire().size();
    io.to("r").emit("m", 1);
    assertThat(a.wire().subList(a0, a.wire().size())).containsExactly("42[\"m\",1]");
    assertThat(b.wire().subList(b0, b.wire().size())).containsExactly("42[\"m\",1]");
    assertThat(c.wire()).hasSize(c0);

    io.except("r").emit("n");
    assertThat(c.last()).isEqualTo("42[\"n\"]");
    assertThat(a.wire()).hasSize(a0 + 1);
    assertThat(b.wire()).hasSize(b0 + 1);

    // union of rooms, each socket once
    io.to("r", "s").emit("u");
    assertThat(a.last()).isEqualTo("42[\"u\"]");
    assertThat(b.last()).isEqualTo("42[\"u\"]");
    assertThat(c.last()).isEqualTo("42[\"u\"]");
    assertThat(b.wire()).hasSize(b0 + 2);

    io.to("s").except("r").emit("v");
    assertThat(c.last()).isEqualTo("42[\"v\"]");
    assertThat(a.wire()).hasSize(a0 + 2);
    assertThat(b.wire()).hasSize(b0 + 2);

    io.emit("all");
    assertThat(List.of(a.last(), b.last(), c.last())).containsOnly("42[\"all\"]");

    // a socket's own id is a room
    io.to(sc.id()).emit("direct");
    assertThat(c.last()).isEqualTo("42[\"direct\"]");
    assertThat(a.last()).isEqualTo("42[\"all\"]");
  }

  @Test
  void socketToRoomExcludesTheSender() {
    Conn a = connectMain();
    Socket sa = lastSocket();
    Conn b = connectMain();
    Socket sb = lastSocket();
    Conn c = connectMain();
    sa.join("r");
    sb.join("r");
    int a0 = a.wire().size();
    int c0 = c.wire().size();
    sa.to("r").emit("hi", "there");
    assertThat(b.last()).isEqualTo("42[\"hi\",\"there\"]");
    assertThat(a.wire()).hasSize(a0);
    assertThat(c.wire()).hasSize(c0);

    sa.broadcast().emit("everyone");
    assertThat(b.last()).isEqualTo("42[\"everyone\"]");
    assertThat(c.last()).isEqualTo("42[\"everyone\"]");
    assertThat(a.wire()).hasSize(a0);
  }

  @Test
  void leaveAndDisconnectRemoveFromRooms() {
    Conn a = connectMain();
    Socket sa = lastSocket();
    Conn b = connectMain();
    Socket sb = lastSocket();
    sa.join("r");
    sb.join("r");
    sa.leave("r");
    int a0 = a.wire().size();
    io.to("r").emit("x");
    assertThat(a.wire()).hasSize(a0);
    assertThat(b.last()).isEqualTo("42[\"x\"]");
    int b0 = b.wire().size();
    b.send("41");
    io.to("r").emit("y");
    assertThat(b.wire()).hasSize(b0);
    assertThat(io.sockets().adapter().rooms()).doesNotContain("r");
  }

  @Test
  void broadcastStaysInItsNamespace() {
    io.of("/admin");
    Conn a = open();
    a.send("40/admin,");
    Conn b = connectMain();
    int a0 = a.wire().size();
    io.emit("main-only");
    assertThat(a.wire()).hasSize(a0);
    assertThat(b.last()).isEqualTo("42[\"main-only\"]");
    io.of("/admin").emit("admin-only", new ObjectMapper().createObjectNode().put("k", "v"));
    assertThat(a.last()).isEqualTo("42/admin,[\"admin-only\",{\"k\":\"v\"}]");
  }

  @Test
  void binaryBroadcastSendsAttachments() {
    Conn a = connectMain();
    io.emit("bin", (Object) new byte[] {1, 2, 3});
    List<String> w = a.wire();
    assertThat(w.subList(w.size() - 2, w.size()))
        .containsExactly("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]", "bAQID");
  }

  @Test
  void broadcastEmitWithAckCollectsAllAnswers() {
    Conn a = connectMain();
    Conn b = connectMain();
    CompletableFuture<List<Args>> f = io.timeout(Duration.ofSeconds(1)).emitWithAck("q", 1);
    assertThat(a.last()).isEqualTo("420[\"q\",1]");
    assertThat(b.last()).isEqualTo("420[\"q\",1]");
    a.send("430[\"from-a\"]");
    assertThat(f).isNotDone();
    b.send("430[\"from-b\"]");
    assertThat(f).isCompleted();
    assertThat(f.join()).extracting(args -> args.get(0).asText()).containsExactlyInAnyOrder("from-a", "from-b");
    scheduler.advance(2_000);
    assertThat(f.join()).hasSize(2);
  }

  @Test
  void broadcastEmitWithAckTimesOutWithPartialAnswers() {
    Conn a = connectMain();
    connectMain();
    CompletableFuture<List<Args>> f = io.timeout(Duration.ofMillis(500)).emitWithAck("q");
    a.send("430[\"from-a\"]");
    scheduler.advance(499);
    assertThat(f).isNotDone();
    scheduler.advance(1);
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::get).hasCauseInstanceOf(AckTimeoutException.class);
    AckTimeoutException e = (AckTimeoutException) f.handle((r, t) -> t).join();
    assertThat(e.partialResponses()).hasSize(1);
    assertThat(e.partialResponses().get(0).get(0).asText()).isEqualTo("from-a");
  }

  @Test
  void disconnectWithCloseSendsDisconnectOnEveryNamespaceBeforeClosing() {
    io.of("/custom");
    Conn c = connectMain();
    Socket main = lastSocket();
    c.send("40/custom,");
    Socket custom = lastSocket();
    List<DisconnectReason> reasons = new ArrayList<>();
    main.onDisconnect(reasons::add);
    custom.onDisconnect(reasons::add);

    main.disconnect(true);

    List<String> frames = c.frames();
    assertThat(frames.subList(frames.size() - 3, frames.size()))
        .containsExactlyInAnyOrder("41", "41/custom,", "1");
    assertThat(frames.get(frames.size() - 1)).isEqualTo("1");
    assertThat(reasons).containsExactly(DisconnectReason.SERVER_NAMESPACE_DISCONNECT,
        DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    assertThat(c.session.isOpen()).isFalse();
  }

  @Test
  void broadcastAckTimeoutForgetsThePendingAckOfClientsThatNeverAnswered() {
    connectMain();
    Socket silent = lastSocket();
    CompletableFuture<List<Args>> f = io.timeout(Duration.ofMillis(100)).emitWithAck("q");
    scheduler.advance(100);
    assertThat(f).isCompletedExceptionally();
    assertThat(silent.cancelAck(0)).as("ack 0 still pending after the timeout").isFalse();
  }

  @Test
  void roomsJoinedInConnectMiddlewareAreJoinedOnConnect() {
    io.use((socket, next) -> {
      socket.join("vip", "early");
      socket.leave("early");
      next.proceed();
    });
    Conn c = connectMain();
    assertThat(lastSocket().rooms()).containsExactlyInAnyOrder(lastSocket().id(), "vip");
    io.to("vip").emit("hi");
    assertThat(c.last()).isEqualTo("42[\"hi\"]");
  }

  @Test
  void roomsJoinedByARefusedSocketAreNeverJoined() {
    io.use((socket, next) -> {
      socket.join("vip");
      next.fail(new ConnectError("no"));
    });
    Conn c = open();
    c.send("40");
    assertThat(c.last()).isEqualTo("44{\"message\":\"no\"}");
    assertThat(io.sockets().adapter().rooms()).doesNotContain("vip");
  }

  @Test
  void broadcastEmitWithAckNeedsTimeout() {
    connectMain();
    assertThatThrownBy(() -> io.to("r").emitWithAck("q")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void throwingMiddlewareRefusesConnectionAndReportsError() {
    io.use((socket, next) -> {
      throw new IllegalStateException("mw broke");
    });
    Conn c = open();
    c.send("40");
    assertThat(c.frames()).containsExactly("44{\"message\":\"mw broke\"}");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).endsWith(":middleware");
    assertThat(c.transport.closed()).isFalse();
  }

  @Test
  void dynamicNamespaceIsCreatedOnConnect() {
    List<String> joined = new ArrayList<>();
    io.of(Pattern.compile("/dyn-\\d+")).onConnection(s -> joined.add(s.namespace().name()));
    Conn c = open();
    c.send("40/dyn-42,");
    assertThat(c.last()).matches("40/dyn-42,\\{\"sid\":\"[^\"]+\"\\}");
    assertThat(joined).containsExactly("/dyn-42");
    c.send("40/dyn-x,");
    assertThat(c.last()).isEqualTo("44/dyn-x,{\"message\":\"Invalid namespace\"}");
  }
}
