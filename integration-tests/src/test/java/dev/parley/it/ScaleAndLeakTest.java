package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A thousand sessions at once (half long-polling, half WebSocket), all closed by their clients: the
 * registry ends empty, and once the server is closed none of its threads is left.
 */
class ScaleAndLeakTest {
  private static final int POLLING = 500;
  private static final int WEBSOCKET = 500;
  private static final int IN_FLIGHT = 64;

  @Test
  void thousandConcurrentSessionsOpenAndCloseWithoutLeaks() throws Exception {
    Set<Thread> before = Threads.live();
    long start = System.nanoTime();
    TestServer server = TestServer.start(EngineOptions.defaults());
    try {
      Semaphore limit = new Semaphore(IN_FLIGHT);

      // open: polling handshakes and WebSocket sessions, at most IN_FLIGHT handshakes at a time
      List<CompletableFuture<String>> pollingSids = new ArrayList<>();
      for (int i = 0; i < POLLING; i++) {
        limit.acquire();
        pollingSids.add(Http.sendAsync(Http.request(server.uri("EIO=4&transport=polling")).GET().build())
            .thenApply(r -> Http.Handshake.parse(r).sid())
            .whenComplete((sid, e) -> limit.release()));
      }
      List<JdkWebSocket> sockets = new ArrayList<>();
      List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
      for (int i = 0; i < WEBSOCKET; i++) {
        limit.acquire();
        JdkWebSocket ws = JdkWebSocket.listener("ws " + i);
        sockets.add(ws);
        opening.add(JdkWebSocket.openAsync(server.wsUri("EIO=4&transport=websocket"), ws)
            .whenComplete((w, e) -> limit.release()));
      }
      CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
      Set<String> sids = new HashSet<>();
      for (CompletableFuture<String> f : pollingSids) {
        sids.add(f.get(30, TimeUnit.SECONDS));
      }
      List<String> wsSids = new ArrayList<>();
      for (JdkWebSocket ws : sockets) {
        String open = ws.awaitText(0).text();
        assertThat(open).startsWith("0{");
        wsSids.add(Http.json(open.substring(1)).get("sid").asText());
      }
      sids.addAll(wsSids);

      assertThat(sids).as("distinct session ids").hasSize(POLLING + WEBSOCKET);
      server.events().awaitCount(e -> e.type().equals("connection"), POLLING + WEBSOCKET,
          Duration.ofSeconds(30), "connection");
      assertThat(server.engine().sessionCount()).isEqualTo(POLLING + WEBSOCKET);
      assertThat(Threads.live()).as("the server's threads are named parley-*").anyMatch(Threads::isParley);

      // close: a close packet from every polling client, a close frame from every WebSocket
      List<CompletableFuture<HttpResponse<String>>> closes = new ArrayList<>();
      for (CompletableFuture<String> f : pollingSids) {
        limit.acquire();
        closes.add(Http.sendAsync(Http.request(server.uri("EIO=4&transport=polling&sid=" + f.get()))
                .POST(HttpRequest.BodyPublishers.ofString("1")).build())
            .whenComplete((r, e) -> limit.release()));
      }
      List<CompletableFuture<WebSocket>> wsCloses = sockets.stream()
          .map(ws -> ws.socket().sendClose(WebSocket.NORMAL_CLOSURE, "bye"))
          .collect(Collectors.toList());
      for (CompletableFuture<HttpResponse<String>> c : closes) {
        assertThat(c.get(30, TimeUnit.SECONDS).body()).isEqualTo("ok");
      }
      CompletableFuture.allOf(wsCloses.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

      List<TestServer.Event> closed = server.events().awaitCount(e -> e.type().equals("close"),
          POLLING + WEBSOCKET, Duration.ofSeconds(30), "close");
      assertThat(closed).allSatisfy(e -> assertThat(e.reason()).isEqualTo("transport close"));
      assertThat(closed.stream().map(TestServer.Event::sid).collect(Collectors.toSet())).isEqualTo(sids);
      Await.until("the registry is empty", () -> server.engine().sessionCount() == 0, Duration.ofSeconds(10));
    } finally {
      server.close();
    }
    assertThat(server.engine().sessionCount()).isZero();
    assertThat(server.engine().isClosed()).isTrue();
    Threads.awaitNone("parley-", Threads::isParley, Duration.ofSeconds(10));
    Threads.awaitNoneStartedSince(before, Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(45));
  }
}
