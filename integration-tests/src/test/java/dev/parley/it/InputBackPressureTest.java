package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.engine.EngineSession;
import dev.parley.transport.jetty.ParleyJetty;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that sends faster than its handlers run is held back by TCP, not by the heap: once more
 * than twice {@code maxHttpBufferSize} of its events wait for the handler, Parley stops reading its
 * WebSocket (or holds its POST's answer) and resumes when the handler has caught up. Nothing is lost
 * and the order is kept.
 */
class InputBackPressureTest {
  private static final int MAX_MESSAGE = 100_000;
  private static final long LIMIT = 2L * MAX_MESSAGE;
  private final Resources cleanup = new Resources();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final List<Integer> handled = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void cleanUp() {
    gate.countDown();
    cleanup.close();
  }

  /** A server whose "slow" handler waits at the gate, then records the event's number. */
  private SocketIoServer server() {
    return server(false);
  }

  private SocketIoServer server(boolean deflate) {
    SocketIoServer io = SocketIoServer.builder()
        .engine(e -> e.perMessageDeflate(deflate))
        .maxHttpBufferSize(MAX_MESSAGE)
        .pingInterval(Duration.ofMinutes(2))
        .pingTimeout(Duration.ofMinutes(2))
        .build();
    io.onConnection(s -> s.on("slow", (args, ack) -> {
      try {
        gate.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      handled.add(args.get(0).asInt());
      ack.send("done");
    }));
    return io;
  }

  private ParleyJetty.Running listen(SocketIoServer io) {
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    cleanup.add((AutoCloseable) running::close);
    return running;
  }

  @Test
  void aWebSocketClientFloodingABlockedHandlerIsNotReadUntilTheHandlerCatchesUp() throws Exception {
    flood(false);
  }

  /** The same on Jetty's WebSocket connection, which Parley uses when permessage-deflate is negotiated. */
  @Test
  void withPerMessageDeflateJettysConnectionIsHeldBackTheSameWay() throws Exception {
    flood(true);
  }

  private void flood(boolean deflate) throws Exception {
    SocketIoServer io = server(deflate);
    ParleyJetty.Running running = listen(io);
    // without context takeover each compressed message inflates on its own
    RawWebSocket ws = RawWebSocket.open(running.port(), "/socket.io/?EIO=4&transport=websocket", 0, new byte[0],
        deflate ? "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n" : "");
    cleanup.add(ws);
    assertThat(ws.handshakeResponse().toLowerCase(java.util.Locale.ROOT).contains("permessage-deflate"))
        .isEqualTo(deflate);
    String open = text(ws);
    String sid = Http.json(open.substring(1)).get("sid").asText();
    ws.sendText("40");
    assertThat(text(ws)).startsWith("40{\"sid\"");

    // 4,000 events of 10 KB (40 MB): far more than the kernel's socket buffers hold
    int events = 4_000;
    String pad = "x".repeat(10_000);
    CountDownLatch written = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < events; i++) {
          ws.sendText("42[\"slow\"," + i + ",\"" + pad + "\"]");
        }
        ws.sendText("421[\"slow\"," + events + "]");
        written.countDown();
      } catch (Exception e) {
        // the test fails on the latch below
      }
    }, "flooder");
    writer.setDaemon(true);
    writer.start();

    Await.until("reading paused", () -> io.engine().stats().inputPauses() >= 1, Http.TIMEOUT);
    EngineSession session = io.engine().session(sid);
    // what waits for the handler stays near the limit: what one read hands over comes on top
    assertThat(session.inputBacklog()).isGreaterThan(LIMIT).isLessThan(LIMIT + 64 * 1024);
    assertThat(written.getCount()).as("the flooder is held back by TCP").isEqualTo(1);
    assertThat(handled).isEmpty();

    gate.countDown();
    assertThat(written.await(60, TimeUnit.SECONDS)).as("the flooder got everything out").isTrue();
    assertThat(text(ws)).isEqualTo("431[\"done\"]");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i <= events; i++) {
      expected.add(i);
    }
    assertThat(handled).isEqualTo(expected);
    Await.until("nothing waits", () -> session.inputBacklog() == 0, Http.TIMEOUT); // the last task ends after its ack
    assertThat(io.engine().stats().inputPauses()).isGreaterThanOrEqualTo(1);
  }

  /** The next text message, inflated when the server compressed it (one frame each here). */
  private static String text(RawWebSocket ws) throws Exception {
    RawWebSocket.Frame f = ws.readFrame();
    assertThat(f.opcode()).isEqualTo(RawWebSocket.TEXT);
    assertThat(f.fin()).isTrue();
    byte[] payload = f.payload();
    if (f.compressed()) {
      payload = RawWebSocket.inflate(payload);
    }
    return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aPollingClientsPostIsAnsweredOnlyOnceTheHandlerCatchesUp() throws Exception {
    SocketIoServer io = server();
    ParleyJetty.Running running = listen(io);
    URI base = URI.create("http://127.0.0.1:" + running.port() + "/socket.io/?EIO=4&transport=polling");
    HttpResponse<String> handshake = Http.get(base);
    String sid = Http.json(handshake.body().substring(1)).get("sid").asText();
    URI session = URI.create(base + "&sid=" + sid);
    assertThat(Http.post(session, "40").body()).isEqualTo("ok");
    assertThat(Http.get(session).body()).startsWith("40{\"sid\"");

    // three POSTs of about 90 KB each: the third takes the backlog past 200 KB and waits
    String pad = "y".repeat(30_000);
    int n = 0;
    List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
    for (int post = 0; post < 3; post++) {
      StringBuilder body = new StringBuilder();
      for (int k = 0; k < 3; k++) {
        if (body.length() > 0) {
          body.append('\u001e');
        }
        body.append("42[\"slow\",").append(n++).append(",\"").append(pad).append("\"]");
      }
      CompletableFuture<HttpResponse<String>> answer = Http.sendAsync(Http.request(session)
          .header("Content-Type", "text/plain;charset=UTF-8")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build());
      posts.add(answer);
      if (post < 2) {
        assertThat(answer.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
      }
    }
    Await.until("reading paused", () -> io.engine().stats().inputPauses() >= 1, Http.TIMEOUT);
    assertThat(posts.get(2)).as("the third POST is held").isNotDone();
    assertThat(io.engine().session(sid).inputBacklog()).isGreaterThan(LIMIT);

    gate.countDown();
    assertThat(posts.get(2).get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
    Await.until("every event handled", () -> handled.size() == 9, Http.TIMEOUT);
    assertThat(handled).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    Await.until("nothing waits", () -> io.engine().session(sid).inputBacklog() == 0, Http.TIMEOUT);
  }
}
