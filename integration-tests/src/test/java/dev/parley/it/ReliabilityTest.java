package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.engine.EngineSession;
import dev.parley.transport.jetty.ParleyJetty;
import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, item 6, against a real Jetty: a client that stops reading is disconnected as a slow consumer
 * while another keeps receiving; thousands of connect/disconnect cycles leave no session, socket or room;
 * a graceful shutdown under load loses nothing that was acknowledged.
 */
class ReliabilityTest {
  /** No heartbeat during these tests: the clients here do not answer pings. */
  private static final Duration NO_PING = Duration.ofMinutes(2);

  // ------------------------------------------------------------------ 1. slow reader

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aClientThatStopsReadingIsDisconnectedAndOthersKeepReceiving() throws Exception {
    long limit = 2L << 20;
    SocketIoServer io = SocketIoServer.builder().pingInterval(NO_PING).engine(e -> e.maxBufferedBytes(limit)).build();
    Map<String, String> reasons = new ConcurrentHashMap<>();
    Map<String, Long> disconnectedAt = new ConcurrentHashMap<>();
    io.onConnection(s -> {
      s.join("feed");
      s.onDisconnect(reason -> {
        disconnectedAt.put(s.id(), System.nanoTime());
        reasons.put(s.id(), reason.wireName());
      });
    });
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    RawWebSocket slow = null;
    Client normal = null;
    try {
      slow = RawWebSocket.open(running.port(), "/socket.io/?EIO=4&transport=websocket", 4096);
      assertThat(slow.readText()).startsWith("0{");
      slow.sendText("40");
      String slowSid = sidOf(slow.readText());
      // from here on the slow client never reads again

      normal = Client.open(wsUri(running, ""));
      assertThat(normal.next(Http.TIMEOUT)).startsWith("0{");
      normal.send("40");
      String normalSid = sidOf(normal.next(Http.TIMEOUT));

      Await.until("both sockets are in the room", () -> io.sockets().adapter().sockets(Set.of("feed")).size() == 2,
          Http.TIMEOUT);
      Socket slowSocket = io.sockets().sockets().get(slowSid);
      EngineSession slowSession = io.engine().session(slowSocket.connectionId());
      assertThat(slowSession).isNotNull();

      String payload = "x".repeat(64 * 1024);
      long started = System.nanoTime();
      long deadline = started + TimeUnit.SECONDS.toNanos(12);
      long maxBuffered = 0;
      int sent = 0;
      int disconnectedAfter = -1;
      long maxLatencyNanos = 0;
      for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
        long t0 = System.nanoTime();
        io.to("feed").emit("big", i, payload);
        sent++;
        maxBuffered = Math.max(maxBuffered, slowSession.bufferedBytes());
        // lock-step with the normal client, so that only the slow one can fall behind
        String m = normal.next(Duration.ofSeconds(5));
        maxLatencyNanos = Math.max(maxLatencyNanos, System.nanoTime() - t0);
        assertThat(m).as("broadcast %d to the normal client", i).startsWith("42[\"big\"," + i + ",\"xxx");
        maxBuffered = Math.max(maxBuffered, slowSession.bufferedBytes());
        if (disconnectedAfter < 0 && reasons.containsKey(slowSid)) {
          disconnectedAfter = i + 1;
        }
        if (disconnectedAfter >= 0 && i + 1 >= disconnectedAfter + 20) {
          break; // 20 more broadcasts after the disconnect are enough
        }
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      Await.until("the slow client is disconnected", () -> reasons.containsKey(slowSid), Duration.ofSeconds(5),
          () -> "sent " + sent(io) + ", reasons " + reasons);
      long disconnectMs = TimeUnit.NANOSECONDS.toMillis(disconnectedAt.get(slowSid) - started);

      assertThat(reasons.get(slowSid)).isEqualTo("slow consumer");
      assertThat(io.engine().stats().slowConsumerDisconnects()).isEqualTo(1);
      assertThat(reasons).doesNotContainKey(normalSid);
      assertThat(io.sockets().sockets()).containsOnlyKeys(normalSid);
      // the engine stops counting for a closed session; while it was open it never held much more
      // than the limit (a few packets may be queued between the overflow and the close)
      assertThat(maxBuffered).isLessThanOrEqualTo(limit + 8L * (payload.length() + 64));
      assertThat(disconnectedAfter).as("broadcasts until the disconnect was seen").isPositive();

      // the normal client still gets the next broadcast
      io.to("feed").emit("big", -1, "after");
      assertThat(normal.next(Duration.ofSeconds(5))).isEqualTo("42[\"big\",-1,\"after\"]");
      System.out.printf("[ReliabilityTest] slow reader: %d broadcasts of 64 KiB in %d ms; slow consumer disconnect "
              + "%d ms after the first broadcast, seen after broadcast %d; most bytes seen queued for it: %d "
              + "(limit %d); slowest broadcast to the normal client %d ms; stats %s%n",
          sent, elapsedMs, disconnectMs, disconnectedAfter, maxBuffered, limit,
          TimeUnit.NANOSECONDS.toMillis(maxLatencyNanos), io.engine().stats());
    } finally {
      if (slow != null) {
        slow.close();
      }
      if (normal != null) {
        normal.abort();
      }
      running.close();
    }
  }

