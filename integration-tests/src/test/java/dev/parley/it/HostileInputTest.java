package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.engine.EngineOptions;
import dev.parley.transport.jetty.ParleyHandler;
import dev.parley.transport.jetty.ParleyJetty;
import dev.parley.transport.jetty.WebSocketPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 7, item 5: hostile input from the socket.io security history, against a real Jetty on
 * loopback. Tiny and endless WebSocket fragments, ping floods, huge and countless headers on the
 * handshake and on the WebSocket upgrade, slowloris requests whose headers or bodies never finish,
 * oversized polling bodies, too many binary attachments and JSON nested past any sane depth. Each
 * case checks the server's answer, that it wrote no stack trace, and that another client is still
 * served. (Single oversized frames and bodies are in {@code WebSocketTest} and {@code PollingHttpTest}.)
 */
class HostileInputTest {
  private final Resources cleanup = new Resources();
  private StderrWatch stderr;

  @BeforeEach
  void watchStderr() {
    stderr = StderrWatch.start();
  }

  @AfterEach
  void cleanUp() throws Exception {
    cleanup.close();
    String traces = stderr.stop();
    assertThat(traces).as("stack traces written while the hostile input was served").isEmpty();
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    return cleanup.add(resource);
  }

  private TestServer server(EngineOptions options) {
    return closeLater(TestServer.start(options));
  }

  private TestServer server(EngineOptions options, ParleyJetty.Options jetty) {
    return closeLater(TestServer.start(options, jetty));
  }

  /** A well-behaved client: a JDK WebSocket that must get its message echoed. */
  private JdkWebSocket bystander(TestServer server) {
    JdkWebSocket ws = JdkWebSocket.open(server.wsUri("EIO=4&transport=websocket"));
    closeLater(ws::abort);
    assertThat(ws.awaitText(0).text()).startsWith("0{");
    return ws;
  }

  private static void assertEchoes(JdkWebSocket ws, String message) {
    int before = (int) ws.events().snapshot().stream().filter(e -> e.type().equals("text")).count();
    ws.sendText(message);
    ws.events().awaitFirst(e -> e.type().equals("text") && message.equals(e.text()), Http.TIMEOUT,
        "echo of " + message + " after " + before + " texts");
  }

