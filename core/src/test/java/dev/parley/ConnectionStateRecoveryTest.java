package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connection state recovery over fake transports, on the test thread, with a hand-driven clock:
 * pid, offsets, persisted sessions, restore with replay, expiry, middlewares.
 */
class ConnectionStateRecoveryTest {
  private static final Pattern CONNECT_OK = Pattern.compile("40\\{\"sid\":\"([^\"]+)\",\"pid\":\"([^\"]+)\"\\}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<Socket> sockets = new ArrayList<>();
  private final List<String> middlewareRuns = new ArrayList<>();
  private final List<String> disconnects = new ArrayList<>();
  private SocketIoServer io;

  private SocketIoServer start(ConnectionStateRecovery recovery) {
    io = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(scheduler)
        .connectTimeout(Duration.ofSeconds(5))
        .connectionStateRecovery(recovery)
        .build();
    io.use((socket, next) -> {
      middlewareRuns.add(socket.id());
      next.proceed();
    });
    io.onConnection(s -> {
      sockets.add(s);
      s.onDisconnect(reason -> disconnects.add(s.id() + ":" + reason));
    });
    return io;
  }

  private SocketIoServer start() {
    return start(new ConnectionStateRecovery(Duration.ofSeconds(60), true));
  }

  @AfterEach
  void tearDown() {
    if (io != null) {
      io.close();
    }
  }

  private final class Conn {
    final FakeTransport transport = FakeTransport.webSocket();
    final EngineSession session;
    String sid;
    String pid;

    Conn() {
      session = io.engine().handshake(transport,
          EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket").build());
    }

    /** Frames after the open packet. */
    List<String> frames() {
      List<String> w = transport.wire();
      return w.subList(1, w.size());
    }

    String last() {
      List<String> w = transport.wire();
      return w.get(w.size() - 1);
    }

    Conn connect(String auth) {
      transport.receive("40" + auth);
      Matcher m = CONNECT_OK.matcher(last());
      assertThat(m.matches()).as(last()).isTrue();
      sid = m.group(1);
      pid = m.group(2);
      return this;
    }

    /** The offset (last argument) of an event frame {@code 42[...]}. */
    String offsetOf(String frame) throws Exception {
      JsonNode arr = JSON.readTree(frame.substring(frame.indexOf('[')));
      return arr.get(arr.size() - 1).asText();
    }
  }

  private Socket socket(String id) {
    return sockets.stream().filter(s -> s.id().equals(id)).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void connectReplyCarriesAPrivateSessionIdOnlyWhenOn() {
    start();
    Conn c = new Conn().connect("");
    assertThat(c.pid).isNotEmpty().isNotEqualTo(c.sid);
    assertThat(socket(c.sid).recovered()).isFalse();
    io.close();

    io = SocketIoServer.builder().executor(new DirectExecutorService()).scheduler(scheduler).build();
    Conn plain = new Conn();
    plain.transport.receive("40");
    assertThat(plain.last()).matches("40\\{\"sid\":\"[^\"]+\"\\}");
  }

  @Test
  void offsetsOnlyOnNonVolatileEventsWithoutAck() throws Exception {
    start();
    Conn c = new Conn().connect("");
    Socket s = socket(c.sid);
    s.emit("plain", "a");
    String first = c.last();
    assertThat(first).matches("42\\[\"plain\",\"a\",\"[^\"]+\"\\]");
    io.emit("all", 1);
    assertThat(c.last()).matches("42\\[\"all\",1,\"[^\"]+\"\\]");
    assertThat(c.offsetOf(c.last())).isNotEqualTo(c.offsetOf(first));
    s.unreliable().emit("vol", "x");
    assertThat(c.last()).isEqualTo("42[\"vol\",\"x\"]");
    io.unreliable().emit("vol2");
    assertThat(c.last()).isEqualTo("42[\"vol2\"]");
    s.emitWithAck("ask", (err, res) -> {}, "q");
    assertThat(c.last()).isEqualTo("420[\"ask\",\"q\"]");
    io.timeout(Duration.ofSeconds(1)).emitWithAck("poll");
    assertThat(c.last()).isEqualTo("421[\"poll\"]");
  }

  @Test
  void binaryEventsCarryTheOffsetAfterThePlaceholders() {
    start();
    Conn c = new Conn().connect("");
    io.emit("bin", (Object) new byte[] {1, 2, 3});
    List<String> w = c.transport.wire();
    assertThat(w.get(w.size() - 2)).matches("451-\\[\"bin\",\\{\"_placeholder\":true,\"num\":0\\},\"[^\"]+\"\\]");
    assertThat(w.get(w.size() - 1)).isEqualTo("bAQID");
  }

  @Test
  void broadcastIsEncodedOnceWithOneOffsetForEveryRecipient() throws Exception {
    start();
    Conn a = new Conn().connect("");
    Conn b = new Conn().connect("");
    io.emit("news", "x");
    assertThat(a.last()).isEqualTo(b.last());
    List<?> lastA = a.transport.batches().get(a.transport.batches().size() - 1);
    List<?> lastB = b.transport.batches().get(b.transport.batches().size() - 1);
    assertThat(lastA.get(0)).as("the same encoded frame for both recipients").isSameAs(lastB.get(0));
  }

  @Test
  void restoresIdRoomsAndDataAndReplaysMissedEventsBeforeTheConnectReply() throws Exception {
    start();
    Conn a = new Conn().connect("");
    Socket s = socket(a.sid);
    s.join("room1");
    s.data().put("user", "ann");
    io.to("room1").emit("before", 0);
    String offset = a.offsetOf(a.last());
    a.transport.fireClose();
    middlewareRuns.clear();
    assertThat(disconnects).containsExactly(a.sid + ":" + DisconnectReason.TRANSPORT_CLOSE);
    assertThat(io.sockets().sockets()).isEmpty();

    io.to("room1").emit("m", 1);
    io.to("room2").emit("other", 0);          // not for this socket
    io.emit("m", 2);
    io.except("room1").emit("other", 1);      // excluded
    io.to(a.sid).emit("m", 3);                // its own room
    io.unreliable().emit("volatile");         // never replayed
    Conn other = new Conn().connect("");
    socket(other.sid).broadcast().emit("m", 4);

    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\",\"token\":\"t\"}");
    List<String> f = b.frames();
    assertThat(f).hasSize(5);
    assertThat(f.subList(0, 4)).allMatch(x -> x.startsWith("42[\"m\","));
    List<Integer> order = new ArrayList<>();
    for (String x : f.subList(0, 4)) {
      order.add(JSON.readTree(x.substring(2)).get(1).asInt());
    }
    assertThat(order).containsExactly(1, 2, 3, 4);
    assertThat(f.get(4)).isEqualTo("40{\"sid\":\"" + a.sid + "\",\"pid\":\"" + a.pid + "\"}");

    Socket r = socket(a.sid);
    assertThat(r).isNotSameAs(s);
    assertThat(r.recovered()).isTrue();
    assertThat(r.connected()).isTrue();
    assertThat(r.rooms()).containsExactlyInAnyOrder(a.sid, "room1");
    assertThat(r.data()).containsEntry("user", "ann");
    assertThat(r.handshake().auth().path("token").asText()).isEqualTo("t");
    assertThat(r.handshake().auth().path("pid").asText()).isEqualTo(a.pid); // as Node: kept in auth
    assertThat(middlewareRuns).doesNotContain(a.sid); // skipMiddlewares

    // live again, exactly once
    io.to("room1").emit("after", 5);
    assertThat(b.last()).matches("42\\[\"after\",5,\"[^\"]+\"\\]");
    assertThat(b.frames()).hasSize(6);
  }

  @Test
  void transportErrorAndPingTimeoutAreRecoverable() throws Exception {
    start();
    Conn a = new Conn().connect("");
    io.emit("x");
    String offsetA = a.offsetOf(a.last());
    a.transport.fireError("boom");
    Conn b = new Conn().connect("");
    io.emit("y");
    String offsetB = b.offsetOf(b.last());
    scheduler.advance(45_000);                 // default ping 25 s + timeout 20 s: no pong
    assertThat(disconnects).containsExactly(a.sid + ":" + DisconnectReason.TRANSPORT_ERROR,
        b.sid + ":" + DisconnectReason.PING_TIMEOUT);
    for (String[] session : List.of(new String[] {a.sid, a.pid, offsetA}, new String[] {b.sid, b.pid, offsetB})) {
      var restored = io.sockets().adapter().restoreSession(session[1], session[2]).toCompletableFuture().join();
      assertThat(restored).isPresent();
      assertThat(restored.get().sid()).isEqualTo(session[0]);
    }
  }

  @Test
  void aBroadcastDuringTheRestoreIsSentOnceInOrder() throws Exception {
    // the adapter answers asynchronously: a broadcast lands between the two session look-ups
    List<Runnable> pendingAnswers = new ArrayList<>();
    io = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(scheduler)
        .connectionStateRecovery(Duration.ofSeconds(60), true)
        .adapter(ctx -> new dev.parley.adapter.InMemoryAdapter(ctx) {
          @Override
          public java.util.concurrent.CompletionStage<java.util.Optional<dev.parley.adapter.RestoredSession>> restoreSession(
              String pid, String offset) {
            java.util.concurrent.CompletableFuture<java.util.Optional<dev.parley.adapter.RestoredSession>> f =
                new java.util.concurrent.CompletableFuture<>();
            pendingAnswers.add(() -> super.restoreSession(pid, offset).thenAccept(f::complete));
            return f;
          }
        })
        .build();
    io.onConnection(sockets::add);
    Conn a = new Conn().connect("");
    socket(a.sid).join("r");
    io.to("r").emit("m", 0);
    String offset = a.offsetOf(a.last());
    a.transport.fireClose();
    io.to("r").emit("m", 1);

    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\"}");
    pendingAnswers.remove(0).run();           // first look-up: the socket is registered, joined, buffering
    io.to("r").emit("m", 2);                  // logged AND buffered: must not be sent twice
    assertThat(b.frames()).isEmpty();
    pendingAnswers.remove(0).run();           // second look-up: missed = 1, 2
    io.to("r").emit("m", 3);
    List<Integer> order = new ArrayList<>();
    for (String x : b.frames()) {
      if (x.startsWith("42")) {
        order.add(JSON.readTree(x.substring(2)).get(1).asInt());
      }
    }
    assertThat(order).containsExactly(1, 2, 3);
    assertThat(b.frames().get(2)).startsWith("40{\"sid\":\"" + a.sid + "\"");
  }

  @Test
  void expiredSessionGivesAFreshSocket() throws Exception {
    start();
    Conn a = new Conn().connect("");
    socket(a.sid).join("room1");
    io.emit("x");
    String offset = a.offsetOf(a.last());
    a.transport.fireClose();
    scheduler.advance(60_001);

    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\"}");
    assertThat(b.frames()).hasSize(1);
    Matcher m = CONNECT_OK.matcher(b.last());
    assertThat(m.matches()).isTrue();
    b.sid = m.group(1);
    b.pid = m.group(2);
    assertThat(b.sid).isNotEqualTo(a.sid);
    assertThat(b.pid).isNotEqualTo(a.pid);
    Socket fresh = socket(b.sid);
    assertThat(fresh.recovered()).isFalse();
    assertThat(fresh.rooms()).containsExactly(b.sid);
    assertThat(middlewareRuns).contains(b.sid);
  }