  private static String sent(SocketIoServer io) {
    return io.engine().stats().toString();
  }

  // ------------------------------------------------------------------ 2. churn soak

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void connectDisconnectChurnLeavesNoSessionSocketOrRoom() throws Exception {
    int cycles = 2_000;
    int parallel = 8;
    SocketIoServer io = SocketIoServer.builder().pingInterval(NO_PING).build();
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger disconnects = new AtomicInteger();
    Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
    io.onConnection(s -> {
      connections.incrementAndGet();
      s.on("join", (args, ack) -> {
        s.join(args.get(0).asText());
        ack.send("ok");
      });
      s.onDisconnect(reason -> {
        reasons.computeIfAbsent(reason.wireName(), r -> new AtomicInteger()).incrementAndGet();
        disconnects.incrementAndGet();
      });
    });
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      URI uri = wsUri(running, "");
      long started = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < cycles; i++) {
        int n = i;
        futures.add(pool.submit(() -> {
          cycle(uri, n);
          return null;
        }));
      }
      long deadline = started + TimeUnit.SECONDS.toNanos(90);
      for (Future<?> f : futures) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      long cyclesMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      Await.until("every socket has disconnected", () -> disconnects.get() == cycles, Duration.ofSeconds(10),
          () -> connections + " connections, " + disconnects + " disconnects " + reasons);
      Await.until("the session, socket and room maps are empty",
          () -> io.engine().sessionCount() == 0 && io.sockets().sockets().isEmpty()
              && io.sockets().adapter().rooms().isEmpty(),
          Duration.ofSeconds(10),
          () -> "sessions " + io.engine().sessionCount() + ", sockets " + io.sockets().sockets().keySet()
              + ", rooms " + io.sockets().adapter().rooms());
      long drainedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) - cyclesMs;
      assertThat(connections.get()).isEqualTo(cycles);
      assertThat(io.engine().stats().slowConsumerDisconnects()).isZero();
      String reasonCounts = new TreeMap<>(reasons).toString();

      // and the server still serves
      Client after = Client.open(uri);
      try {
        assertThat(after.next(Http.TIMEOUT)).startsWith("0{");
        after.send("40");
        sidOf(after.next(Http.TIMEOUT));
        after.send("421[\"join\",\"still\"]");
        assertThat(after.next(Http.TIMEOUT)).isEqualTo("431[\"ok\"]");
      } finally {
        after.abort();
      }
      System.out.printf("[ReliabilityTest] churn: %d cycles, %d in parallel, in %d ms; maps empty %d ms later; "
          + "disconnect reasons %s%n", cycles, parallel, cyclesMs, drainedMs, reasonCounts);
    } finally {
      pool.shutdownNow();
      running.close();
    }
  }

  /** Connect, CONNECT "/", join a room (acknowledged), then leave in one of three ways. */
  private static void cycle(URI uri, int n) throws Exception {
    Client c = Client.open(uri);
    try {
      assertThat(c.next(Http.TIMEOUT)).startsWith("0{");
      c.send("40");
      sidOf(c.next(Http.TIMEOUT));
      c.send("42" + n + "[\"join\",\"room-" + (n % 50) + "\"]");
      assertThat(c.next(Http.TIMEOUT)).isEqualTo("43" + n + "[\"ok\"]");
      switch (n % 3) {
        case 0 -> { // Socket.IO disconnect, then a close frame
          c.send("41");
          c.closeGracefully();
        }
        case 1 -> c.closeGracefully(); // close frame only
        default -> { } // the connection just ends (abort in finally)
      }
    } finally {
      c.abort();
    }
  }

  // ------------------------------------------------------------------ 3. shutdown under load

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shutdownUnderLoadLosesNothingAcknowledged() throws Exception {
    int clients = 4;
    SocketIoServer io = SocketIoServer.builder().pingInterval(NO_PING).build();
    ConcurrentLinkedQueue<Long> processed = new ConcurrentLinkedQueue<>();
    io.onConnection(s -> s.on("n", (args, ack) -> {
      long n = args.get(0).asLong();
      processed.add(n);
      ack.send(n);
    }));
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    List<Client> cs = new ArrayList<>();
    List<Thread> senders = new ArrayList<>();
    Set<Long> acked = ConcurrentHashMap.newKeySet();
    Set<Long> sent = ConcurrentHashMap.newKeySet();
    AtomicLong duplicateAcks = new AtomicLong();
    Pattern ackPattern = Pattern.compile("43(\\d+)\\[(-?\\d+)]");
    try {
      for (int c = 0; c < clients; c++) {
        Semaphore window = new Semaphore(32);
        Client client = Client.open(wsUri(running, ""), m -> {
          Matcher am = ackPattern.matcher(m);
          if (am.matches()) {
            if (!acked.add(Long.parseLong(am.group(2)))) {
              duplicateAcks.incrementAndGet();
            }
            window.release();
          }
        });
        cs.add(client);
        assertThat(client.next(Http.TIMEOUT)).startsWith("0{");
        client.send("40");
        sidOf(client.next(Http.TIMEOUT));
        long base = (c + 1) * 1_000_000L;
        Thread t = new Thread(() -> {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          for (int i = 0; i < 200_000 && System.nanoTime() < deadline && !client.closed.isDone(); i++) {
            try {
              while (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                if (client.closed.isDone() || System.nanoTime() > deadline) {
                  return;
                }
              }
              long n = base + i;
              sent.add(n);
              client.ws.sendText("42" + i + "[\"n\"," + n + "]", true).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
              return; // the server is gone
            }
          }
        }, "reliability-sender-" + c);
        t.setDaemon(true);
        senders.add(t);
      }
      senders.forEach(Thread::start);
      Await.until("the server has handled some load", () -> processed.size() >= 2_000, Http.TIMEOUT);

      AtomicLong closeMs = new AtomicLong(-1);
      int processedAtClose = processed.size();
      Thread closer = new Thread(() -> {
        long t0 = System.nanoTime();
        running.close(Duration.ofSeconds(5));
        closeMs.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      }, "reliability-closer");
      closer.start();
      closer.join(20_000);
      assertThat(closer.isAlive()).as("close(5 s) returned").isFalse();
      for (Thread t : senders) {
        t.join(10_000);
        assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
      }
      for (Client client : cs) {
        client.closed.get(10, TimeUnit.SECONDS);
      }

      List<Long> serverList = new ArrayList<>(processed);
      Set<Long> serverSet = new HashSet<>(serverList);
      assertThat(serverSet).as("no number handled twice").hasSameSizeAs(serverList);
      assertThat(duplicateAcks.get()).as("acks received twice").isZero();
      assertThat(acked).isNotEmpty();
      assertThat(sent).containsAll(acked);
      List<Long> lost = acked.stream().filter(n -> !serverSet.contains(n)).sorted().toList();
      assertThat(lost).as("acknowledged but not in the server's list").isEmpty();
      long handledNotAcked = serverSet.stream().filter(n -> !acked.contains(n)).count();
      System.out.printf("[ReliabilityTest] shutdown: %d clients; %d sent, %d handled (%d when close began), "
              + "%d acknowledged, %d handled but the ack never arrived, %d sent but never handled; "
              + "close(5 s) took %d ms%n",
          clients, sent.size(), serverList.size(), processedAtClose, acked.size(), handledNotAcked,
          sent.size() - serverSet.size(), closeMs.get());
    } finally {
      cs.forEach(Client::abort);
      running.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static URI wsUri(ParleyJetty.Running running, String extraQuery) {
    return URI.create("ws://127.0.0.1:" + running.port() + "/socket.io/?EIO=4&transport=websocket" + extraQuery);
  }

  private static final Pattern SID = Pattern.compile("^40\\{\"sid\":\"([^\"]+)\".*");

  /** The socket id of a CONNECT reply, {@code 40{"sid":"..."}}. */
  private static String sidOf(String connectReply) {
    Matcher m = SID.matcher(connectReply);
    assertThat(m.matches()).as("CONNECT reply %s", connectReply).isTrue();
    return m.group(1);
  }

  /** A JDK WebSocket that queues whole text messages (or hands them to a hook first). */
  static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final Consumer<String> hook;
    volatile WebSocket ws;

    private Client(Consumer<String> hook) {
      this.hook = hook;
    }

    static Client open(URI uri) {
      return open(uri, m -> {});
    }

    static Client open(URI uri, Consumer<String> hook) {
      Client c = new Client(hook);
      try {
        c.ws = Http.CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, c)
            .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("WebSocket " + uri + " did not open: " + e, e);
      }
      return c;
    }

    void send(String s) {
      try {
        ws.sendText(s, true).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("send failed: " + e, e);
      }
    }

    String next(Duration timeout) throws InterruptedException {
      String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) {
        throw new AssertionError("no message within " + timeout.toMillis() + " ms; closed=" + closed.getNow(null));
      }
      return m;
    }

    /** Sends a close frame and waits a little for the server's. */
    void closeGracefully() {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        closed.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("close failed: " + e, e);
      }
    }

    void abort() {
      WebSocket s = ws;
      if (s != null) {
        s.abort();
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      this.ws = webSocket;
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String m = text.toString();
        text.setLength(0);
        hook.accept(m);
        messages.add(m);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }
  }
}