  // ------------------------------------------------------------------ 1. WebSocket fragments

  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"PUBLIC", "FAST"})
  void aThousandOneByteFramesMakeOneMessage(WebSocketPath path) throws Exception {
    TestServer server = server(EngineOptions.defaults(), TestServer.jettyOptions(path));
    assertThat(server.webSocketPath()).isEqualTo(path);
    RawWebSocket ws = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    assertThat(ws.readText()).startsWith("0{");

    // a text message of 1,000 one-byte frames (within maxFramesPerMessage, 1024), a ping every 100
    String text = "4" + "x".repeat(999);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ws.frame(false, RawWebSocket.TEXT, new byte[] {bytes[0]});
    for (int i = 1; i < bytes.length; i++) {
      if (i % 100 == 0) {
        ws.frame(true, RawWebSocket.PING, new byte[] {(byte) i});
      }
      ws.frame(i == bytes.length - 1, RawWebSocket.CONTINUATION, new byte[] {bytes[i]});
    }
    ws.flush();
    assertThat(ws.readText()).isEqualTo(text);

    // a binary message of 1,024 one-byte frames: the most one message may take
    byte[] binary = new byte[1_024];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    ws.frame(false, RawWebSocket.BINARY, new byte[] {binary[0]});
    for (int i = 1; i < binary.length; i++) {
      ws.frame(i == binary.length - 1, RawWebSocket.CONTINUATION, new byte[] {binary[i]});
    }
    ws.flush();
    RawWebSocket.Message echoed = ws.readMessage();
    assertThat(echoed.opcode()).isEqualTo(RawWebSocket.BINARY);
    assertThat(echoed.payload()).isEqualTo(binary);
    // Jetty answers every ping; Parley's connection queues one pong at a time, which may answer several
    // pings that came meanwhile (RFC 6455 5.5.3)
    assertThat(ws.pongs()).as("pongs for the 9 pings between fragments").isBetween(1L, 9L);
  }

  /**
   * Issue 15, item 5: two million zero-length continuation frames were accepted (no byte limit is ever
   * reached). Now the 1025th frame of one message closes the connection with 1008; others are served.
   */
  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"PUBLIC", "FAST"})
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void endlessZeroLengthContinuationFramesCloseWith1008(WebSocketPath path) throws Exception {
    TestServer server = server(EngineOptions.defaults(), TestServer.jettyOptions(path));
    JdkWebSocket other = bystander(server);
    RawWebSocket ws = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    String sid = Http.json(ws.readText().substring(1)).get("sid").asText();

    // up to two million frames or 20 s
    int sent = fragmentsWithoutEnd(ws, RawWebSocket.TEXT, new byte[0], 2_000_000, 1_000);
    RawWebSocket.Message close = ws.readMessage();
    assertThat(close.isClose()).as("the answer to %d frames of one message", sent).isTrue();
    assertThat(close.closeCode()).isEqualTo(1008);
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    assertEchoes(other, "4still served");
    assertThat(server.engine().sessionCount()).isEqualTo(1);
    System.out.printf("[HostileInputTest] %s: zero-length continuations: closed with %d after %d sent%n", path,
        close.closeCode(), sent);
  }

  /** Issue 15, item 5: a message whose frames come too slowly is closed with 1008 at maxMessageTime. */
  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"PUBLIC", "FAST"})
  void aMessageNotFinishedWithinMaxMessageTimeClosesWith1008(WebSocketPath path) throws Exception {
    TestServer server = server(EngineOptions.defaults(), ParleyJetty.Options.builder()
        .handler(ParleyHandler.Options.builder().webSocketPath(path).maxMessageTime(Duration.ofMillis(500)).build())
        .build());
    JdkWebSocket other = bystander(server);
    RawWebSocket ws = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    String sid = Http.json(ws.readText().substring(1)).get("sid").asText();

    // a fragment every 100 ms: never silent, never more than a few frames, never finished
    CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
      int n = 0;
      try {
        ws.frame(false, RawWebSocket.TEXT, new byte[] {'4'}).flush();
        for (n = 1; n < 100; n++) {
          Thread.sleep(100);
          ws.frame(false, RawWebSocket.CONTINUATION, new byte[] {'s'}).flush();
        }
      } catch (IOException | InterruptedException closed) {
        // the server closed the connection
      }
      return n;
    });
    long started = System.nanoTime();
    RawWebSocket.Message close = ws.readMessage();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(close.isClose()).isTrue();
    assertThat(close.closeCode()).isEqualTo(1008);
    assertThat(ms).as("ms until the close").isLessThan(5_000);
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    slow.get(15, TimeUnit.SECONDS);
    assertEchoes(other, "4still served");
  }

  @Test
  void brokenFrameSequencesAndBadUtf8CloseWithTheProtocolsCodesAndAnEndWithoutCloseFrameIsATransportClose()
      throws Exception {
    TestServer server = server(EngineOptions.builder().build());
    JdkWebSocket other = bystander(server);

    RawWebSocket orphan = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    String orphanSid = Http.json(orphan.readText().substring(1)).get("sid").asText();
    orphan.frame(true, RawWebSocket.CONTINUATION, new byte[] {'x'});
    orphan.flush();
    assertThat(orphan.readMessage().closeCode()).as("a continuation with no message to continue").isEqualTo(1002);
    assertThat(server.awaitClose(orphanSid)).isEqualTo("transport error");

    RawWebSocket interleaved = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    String interleavedSid = Http.json(interleaved.readText().substring(1)).get("sid").asText();
    interleaved.frame(false, RawWebSocket.TEXT, new byte[] {'4'});
    interleaved.frame(true, RawWebSocket.TEXT, new byte[] {'4'});
    interleaved.flush();
    assertThat(interleaved.readMessage().closeCode()).as("a new message inside a fragmented one").isEqualTo(1002);
    assertThat(server.awaitClose(interleavedSid)).isEqualTo("transport error");

    RawWebSocket badUtf8 = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    String badSid = Http.json(badUtf8.readText().substring(1)).get("sid").asText();
    badUtf8.frame(true, RawWebSocket.TEXT, new byte[] {'4', (byte) 0xC3, (byte) 0x28});
    badUtf8.flush();
    assertThat(badUtf8.readMessage().closeCode()).as("a text frame that is not UTF-8").isEqualTo(1007);
    assertThat(server.awaitClose(badSid)).isEqualTo("transport error");

    RawWebSocket goodUtf8 = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    String goodSid = Http.json(goodUtf8.readText().substring(1)).get("sid").asText();
    byte[] replacement = "4\uFFFD ok".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    goodUtf8.frame(true, RawWebSocket.TEXT, replacement);
    goodUtf8.flush();
    assertThat(goodUtf8.readText()).as("a real U+FFFD is valid UTF-8 and echoed").isEqualTo("4\uFFFD ok");

    RawWebSocket vanishing = RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket");
    String vanishingSid = Http.json(vanishing.readText().substring(1)).get("sid").asText();
    vanishing.close(); // TCP FIN, no close frame
    assertThat(server.awaitClose(vanishingSid)).as("an end without a close frame").isEqualTo("transport close");
    assertThat(server.engine().sessionCount()).as("the bystander and the valid UTF-8 session").isEqualTo(2);

    assertEchoes(other, "4still served");
  }

  @Test
  void fragmentsAddingUpPastMaxHttpBufferSizeCloseWith1009BeforeTheMessageEnds() throws Exception {
    int limit = 1_000;
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(limit).build());
    JdkWebSocket other = bystander(server);

    for (int opcode : new int[] {RawWebSocket.TEXT, RawWebSocket.BINARY}) {
      RawWebSocket ws = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
      String sid = Http.json(ws.readText().substring(1)).get("sid").asText();
      // one-byte fragments: up to three times the limit
      int sent = fragmentsWithoutEnd(ws, opcode, new byte[] {'x'}, 3 * limit, 100);
      RawWebSocket.Message close = ws.readMessage();
      assertThat(close.isClose()).as("the answer to %d fragments without an end", sent).isTrue();
      assertThat(close.closeCode()).isEqualTo(1009);
      assertThat(server.awaitClose(sid)).isEqualTo("transport error");
    }
    assertEchoes(other, "4still served");
    assertThat(server.engine().sessionCount()).isEqualTo(1);
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void aFloodOfTinyFramesDoesNotStopAnotherClient() throws Exception {
    TestServer server = server(EngineOptions.defaults());
    JdkWebSocket other = bystander(server);
    RawWebSocket flooder = closeLater(RawWebSocket.open(server.port(), "/engine.io/?EIO=4&transport=websocket"));
    assertThat(flooder.readText()).startsWith("0{");

    int pings = 50_000;
    int fragments = 1_000; // maxFramesPerMessage (1024) bounds one message; the pings are the flood
    String message = "4" + "f".repeat(fragments - 1);
    AtomicInteger framesWritten = new AtomicInteger();
    BlockingQueue<String> flooderTexts = new LinkedBlockingQueue<>();
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        while (true) {
          RawWebSocket.Message m = flooder.readMessage();
          if (m.isClose()) {
            flooderTexts.add("close " + m.closeCode());
            return;
          }
          flooderTexts.add(m.text());
        }
      } catch (IOException e) {
        readerFailure.set(e); // closed at the end of the test
      }
    }, "flood-reader");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    CompletableFuture<Integer> flood = CompletableFuture.supplyAsync(() -> {
      try {
        int i = 0;
        for (; i < pings && System.nanoTime() < deadline; i++) {
          flooder.frame(true, RawWebSocket.PING, new byte[] {(byte) i});
          if (framesWritten.incrementAndGet() % 1_000 == 0) {
            flooder.flush();
          }
        }
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        for (int j = 0; j < bytes.length && System.nanoTime() < deadline; j++) {
          int op = j == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION;
          flooder.frame(j == bytes.length - 1, op, new byte[] {bytes[j]});
          if (framesWritten.incrementAndGet() % 1_000 == 0) {
            flooder.flush();
          }
        }
        flooder.flush();
        return i;
      } catch (IOException e) {
        throw new IllegalStateException("flood interrupted after " + framesWritten + " frames", e);
      }
    });

    Await.until("the flood is under way", () -> framesWritten.get() >= 20_000 || flood.isDone(), Http.TIMEOUT);
    assertEchoes(other, "4during the flood");

    int pingsSent = flood.get(25, TimeUnit.SECONDS);
    assertThat(pingsSent).as("pings sent within the time bound").isEqualTo(pings);
    String echoed = null;
    long waitUntil = System.nanoTime() + Http.TIMEOUT.toNanos();
    while (echoed == null && System.nanoTime() < waitUntil) {
      String t = flooderTexts.poll(100, TimeUnit.MILLISECONDS);
      if (t != null && (t.startsWith("4") || t.startsWith("close"))) {
        echoed = t;
      }
    }
    assertThat(echoed).as("the flooder's own fragmented message comes back (reader: %s)", readerFailure.get())
        .isEqualTo(message);
    Await.until("a pong for every ping", () -> flooder.pongs() == pings, Http.TIMEOUT,
        () -> flooder.pongs() + " pongs");
    assertEchoes(other, "4after the flood");
    System.out.printf("[HostileInputTest] flood: %d pings, then a %d-fragment message, from one client; the other "
        + "client was served during and after it%n", pings, fragments);
  }

  /**
   * A message's first frame ({@code opcode}, payload {@code '4'}), then continuation frames carrying
   * {@code fragment}, never a final one: up to {@code max} frames in all or 20 s, flushed every
   * {@code flushEvery}, stopping when the server has closed (writes then fail). Returns how many were sent.
   */
  private static int fragmentsWithoutEnd(RawWebSocket ws, int opcode, byte[] fragment, int max, int flushEvery) {
    int sent = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      ws.frame(false, opcode, new byte[] {'4'});
      for (sent = 1; sent < max && System.nanoTime() < deadline; sent++) {
        ws.frame(false, RawWebSocket.CONTINUATION, fragment);
        if (sent % flushEvery == 0) {
          ws.flush();
        }
      }
      ws.flush();
    } catch (IOException closedMeanwhile) {
      // the server closed the connection while we were still sending
    }
    return sent;
  }

  // ------------------------------------------------------------------ 2. headers

  @Test
  void thousandsOfHeadersOrOneHugeHeaderAre431AndOthersAreUnharmed() throws Exception {
    TestServer server = server(EngineOptions.defaults());
    JdkWebSocket other = bystander(server);
    String polling = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    String upgrade = "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n";
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      many.append("X-Header-").append(i).append(": v\r\n");
    }
    String huge = "X-Huge: " + "h".repeat(400 * 1024) + "\r\n";

    Map<String, Integer> statuses = new HashMap<>();
    for (String head : new String[] {polling, upgrade}) {
      for (String extra : new String[] {many.toString(), huge}) {
        String name = (head == polling ? "polling" : "upgrade") + (extra == huge ? " huge" : " many");
        statuses.put(name, statusOf(server.port(), head + extra + "\r\n"));
      }
    }
    // Jetty's parser answers 431; once in a CI run (not reproduced in thousands of tries, idle or loaded)
    // Jetty answered the WebSocket upgrade with one 400 KB header 400 instead. Either is a refusal before
    // the head is read: what must hold is no session, no 101/200, and the others served.
    assertThat(statuses).as("answers to oversized request heads").containsOnlyKeys(
        "polling many", "polling huge", "upgrade many", "upgrade huge");
    assertThat(statuses.values()).as("answers to oversized request heads: %s", statuses)
        .allSatisfy(status -> assertThat(status).isIn(431, 400));
    assertThat(statuses.values()).as("mostly 431: %s", statuses).filteredOn(status -> status == 431)
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(server.engine().sessionCount()).isEqualTo(1);
    assertEchoes(other, "4still served");
  }

  @Test
  void aThousandSmallHeadersInsideTheLimitAreJustARequest() throws Exception {
    // on a server of its own: once in CI, on the server that had just refused the oversized heads above,
    // this request was answered 400 "Bad handshake method" (not reproduced; see reliability.md)
    TestServer server = server(EngineOptions.defaults());
    String polling = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    StringBuilder thousand = new StringBuilder();
    for (int i = 0; i < 1_000; i++) {
      thousand.append("h").append(i).append(":v\r\n");
    }
    assertThat(thousand.length()).isLessThan(ParleyJetty.Options.defaults().maxRequestHeaderSize() - 200);
    try (Socket s = connect(server.port())) {
      s.getOutputStream().write((polling + thousand + "\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = readHead(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void theHeaderLimitIsAnOption() throws Exception {
    TestServer server = server(EngineOptions.defaults(),
        ParleyJetty.Options.builder().maxRequestHeaderSize(4 * 1024).build());
    String head = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    assertThat(statusOf(server.port(), head + "X-Big: " + "b".repeat(3_000) + "\r\n\r\n")).isEqualTo(200);
    assertThat(statusOf(server.port(), head + "X-Big: " + "b".repeat(5_000) + "\r\n\r\n")).isEqualTo(431);
  }

  @Test
  void theListenBacklogIsNodesByDefaultAndAnOption() throws Exception {
    // a reconnect storm overflows a backlog of 50 (Java's default): the kernel drops SYNs and each
    // dropped client waits a second or more for its retry; the kernel shows the backlog of a listening
    // socket as its Send-Q
    assertThat(listenBacklog(server(EngineOptions.defaults()).port())).isEqualTo(511);
    assertThat(listenBacklog(server(EngineOptions.defaults(),
        ParleyJetty.Options.builder().acceptQueueSize(1000).build()).port())).isEqualTo(1000);
  }

  /** The backlog of the socket listening on {@code port}, as {@code ss} reads it from the kernel. */
  private static int listenBacklog(int port) throws Exception {
    Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + port).redirectErrorStream(true).start();
    String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(ss.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("ss output").startsWith("LISTEN");
    return Integer.parseInt(out.split("\\s+")[2]);
  }

  /** Writes {@code request} (from another thread: the server may stop reading) and returns the status. */
  private static int statusOf(int port, String request) throws Exception {
    try (Socket s = connect(port)) {
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        try {
          s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException refusedMidway) {
          // the server answered and closed before reading it all
        }
      });
      String head = readHead(s.getInputStream());
      writing.get(10, TimeUnit.SECONDS);
      return Integer.parseInt(head.split(" ")[1]);
    }
  }

  // ------------------------------------------------------------------ 3. slowloris

  @Test
  void headersThatNeverFinishAreClosedByTheIdleTimeout() throws Exception {
    TestServer server = server(EngineOptions.defaults(),
        ParleyJetty.Options.builder().idleTimeout(Duration.ofMillis(800)).build());
    try (Socket s = connect(server.port())) {
      s.getOutputStream().write("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b"
          .getBytes(StandardCharsets.US_ASCII));
      long started = System.nanoTime();
      String rest = readUntilClosed(s.getInputStream());
      System.out.printf("[HostileInputTest] unfinished headers: closed after %d ms with %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          rest.isEmpty() ? "no answer" : rest.lines().findFirst().orElse(""));
      // Jetty may say 408 before closing; either way the connection ends
      assertThat(rest).satisfiesAnyOf(r -> assertThat(r).isEmpty(), r -> assertThat(r).startsWith("HTTP/1.1 408"));
    }
    assertThat(server.engine().sessionCount()).isZero();
  }

  /**
   * Issue 15, item 6: heads dribbled a byte at a time were never closed (each byte resets the idle
   * timeout), and Jetty's pool grew and stayed large. Now the head deadline closes all 300, a normal
   * client is served meanwhile, and the pool comes back near its size before the attack.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void threeHundredDribbledHeadsAreClosedAtTheHeadDeadlineAndThePoolShrinksBack() throws Exception {
    Duration headTimeout = Duration.ofSeconds(2);
    TestServer server = server(EngineOptions.defaults(),
        ParleyJetty.Options.builder().requestHeadTimeout(headTimeout).threadIdleTimeout(Duration.ofSeconds(3)).build());
    QueuedThreadPool pool = (QueuedThreadPool) server.running().server().getThreadPool();
    JdkWebSocket other = bystander(server);
    assertEchoes(other, "4before");
    int baseline = pool.getThreads();

    int count = 300;
    Selector selector = Selector.open();
    closeLater(selector);
    List<SocketChannel> dribblers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      closeLater(c);
      c.write(ByteBuffer.wrap("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
          .getBytes(StandardCharsets.US_ASCII)));
      c.configureBlocking(false);
      c.register(selector, SelectionKey.OP_READ);
      dribblers.add(c);
    }
    long started = System.nanoTime();
    // one byte on every connection every 100 ms (well inside the idle timeout), until each is closed
    Map<SocketChannel, Long> closedAfterMs = new HashMap<>();
    int peak = baseline;
    boolean servedDuring = false;
    ByteBuffer buf = ByteBuffer.allocate(1024);
    long deadline = started + TimeUnit.SECONDS.toNanos(20);
    while (closedAfterMs.size() < count && System.nanoTime() < deadline) {
      for (SocketChannel c : dribblers) {
        if (!closedAfterMs.containsKey(c)) {
          try {
            c.write(ByteBuffer.wrap(new byte[] {'x'}));
          } catch (IOException closed) {
            closedAfterMs.put(c, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
          }
        }
      }
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
      while (System.nanoTime() < until) {
        selector.select(20);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel c = (SocketChannel) key.channel();
          buf.clear();
          int n;
          try {
            n = c.read(buf);
          } catch (IOException reset) {
            n = -1;
          }
          if (n < 0) {
            key.cancel();
            closedAfterMs.putIfAbsent(c, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
          }
        }
        selector.selectedKeys().clear();
      }
      peak = Math.max(peak, pool.getThreads());
      if (!servedDuring && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(1)) {
        assertEchoes(other, "4during");
        servedDuring = true;
      }
    }
    assertThat(closedAfterMs).as("dribbled heads the server closed").hasSize(count);
    long last = closedAfterMs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(last).as("ms until the last dribbled head was closed (deadline %s)", headTimeout).isLessThan(8_000);
    assertThat(servedDuring).isTrue();
    assertEchoes(other, "4after");

    // the pool lets go of the threads the attack woke once they idled for threadIdleTimeout (60 s by
    // default; 3 s here to keep the test short), all of them, not one per period
    int peakThreads = peak;
    Await.until("the pool shrinks back near its baseline of " + baseline, () -> pool.getThreads() <= baseline + 4,
        Duration.ofSeconds(30), () -> pool.getThreads() + " threads (peak " + peakThreads + ")");
    System.out.printf("[HostileInputTest] %d dribbled heads: all closed by %d ms (deadline %d ms); pool threads %d "
        + "before, %d at the peak, %d after%n", count, last, headTimeout.toMillis(), baseline, peak, pool.getThreads());
  }

  @Test
  void aPostBodyDribbledOneByteAtATimeIsCutOffAtTheRequestBodyTimeout() throws Exception {
    TestServer server = server(EngineOptions.builder().requestBodyTimeout(Duration.ofMillis(1_500)).build(),
        ParleyJetty.Options.builder().idleTimeout(Duration.ofSeconds(5)).build());
    String sid = Http.handshake(server).sid();
    int length = 1_000;
    try (Socket s = connect(server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + length + "\r\n\r\n4")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      AtomicInteger dribbled = new AtomicInteger(1);
      CompletableFuture<Void> dribble = CompletableFuture.runAsync(() -> {
        try {
          // one byte every 50 ms: always inside the idle timeout, 50 s for the whole body
          while (dribbled.get() < length - 1) {
            out.write('x');
            out.flush();
            dribbled.incrementAndGet();
            Thread.sleep(50);
          }
        } catch (IOException | InterruptedException cutOff) {
          // the server closed the connection
        }
      });
      String head = readHead(s.getInputStream());
      int sentWhenAnswered = dribbled.get();
      assertThat(head).startsWith("HTTP/1.1 400");
      readUntilClosed(s.getInputStream());
      dribble.get(10, TimeUnit.SECONDS);
      assertThat(sentWhenAnswered).as("body bytes sent when the server gave up").isLessThan(length / 2);
      System.out.printf("[HostileInputTest] dribbled POST: answered %s after %d of %d body bytes%n",
          head.lines().findFirst().orElse(""), sentWhenAnswered, length);
    }
    // an aborted POST closes the session, as in the reference
    assertThat(server.awaitClose(sid)).isEqualTo("transport error");
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void twoHundredSlowConnectionsDoNotStopANormalClient() throws Exception {
    TestServer server = server(EngineOptions.builder().requestBodyTimeout(Duration.ofSeconds(3)).build(),
        ParleyJetty.Options.builder().idleTimeout(Duration.ofSeconds(2)).build());
    int each = 100;
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < each; i++) {
      sids.add(Http.handshake(server).sid());
    }
    Selector selector = Selector.open();
    closeLater(selector);
    List<SocketChannel> headerHangers = new ArrayList<>();
    List<SocketChannel> bodyDribblers = new ArrayList<>();
    for (int i = 0; i < 2 * each; i++) {
      SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      closeLater(c);
      String start = i < each
          ? "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Never: ends"
          : "POST /engine.io/?EIO=4&transport=polling&sid=" + sids.get(i - each) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 100000\r\n\r\n4";
      c.write(ByteBuffer.wrap(start.getBytes(StandardCharsets.US_ASCII)));
      c.configureBlocking(false);
      c.register(selector, SelectionKey.OP_READ, new StringBuilder());
      (i < each ? headerHangers : bodyDribblers).add(c);
    }

    // the normal client, while all 200 are held: polling and WebSocket
    String sid = Http.handshake(server).sid();
    assertThat(Http.post(server.uri("EIO=4&transport=polling&sid=" + sid), "4hello").body()).isEqualTo("ok");
    assertThat(Http.get(server.uri("EIO=4&transport=polling&sid=" + sid)).body()).isEqualTo("4hello");
    assertEchoes(bystander(server), "4served");

    // the server closes every slow connection: idle timeout for the heads, body timeout for the POSTs
    Map<SocketChannel, String> endings = new HashMap<>();
    ByteBuffer buf = ByteBuffer.allocate(4096);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long nextDribble = 0;
    while (endings.size() < 2 * each && System.nanoTime() < deadline) {
      if (System.nanoTime() >= nextDribble) {
        for (SocketChannel c : bodyDribblers) {
          if (!endings.containsKey(c)) {
            try {
              c.write(ByteBuffer.wrap(new byte[] {'x'}));
            } catch (IOException closed) {
              // the answer is read below
            }
          }
        }
        nextDribble = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      }
      selector.select(50);
      for (SelectionKey key : selector.selectedKeys()) {
        SocketChannel c = (SocketChannel) key.channel();
        StringBuilder seen = (StringBuilder) key.attachment();
        buf.clear();
        int n;
        try {
          n = c.read(buf);
        } catch (IOException reset) {
          n = -1;
        }
        if (n > 0) {
          seen.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        } else if (n < 0) {
          key.cancel();
          endings.put(c, seen.toString());
        }
      }
      selector.selectedKeys().clear();
    }
    assertThat(endings).as("slow connections the server closed").hasSize(2 * each);
    System.out.printf("[HostileInputTest] 200 slow connections: heads ended with %s; bodies with %s%n",
        headerHangers.stream().map(c -> firstLine(endings.get(c))).distinct().toList(),
        bodyDribblers.stream().map(c -> firstLine(endings.get(c))).distinct().toList());
    for (SocketChannel c : headerHangers) {
      assertThat(endings.get(c)).satisfiesAnyOf(r -> assertThat(r).isEmpty(),
          r -> assertThat(r).startsWith("HTTP/1.1 408"));
    }
    for (SocketChannel c : bodyDribblers) {
      assertThat(endings.get(c)).startsWith("HTTP/1.1 400");
    }
    for (String s : sids) {
      assertThat(server.awaitClose(s)).isEqualTo("transport error");
    }
  }

  // ------------------------------------------------------------------ 3b. oversized POSTs, hostile variants

  @Test
  void aDeclaredLengthPastTheLimitIs413WithoutWaitingForTheBody() throws Exception {
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(1_000).build());
    String sid = Http.handshake(server).sid();
    try (Socket s = connect(server.port())) {
      // announces a terabyte and sends nothing
      s.getOutputStream().write(("POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 1099511627776\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 413");
    }
    // the session stays, as in the reference
    assertThat(Http.post(server.uri("EIO=4&transport=polling&sid=" + sid), "4ok").body()).isEqualTo("ok");
    assertThat(Http.get(server.uri("EIO=4&transport=polling&sid=" + sid)).body()).isEqualTo("4ok");
  }

  @Test
  void aChunkedBodyThatNeverEndsIs413AsSoonAsItPassesTheLimit() throws Exception {
    TestServer server = server(EngineOptions.builder().maxHttpBufferSize(1_000).build());
    String sid = Http.handshake(server).sid();
    try (Socket s = connect(server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: text/plain;charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      // 100-byte chunks, 1,500 bytes in all, and no last chunk
      for (int i = 0; i < 15; i++) {
        out.write(("64\r\n" + (i == 0 ? "4" : "x") + "x".repeat(99) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 413");
    }
    assertThat(Http.post(server.uri("EIO=4&transport=polling&sid=" + sid), "4ok").body()).isEqualTo("ok");
    assertThat(Http.get(server.uri("EIO=4&transport=polling&sid=" + sid)).body()).isEqualTo("4ok");
  }

  // ------------------------------------------------------------------ 4. attachments and JSON

  @Test
  void tooManyAttachmentsAndJsonPastTheParserLimitsCloseOnlyThatConnection() throws Exception {
    AtomicInteger handlerErrors = new AtomicInteger();
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    SocketIoServer io = SocketIoServer.builder()
        .pingInterval(Duration.ofMinutes(2))
        .errorHandler((socket, event, error) -> handlerErrors.incrementAndGet())
        .build();
    io.onConnection(s -> s.on("echo", (args, ack) -> {
      seen.add(args.get(0).isTextual() ? "text " + args.get(0).asText().length() : args.get(0).getNodeType().name());
      ack.send("ok");
    }));
    ParleyJetty.Running running = closeLater(ParleyJetty.listen(io, "127.0.0.1", 0));
    RawWebSocket bystander = closeLater(sioSocket(running.port()));

    String deepArray = "[".repeat(100_000) + "]".repeat(100_000);
    Map<String, String> hostile = new java.util.LinkedHashMap<>();
    hostile.put("11 attachments (limit 10)", "4511-[\"echo\",{\"_placeholder\":true,\"num\":0}]");
    hostile.put("an attachment count past any integer", "4599999999999999999999-[\"echo\"]");
    hostile.put("arrays nested 100,000 deep", "42[\"echo\"," + deepArray + "]");
    hostile.put("objects nested 50,000 deep",
        "42[\"echo\"," + "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000) + "]");
    hostile.put("a number of 500,000 digits", "42[\"echo\"," + "9".repeat(500_000) + "]");
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> h : hostile.entrySet()) {
      try (RawWebSocket ws = sioSocket(running.port())) {
        ws.sendText(h.getValue());
        answers.put(h.getKey(), ending(ws));
      }
    }
    assertThat(answers).as("what each hostile packet got").allSatisfy((name, answer) ->
        assertThat(answer).isEqualTo("closed"));

    // a large but ordinary payload (a 900 KB string) is an event like any other
    try (RawWebSocket ws = sioSocket(running.port())) {
      ws.sendText("421[\"echo\",\"" + "s".repeat(900_000) + "\"]");
      assertThat(ws.readText()).isEqualTo("431[\"ok\"]");
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("text 900000");
    }
    bystander.sendText("422[\"echo\",\"hi\"]");
    assertThat(bystander.readText()).isEqualTo("432[\"ok\"]");
    assertThat(handlerErrors).hasValue(0);
    Await.until("only the bystander is left", () -> io.engine().sessionCount() == 1, Http.TIMEOUT);
  }

  /** A raw WebSocket connected to the Socket.IO main namespace. */
  private static RawWebSocket sioSocket(int port) throws IOException {
    RawWebSocket ws = RawWebSocket.open(port, "/socket.io/?EIO=4&transport=websocket");
    assertThat(ws.readText()).startsWith("0{");
    ws.sendText("40");
    assertThat(ws.readText()).startsWith("40{\"sid\"");
    return ws;
  }

  /**
   * Reads until the server closes: {@code closed} (an Engine.IO close packet {@code 1} may come first),
   * or the first other message if one comes instead.
   */
  private static String ending(RawWebSocket ws) {
    try {
      while (true) {
        RawWebSocket.Message m = ws.readMessage();
        if (m.isClose()) {
          return "closed";
        }
        if (!m.text().equals("1")) {
          return "got " + m.text().substring(0, Math.min(80, m.text().length()));
        }
      }
    } catch (IOException endOfStream) {
      return "closed";
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String firstLine(String response) {
    return response.isEmpty() ? "(closed, no answer)" : response.lines().findFirst().orElse("");
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.setSoTimeout(10_000);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    return s;
  }

  /** The status line and headers of a response, up to the empty line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before a response; got: " + head);
      }
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** Everything until the server closes (end of stream or reset); fails at the socket timeout. */
  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the server did not close the connection; got: " + all, e);
    } catch (IOException reset) {
      // closed with a reset
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Copies what is written to {@code System.err} (where slf4j-simple logs) while a test runs, and
   * returns the lines of stack traces in it.
   */
  static final class StderrWatch {
    private final PrintStream original;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private StderrWatch() {
      original = System.err;
      System.setErr(new PrintStream(new java.io.OutputStream() {
        @Override
        public void write(int b) {
          original.write(b);
          synchronized (copy) {
            copy.write(b);
          }
        }

        @Override
        public void write(byte[] b, int off, int len) {
          original.write(b, off, len);
          synchronized (copy) {
            copy.write(b, off, len);
          }
        }
      }, true, StandardCharsets.UTF_8));
    }

    static StderrWatch start() {
      return new StderrWatch();
    }

    String stop() {
      System.setErr(original);
      String text;
      synchronized (copy) {
        text = copy.toString(StandardCharsets.UTF_8);
      }
      return String.join("\n", Arrays.stream(text.split("\n"))
          .filter(l -> l.startsWith("\tat ") || l.contains("Exception")).toList());
    }
  }
}
