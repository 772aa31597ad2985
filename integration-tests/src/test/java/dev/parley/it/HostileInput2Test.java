package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Namespace;
import dev.parley.SocketIoServer;
import dev.parley.engine.ParleyExecutors;
import dev.parley.examples.scenario.ScenarioServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 ("hostile input, round 2"), against a real Jetty on loopback with the scenario server's
 * handlers: one client's burst does not keep others waiting; held partial attachments, duplicate
 * CONNECTs, throwing handlers and dynamic namespaces neither break the server nor fill its heap or log.
 */
class HostileInput2Test {
  private final Resources cleanup = new Resources();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  private ParleyJetty.Running scenarioServer() {
    SocketIoServer io = ScenarioServer.create();
    return cleanup.add(ParleyJetty.listen(io, "127.0.0.1", 0));
  }

  /** A raw WebSocket connected to the main namespace. */
  private RawWebSocket sioSocket(int port) throws Exception {
    RawWebSocket ws = cleanup.add(RawWebSocket.open(port, "/socket.io/?EIO=4&transport=websocket"));
    assertThat(ws.readText()).startsWith("0{");
    ws.sendText("40");
    assertThat(ws.readText()).startsWith("40{\"sid\"");
    return ws;
  }

  /** Sends an echo with ack id {@code id} and waits for its answer; the round trip in milliseconds. */
  private static long echo(RawWebSocket ws, int id) throws Exception {
    long t0 = System.nanoTime();
    ws.sendText("42" + id + "[\"echo\",\"x\"]");
    String expected = "43" + id + "[\"x\"]";
    String got;
    while (!(got = ws.readText()).equals(expected)) {
      if (got.equals("2")) {
        ws.sendText("3");
      }
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  // ------------------------------------------------------------------ item 7: fairness

  /**
   * Four polling clients each POST 56,000 small events at once (three rounds), while another client
   * sends an echo every 10 ms and measures its round trip; returns the slowest. Before a POST body
   * was handed over in slices, each whole body was decoded on the Jetty thread that read it, and the
   * other client's echo waited behind them (up to 3.9 s seen under attack).
   */
  private long slowestEchoDuringBursts(SocketIoServer io, String what) throws Exception {
    io.onConnection(socket -> socket.on("echo", (a, ack) -> ack.send(a.values().toArray())));
    ParleyJetty.Running running = cleanup.add(ParleyJetty.listen(io, "127.0.0.1", 0));
    RawWebSocket bystander = sioSocket(running.port());
    String base = "http://127.0.0.1:" + running.port() + "/socket.io/?EIO=4&transport=polling";
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < 56_000; i++) {
      if (i > 0) {
        burst.append('\u001e');
      }
      burst.append("42[\"echo\",").append(i % 10).append(']');
    }
    List<Long> rtts = new ArrayList<>();
    List<Long> roundMax = new ArrayList<>();
    int id = 0;
    for (int round = 0; round < 3; round++) {
      int from = rtts.size();
      List<URI> sessions = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      for (int c = 0; c < 4; c++) {
        HttpResponse<String> handshake = Http.get(URI.create(base));
        URI session = URI.create(base + "&sid=" + Http.json(handshake.body().substring(1)).get("sid").asText());
        assertThat(Http.post(session, "40").statusCode()).isEqualTo(200);
        assertThat(Http.get(session).body()).startsWith("40{");
        sessions.add(session);
        Thread reader = new Thread(() -> { // each burst's answers are read, as a client would
          while (!stop.get()) {
            try {
              Http.get(session);
            } catch (RuntimeException | AssertionError e) {
              return;
            }
          }
        }, "burst-reader-" + c);
        reader.setDaemon(true);
        reader.start();
      }
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
      for (URI session : sessions) {
        posts.add(Http.sendAsync(Http.request(session).POST(HttpRequest.BodyPublishers.ofString(burst.toString())).build()));
      }
      long end = System.nanoTime() + 3_000_000_000L;
      while (!posts.stream().allMatch(java.util.concurrent.CompletableFuture::isDone) || System.nanoTime() < end) {
        rtts.add(echo(bystander, id++));
        Thread.sleep(10);
      }
      for (var post : posts) {
        assertThat(post.get().statusCode()).isEqualTo(200);
      }
      roundMax.add(rtts.subList(from, rtts.size()).stream().mapToLong(Long::longValue).max().orElse(0));
      stop.set(true);
      for (URI session : sessions) {
        Http.post(session, "1");
      }
    }
    List<Long> sorted = new ArrayList<>(rtts);
    sorted.sort(null);
    long max = sorted.get(sorted.size() - 1);
    long p99 = sorted.get(sorted.size() * 99 / 100);
    System.out.printf("fairness (%s): %d echoes during three rounds of four 56,000-event POSTs: p50 %d ms, "
        + "p99 %d ms, max %d ms (per round %s)%n", what, sorted.size(), sorted.get(sorted.size() / 2), p99, max, roundMax);
    return max;
  }

  /**
   * On a pool of platform threads (JDK 17's default; first in, first out): the aim is about 100 ms on
   * 2 cores (45-69 ms measured on a quiet machine, 567-1,413 ms before the fix); the bound is
   * generous, as the machine is shared.
   */
  @Test
  @Timeout(180)
  void burstsOf56000EventsInOnePostDoNotKeepAnotherClientsEchoWaiting() throws Exception {
    java.util.concurrent.ExecutorService platform = Executors.newFixedThreadPool(16);
    cleanup.add(platform::shutdownNow);
    long max = slowestEchoDuringBursts(SocketIoServer.builder().executor(platform).build(), "platform pool");
    assertThat(max).as("the other client's slowest echo (ms)").isLessThan(1_000);
  }

  /**
   * With the default executor: virtual threads from JDK 21 on. Their scheduler (a ForkJoinPool) has
   * no time-slicing and drains one queue at a time, so a few clients' CPU-bound bursts still delay
   * others more than on a platform pool: a few hundred milliseconds a round on JDK 25 here, up to 2.2 s
   * once (see reliability.md). Checked against a looser bound, for a regression past that.
   */
  @Test
  @Timeout(180)
  void burstsOnTheDefaultExecutorDoNotKeepAnotherClientsEchoWaitingForSeconds() throws Exception {
    long max = slowestEchoDuringBursts(SocketIoServer.builder().build(), "default executor, "
        + (ParleyExecutors.virtualThreadsAvailable() ? "virtual threads" : "platform pool"));
    assertThat(max).as("the other client's slowest echo (ms)").isLessThan(5_000);
  }

  // ------------------------------------------------------------------ item 1: held partial attachments

  /**
   * Forty WebSocket clients each announce ten attachments and send nine of 900 KB, then hold, against
   * the scenario server in a JVM of its own with a 256 MB heap (the attack of the issue: about 25 such
   * clients ran that heap out of memory). The server closes those past its budget for partial packets
   * (32 MB here, an eighth of the heap) and serves a new client's echo within a second, and the JVM
   * never runs out of memory ({@code -XX:+ExitOnOutOfMemoryError} would end it).
   */
  @Test
  @Timeout(240)
  void fortyClientsHoldingPartialAttachmentsAtA256MbHeapLeaveTheServerServing() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), "dev.parley.examples.scenario.ScenarioServer")
        .redirectErrorStream(true);
    pb.environment().put("PORT", "0");
    pb.environment().put("HOST", "127.0.0.1");
    Process server = pb.start();
    cleanup.add(() -> {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    });
    StringBuffer output = new StringBuffer();
    int port = awaitPort(server, output);

    String header = "4510-[\"echo\"" + java.util.stream.IntStream.range(0, 10)
        .mapToObj(i -> ",{\"_placeholder\":true,\"num\":" + i + "}").collect(java.util.stream.Collectors.joining()) + "]";
    byte[] attachment = RawWebSocket.encode(true, RawWebSocket.BINARY, new byte[900_000]);
    List<RawWebSocket> attackers = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int c = 0; c < 40; c++) {
        sent.add(pool.submit(() -> {
          RawWebSocket ws = RawWebSocket.open(port, "/socket.io/?EIO=4&transport=websocket");
          attackers.add(ws);
          ws.readText();
          ws.sendText("40");
          ws.readText();
          try {
            ws.sendText(header);
            for (int i = 0; i < 9; i++) {
              ws.raw(attachment).flush();
            }
          } catch (IOException closed) {
            // closed while sending: past the budget (usually the kernel's buffers take it all first)
          }
          return null;
        }));
      }
      for (Future<?> f : sent) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertThat(server.isAlive()).as("the server process, output:\n" + output).isTrue();

      long t0 = System.nanoTime();
      RawWebSocket fresh = cleanup.add(RawWebSocket.open(port, "/socket.io/?EIO=4&transport=websocket"));
      assertThat(fresh.readText()).startsWith("0{");
      fresh.sendText("40");
      assertThat(fresh.readText()).startsWith("40{\"sid\"");
      long connected = (System.nanoTime() - t0) / 1_000_000;
      long rtt = echo(fresh, 1);
      System.out.printf("partial attachments: a new client connected in %d ms, echo in %d ms%n", connected, rtt);
      assertThat(rtt).as("a new client's echo (ms)").isLessThan(1_000);
      assertThat(connected).as("a new client's connect (ms)").isLessThan(5_000);
      // those holding within the budget are still connected; the others were closed
      String stats = stats(fresh, 2);
      Matcher sockets = Pattern.compile("\"sockets\":(\\d+)").matcher(stats);
      assertThat(sockets.find()).as(stats).isTrue();
      int stillHolding = Integer.parseInt(sockets.group(1)) - 1;
      System.out.printf("partial attachments: %d of 40 attackers still connected after the attack%n", stillHolding);
      assertThat(stillHolding).as("attackers the budget (32 MB) leaves holding 8 MB each").isBetween(1, 6);
      assertThat(server.isAlive()).isTrue();
      assertThat(output.toString()).doesNotContain("OutOfMemoryError");
    } finally {
      pool.shutdownNow();
      for (RawWebSocket ws : attackers) {
        ws.close();
      }
    }
  }

  private static String java() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Reads the server's output in the background; returns the port it announces. */
  private static int awaitPort(Process server, StringBuffer output) throws InterruptedException {
    java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)/");
        while ((line = r.readLine()) != null) {
          output.append(line).append('\n');
          Matcher m = listening.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      port.completeExceptionally(new AssertionError("the server ended without listening:\n" + output));
    }, "scenario-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return port.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the scenario server did not start:\n" + output, e);
    }
  }

  // ------------------------------------------------------------------ item 2: duplicate CONNECT

  /**
   * 200 connections send their CONNECT twice or three times before the first is answered: 100 over
   * polling ({@code 40\x1e40} in one POST), 100 over WebSocket (two or three {@code 40} frames in one
   * write). 103 of 200 such tries logged an UnsupportedOperationException before. Every CONNECT gets
   * an answer (the same socket id), or, where the first was answered before the next arrived, the
   * connection is closed as the reference server closes it; nothing is logged, no lane task fails.
   */
  @Test
  @Timeout(180)
  void aBurstOf200DuplicateConnectsIsAnsweredCleanly() throws Exception {
    SocketIoServer io = ScenarioServer.create();
    ParleyJetty.Running running = cleanup.add(ParleyJetty.listen(io, "127.0.0.1", 0));
    String base = "http://127.0.0.1:" + running.port() + "/socket.io/?EIO=4&transport=polling";
    long failures = ParleyExecutors.failedLaneTasks();
    int[] outcomes = new int[3]; // answered each time over polling; answered each time on WebSocket; closed after one
    try (LogWatch log = LogWatch.start()) {
      for (int i = 0; i < 100; i++) {
        HttpResponse<String> handshake = Http.get(URI.create(base));
        URI session = URI.create(base + "&sid=" + Http.json(handshake.body().substring(1)).get("sid").asText());
        assertThat(Http.post(session, "40\u001e40").statusCode()).isEqualTo(200);
        List<String> packets = new ArrayList<>();
        boolean closed = false;
        while (packets.stream().filter(p -> p.startsWith("40{")).count() < 2 && !closed) {
          HttpResponse<String> poll = Http.get(session);
          if (poll.statusCode() != 200) {
            closed = true; // the session ended after its close packet
          } else {
            for (String p : poll.body().split("\u001e")) {
              packets.add(p);
              closed |= p.equals("1");
            }
          }
        }
        assertThat(packets.get(0)).startsWith("40{\"sid\"");
        if (closed) {
          // the first CONNECT was answered before the second was routed: as the reference server does
          // for a CONNECT to a namespace already joined, the connection closes
          assertThat(packets).as("answers").containsExactly(packets.get(0), "1");
          outcomes[2]++;
        } else {
          assertThat(packets).as("both CONNECTs answered with the one socket").containsExactly(packets.get(0), packets.get(0));
          outcomes[0]++;
          Http.post(session, "1");
        }
      }
      for (int i = 0; i < 100; i++) {
        int copies = 2 + (i % 2);
        try (RawWebSocket ws = RawWebSocket.open(running.port(), "/socket.io/?EIO=4&transport=websocket")) {
          assertThat(ws.readText()).startsWith("0{");
          for (int k = 0; k < copies; k++) {
            ws.frame(true, RawWebSocket.TEXT, "40".getBytes(StandardCharsets.US_ASCII));
          }
          ws.flush();
          String first = ws.readText();
          assertThat(first).startsWith("40{\"sid\"");
          int answered = 1;
          boolean closed = false;
          while (answered < copies && !closed) {
            RawWebSocket.Message m = ws.readMessage();
            if (m.isClose()) {
              closed = true;
            } else if (m.text().equals(first)) {
              answered++;
            } else {
              assertThat(m.text()).as("after %d answers", answered).isEqualTo("1"); // the close packet, then the close
            }
          }
          outcomes[closed ? 2 : 1]++;
          if (!closed) {
            assertThat(echo(ws, 1)).isLessThan(10_000); // the connection goes on, connected once
          }
        }
      }
      System.out.printf("duplicate CONNECT: %d polling and %d WebSocket answered each time, %d closed after the "
          + "first answer (connected already when the next came)%n", outcomes[0], outcomes[1], outcomes[2]);
      Await.until("every connection is gone", () -> io.engine().sessionCount() == 0, Http.TIMEOUT);
      assertThat(log.text()).as("logged during the burst").isEmpty();
    }
    assertThat(ParleyExecutors.failedLaneTasks()).as("lane tasks that threw").isEqualTo(failures);
  }

  /**
   * Clients that close their connection while their CONNECT is in the middleware (here it finishes on
   * another thread 0-3 ms later), 200 times: nothing is logged, no lane task fails, nothing is left.
   */
  @Test
  @Timeout(120)
  void clientsThatCloseDuringTheirConnectLeaveNothingAndLogNothing() throws Exception {
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    cleanup.add(later::shutdownNow);
    SocketIoServer io = SocketIoServer.builder().build();
    io.use((socket, next) -> {
      try {
        later.schedule(next::proceed, ThreadLocalRandom.current().nextInt(4), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the test's own timer is shut down below once every session is gone; a lane may still be running
        // the CONNECT of a connection that closed (what this test sends): go on at once, as the timer would
        next.proceed();
      }
    });
    ParleyJetty.Running running = cleanup.add(ParleyJetty.listen(io, "127.0.0.1", 0));
    long failures = ParleyExecutors.failedLaneTasks();
    try (LogWatch log = LogWatch.start()) {
      for (int i = 0; i < 200; i++) {
        RawWebSocket ws = RawWebSocket.open(running.port(), "/socket.io/?EIO=4&transport=websocket");
        assertThat(ws.readText()).startsWith("0{");
        ws.sendText("40"); // a CONNECT, then gone at once
        if (i % 3 == 0) {
          Thread.sleep(ThreadLocalRandom.current().nextInt(3));
        }
        ws.close();
      }
      Await.until("every connection is gone", () -> io.engine().sessionCount() == 0, Http.TIMEOUT);
      later.shutdown();
      assertThat(later.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      Await.until("no socket is left", () -> io.sockets().sockets().isEmpty(), Http.TIMEOUT);
      assertThat(log.text()).as("logged").isEmpty();
    }
    assertThat(ParleyExecutors.failedLaneTasks()).as("lane tasks that threw").isEqualTo(failures);
  }

  // ------------------------------------------------------------------ item 3: throwing handlers

  /**
   * One client sends 20,000 events whose handler throws ({@code boom}); before, each wrote a stack
   * trace (18.5 MB in 3 s). Now the log gets the first with its trace and a count per interval: well
   * under 200 KB. The connection stays up, and an ack sent with {@code boom} is answered.
   */
  @Test
  @Timeout(120)
  void twentyThousandThrowingEventsAddWellUnder200KbOfLog() throws Exception {
    ParleyJetty.Running running = scenarioServer();
    try (LogWatch log = LogWatch.start()) {
      RawWebSocket ws = sioSocket(running.port());
      for (int i = 0; i < 20_000; i++) {
        ws.sendText("42[\"boom\"]");
      }
      ws.sendText("421[\"boom\"]");
      assertThat(ws.readText()).isEqualTo("431[{\"error\":\"internal server error\"}]");
      assertThat(echo(ws, 2)).isLessThan(10_000); // handled in order: every boom before it
      int bytes = log.size();
      System.out.printf("throwing handler: 20,001 failing events wrote %d bytes of log%n", bytes);
      assertThat(bytes).as("bytes of log").isLessThan(200_000);
      assertThat(log.text()).contains("handler for \"boom\" on socket").contains("java.lang.IllegalStateException: boom");
    }
  }

  // ------------------------------------------------------------------ item 4: dynamic namespaces

  /**
   * 40 clients each join and leave 25 dynamic namespaces of the scenario server ({@code /dyn-N},
   * cleanupEmptyChildNamespaces on): with a namespace DISCONNECT, by closing the connection, or by
   * dropping it. Afterwards the server holds what it held before: its namespaces, its sockets, and
   * the parent's children.
   */
  @Test
  @Timeout(180)
  void dynamicNamespaceChurnComesBackToTheBaseline() throws Exception {
    SocketIoServer io = ScenarioServer.create();
    ParleyJetty.Running running = cleanup.add(ParleyJetty.listen(io, "127.0.0.1", 0));
    RawWebSocket observer = sioSocket(running.port());
    String baseline = stats(observer, 1);
    assertThat(baseline).isEqualTo("{\"namespaces\":2,\"sockets\":1}");

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < 40; c++) {
        int client = c;
        clients.add(pool.submit(() -> {
          for (int round = 0; round < 5; round++) {
            RawWebSocket ws = RawWebSocket.open(running.port(), "/socket.io/?EIO=4&transport=websocket");
            ws.readText();
            for (int k = 0; k < 5; k++) {
              int n = (client * 7 + round * 5 + k) % 60; // overlapping names: children shared and left at different times
              ws.sendText("40/dyn-" + n + ",");
              String answer = ws.readText();
              if (!answer.startsWith("40/dyn-" + n + ",{\"sid\"")) {
                throw new AssertionError("connect to /dyn-" + n + ": " + answer);
              }
            }
            switch ((client + round) % 3) {
              case 0 -> {
                for (int k = 0; k < 5; k++) {
                  ws.sendText("41/dyn-" + ((client * 7 + round * 5 + k) % 60) + ",");
                }
                ws.sendText("1");
                ws.close();
              }
              case 1 -> ws.close();           // the connection ends without a word
              default -> {
                ws.frame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xe8}).flush();
                ws.close();
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : clients) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Await.until("only the observer's connection is left", () -> io.engine().sessionCount() == 1, Http.TIMEOUT);
    Await.until("the dynamic namespaces are gone", () -> io.namespaces().size() == 2, Http.TIMEOUT,
        () -> io.namespaces().stream().map(Namespace::name).toList().toString());
    assertThat(stats(observer, 2)).isEqualTo(baseline);
    assertThat(io.namespaces().stream().mapToInt(n -> n.sockets().size()).sum()).isEqualTo(1);
  }

  private static String stats(RawWebSocket ws, int id) throws IOException {
    ws.sendText("42" + id + "[\"stats\"]");
    String answer;
    while (!(answer = ws.readText()).startsWith("43" + id)) {
      if (answer.equals("2")) {
        ws.sendText("3");
      }
    }
    return answer.substring(("43" + id).length() + 1, answer.length() - 1);
  }

  // ------------------------------------------------------------------ helpers

  /** Copies what is written to {@code System.err} (where slf4j-simple logs) while a test runs. */
  static final class LogWatch implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private LogWatch() {
      System.setErr(new PrintStream(new OutputStream() {
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

    static LogWatch start() {
      return new LogWatch();
    }

    String text() {
      synchronized (copy) {
        return copy.toString(StandardCharsets.UTF_8);
      }
    }

    int size() {
      synchronized (copy) {
        return copy.size();
      }
    }

    @Override
    public void close() {
      System.setErr(original);
    }
  }
}