  @Test
  void unknownOffsetOrMissingOffsetGivesAFreshSocket() throws Exception {
    start();
    Conn a = new Conn().connect("");
    io.emit("x");
    a.transport.fireClose();
    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"nope-1\"}");
    assertThat(b.last()).doesNotContain(a.sid);
    Conn c = new Conn();
    c.transport.receive("40{\"pid\":\"" + a.pid + "\"}");
    assertThat(c.last()).doesNotContain(a.sid).matches(CONNECT_OK);
  }

  @Test
  void namespaceDisconnectIsNotRecoverable() throws Exception {
    start();
    Conn a = new Conn().connect("");
    io.emit("x");
    String offset = a.offsetOf(a.last());
    a.transport.receive("41");
    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\"}");
    assertThat(b.frames()).hasSize(1);
    assertThat(b.last()).matches(CONNECT_OK).doesNotContain(a.sid);

    Conn c = new Conn().connect("");
    io.emit("y");
    String offset2 = c.offsetOf(c.last());
    socket(c.sid).disconnect();               // server namespace disconnect
    Conn d = new Conn();
    d.transport.receive("40{\"pid\":\"" + c.pid + "\",\"offset\":\"" + offset2 + "\"}");
    assertThat(d.last()).matches(CONNECT_OK).doesNotContain(c.sid);
  }

  @Test
  void middlewaresRunForARecoveredSocketWhenNotSkipped() throws Exception {
    start(new ConnectionStateRecovery(Duration.ofSeconds(60), false));
    Conn a = new Conn().connect("");
    io.emit("x");
    String offset = a.offsetOf(a.last());
    a.transport.fireClose();
    middlewareRuns.clear();
    List<Boolean> seenRecovered = new ArrayList<>();
    io.use((socket, next) -> {
      seenRecovered.add(socket.recovered());
      next.proceed();
    });
    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\"}");
    assertThat(b.last()).isEqualTo("40{\"sid\":\"" + a.sid + "\",\"pid\":\"" + a.pid + "\"}");
    assertThat(middlewareRuns).containsExactly(a.sid);
    assertThat(seenRecovered).containsExactly(true);
  }

  @Test
  void refusedRecoveredSocketLeavesNoTrace() throws Exception {
    start(new ConnectionStateRecovery(Duration.ofSeconds(60), false));
    Conn a = new Conn().connect("");
    socket(a.sid).join("r");
    io.emit("x");
    String offset = a.offsetOf(a.last());
    a.transport.fireClose();
    io.use((socket, next) -> next.fail(new ConnectError("no")));
    Conn b = new Conn();
    b.transport.receive("40{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\"}");
    assertThat(b.last()).isEqualTo("44{\"message\":\"no\"}");
    assertThat(io.sockets().sockets()).isEmpty();
    assertThat(io.sockets().adapter().rooms()).isEmpty();
  }

  @Test
  void aSessionIsNotRestoredTwiceAtTheSameTime() throws Exception {
    start();
    Conn a = new Conn().connect("");
    io.emit("x");
    String offset = a.offsetOf(a.last());
    a.transport.fireClose();
    String auth = "{\"pid\":\"" + a.pid + "\",\"offset\":\"" + offset + "\"}";
    Conn b = new Conn();
    b.transport.receive("40" + auth);
    assertThat(b.last()).contains(a.sid);
    Conn c = new Conn();
    c.transport.receive("40" + auth);
    assertThat(c.last()).matches(CONNECT_OK).doesNotContain(a.sid);
  }

  @Test
  void serverShutdownPersistsTheSession() throws Exception {
    start();
    Conn a = new Conn().connect("");
    io.emit("x");
    String offset = a.offsetOf(a.last());
    io.close();
    assertThat(disconnects).containsExactly(a.sid + ":" + DisconnectReason.SERVER_SHUTTING_DOWN);
    assertThat(io.sockets().adapter().restoreSession(a.pid, offset).toCompletableFuture().join()).isPresent();
    io = null;
  }
}
