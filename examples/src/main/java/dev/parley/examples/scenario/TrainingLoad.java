package dev.parley.examples.scenario;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A short, bounded load against a running scenario server, for the training run of
 * {@code scripts/train-cds.sh}: what the server does during it is what its class-data archive (JDK 17
 * AppCDS) or AOT cache (JDK 25) holds. Each cycle connects {@code CLIENTS} WebSocket clients, joins them to
 * one room, sends echoes with ack from each, broadcasts to the room, then connects a few long-polling
 * clients (an echo over polling, then the upgrade to WebSocket that default clients make) and
 * disconnects everyone. Raw Engine.IO v4 / Socket.IO v5 frames over the JDK's own HTTP and WebSocket
 * client, so the examples need no client library.
 *
 * <pre>{@code
 * PORT=3000 CLIENTS=200 CYCLES=5 java -cp ... dev.parley.examples.scenario.TrainingLoad
 * }</pre>
 *
 * <p>Environment: {@code PORT} (3000), {@code CLIENTS} per cycle (200), {@code CYCLES} (5),
 * {@code ECHOES} per client per cycle (20), {@code BROADCASTS} per cycle (20). Exits 0 when every reply
 * came, 1 otherwise; every wait is bounded (10 s).
 */
public final class TrainingLoad {
  private static final long WAIT_SECONDS = 10;

  private TrainingLoad() {}

  /**
   * Runs the load against 127.0.0.1:{@code PORT} and prints what it did.
   *
   * @param args unused; see the class comment for the environment it reads
   * @throws Exception when the server does not answer in time
   */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    int clients = Integer.parseInt(System.getenv().getOrDefault("CLIENTS", "200"));
    int cycles = Integer.parseInt(System.getenv().getOrDefault("CYCLES", "5"));
    int echoes = Integer.parseInt(System.getenv().getOrDefault("ECHOES", "20"));
    int broadcasts = Integer.parseInt(System.getenv().getOrDefault("BROADCASTS", "20"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
    String base = "127.0.0.1:" + port + "/socket.io/?EIO=4&transport=";
    long t0 = System.nanoTime();
    for (int cycle = 1; cycle <= cycles; cycle++) {
      List<Client> cs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        cs.add(new Client(http, URI.create("ws://" + base + "websocket")));
      }
      for (Client c : cs) {
        c.connected();
      }
      for (Client c : cs) {
        c.emit("\"join\",\"r\"");
      }
      for (Client c : cs) {
        c.acks(1);
      }
      String pad = "x".repeat(100);
      for (int k = 0; k < echoes; k++) {
        for (Client c : cs) {
          c.emit("\"echo\",\"" + pad + "\"");
        }
      }
      for (Client c : cs) {
        c.acks(echoes);
      }
      Client sender = cs.get(0);
      for (int k = 0; k < broadcasts; k++) {
        sender.emit("\"broadcast\",\"r\",\"" + pad + "\"");
      }
      sender.acks(broadcasts);
      for (Client c : cs) {
        c.ticks(broadcasts);
      }
      for (int i = 0; i < Math.min(10, clients); i++) {
        polling(http, base);
      }
      for (Client c : cs) {
        c.close();
      }
      System.out.printf("training load: cycle %d/%d: %d clients, %d echoes each, %d broadcasts, %d polling clients%n",
          cycle, cycles, clients, echoes, broadcasts, Math.min(10, clients));
    }
    System.out.printf("training load: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** A polling client: handshake, namespace connect, an echo over polling, then the upgrade to WebSocket. */
  private static void polling(HttpClient http, String base) throws Exception {
    String open = get(http, "http://" + base + "polling");
    String sid = open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
    String url = "http://" + base + "polling&sid=" + sid;
    post(http, url, "40");
    expect(get(http, url), "40");
    post(http, url, "421[\"echo\",\"polled\"]");
    expect(get(http, url), "431[");
    Client ws = new Client(http, URI.create("ws://" + base + "websocket&sid=" + sid), true);
    ws.send("2probe");
    ws.frame("3probe");
    ws.send("5");
    ws.emit("\"echo\",\"upgraded\"");
    ws.acks(1);
    ws.close();
  }

  private static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(WAIT_SECONDS))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + url + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  private static void post(HttpClient http, String url, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(WAIT_SECONDS))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST " + url + ": " + r.statusCode() + " " + r.body());
    }
  }

  private static void expect(String body, String prefix) {
    if (!body.startsWith(prefix)) {
      throw new IllegalStateException("expected " + prefix + "..., got " + body);
    }
  }

  /** One WebSocket client: answers pings, counts acks and ticks, queues other frames. */
  private static final class Client implements WebSocket.Listener {
    private final WebSocket ws;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicInteger nextId = new AtomicInteger();
    private final StringBuilder part = new StringBuilder();
    private final boolean upgrade;

    Client(HttpClient http, URI uri) throws Exception {
      this(http, uri, false);
    }

    Client(HttpClient http, URI uri, boolean upgrade) throws Exception {
      this.upgrade = upgrade;
      this.ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).buildAsync(uri, this)
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        String f = part.toString();
        part.setLength(0);
        if (f.equals("2")) {
          webSocket.sendText("3", true);
        } else if (f.startsWith("0{") && !upgrade) {
          webSocket.sendText("40", true);
        } else if (f.startsWith("40")) {
          connected.complete(null);
        } else if (f.startsWith("43")) {
          acks.incrementAndGet();
        } else if (f.startsWith("42[\"tick\"")) {
          ticks.incrementAndGet();
        } else {
          frames.add(f);
        }
      }
      webSocket.request(1);
      return null;
    }

    void connected() throws Exception {
      connected.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    synchronized void send(String frame) throws Exception {
      ws.sendText(frame, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    void emit(String args) throws Exception {
      send("42" + nextId.getAndIncrement() + "[" + args + "]");
    }

    void frame(String expected) throws Exception {
      String f = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (!expected.equals(f)) {
        throw new IllegalStateException("expected " + expected + ", got " + f);
      }
    }

    void acks(long n) throws Exception {
      await(acks, n, "acks");
    }

    void ticks(long n) throws Exception {
      await(ticks, n, "ticks");
    }

    private void await(AtomicLong counter, long n, String what) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (counter.get() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(what + ": " + counter.get() + " of " + n);
        }
        Thread.sleep(5);
      }
      counter.addAndGet(-n);
    }

    void close() throws Exception {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }
}
