package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.examples.scenario.ScenarioServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
   * sends an echo every 10 ms and measures its round trip. Before a POST body was handed over in
   * slices, each whole body was decoded on the Jetty thread that read it, and the other client's
   * echo waited behind them (up to 3.9 s seen under attack).
   */
  @Test
  @Timeout(180)
  void burstsOf56000EventsInOnePostDoNotKeepAnotherClientsEchoWaiting() throws Exception {
    ParleyJetty.Running running = scenarioServer();
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
    int id = 0;
    for (int round = 0; round < 3; round++) {
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
      stop.set(true);
      for (URI session : sessions) {
        Http.post(session, "1");
      }
    }
    List<Long> sorted = new ArrayList<>(rtts);
    sorted.sort(null);
    long max = sorted.get(sorted.size() - 1);
    long p99 = sorted.get(sorted.size() * 99 / 100);
    System.out.printf("fairness: %d echoes during three rounds of four 56,000-event POSTs: p50 %d ms, p99 %d ms, max %d ms%n",
        sorted.size(), sorted.get(sorted.size() / 2), p99, max);
    assertThat(max).as("the other client's slowest echo (ms); about 100 ms is the aim on 2 cores").isLessThan(300);
  }
}
