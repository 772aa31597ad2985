package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineSession;
import dev.parley.internal.engine.EngineInternals;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing the server while clients are connected: every client is told, and no server thread remains. */
class ShutdownTest {
  @Test
  void closingTheServerClosesEveryClientAndStopsItsThreads() throws Exception {
    Set<Thread> before = Threads.live();
    TestServer server = TestServer.start(EngineOptions.defaults());
    int port = server.port();
    List<NodeClient> clients = new ArrayList<>();
    JdkWebSocket raw = null;
    try {
      NodeClient polling = NodeClient.connect(server.origin(), Map.of("transports", List.of("polling")));
      clients.add(polling);
      NodeClient websocket = NodeClient.connect(server.origin(), Map.of("transports", List.of("websocket")));
      clients.add(websocket);
      NodeClient upgraded = NodeClient.connect(server.origin(), Map.of());
      clients.add(upgraded);
      List<String> sids = new ArrayList<>();
      for (NodeClient c : clients) {
        sids.add(c.awaitEvent("open").field("sid"));
      }
      upgraded.awaitEvent("upgrade");
      EngineSession upgradedSession = server.session(sids.get(2));
      Await.until("the server completes the upgrade", upgradedSession::upgraded, Http.TIMEOUT);
      // the Node polling client always has a GET pending; make sure it is there before closing
      EngineSession pollingSession = server.session(sids.get(0));
      Await.until("the polling client's GET is pending", () -> EngineInternals.transport(pollingSession).isWritable(), Http.TIMEOUT);

      // a raw long-poll GET pending and a raw WebSocket too
      String rawSid = Http.handshake(server).sid();
      EngineSession rawSession = server.session(rawSid);
      CompletableFuture<HttpResponse<String>> pendingGet = Http.sendAsync(
          Http.request(server.uri("EIO=4&transport=polling&sid=" + rawSid)).GET().build());
      Await.until("the raw GET is pending", () -> EngineInternals.transport(rawSession).isWritable(), Http.TIMEOUT);
      raw = JdkWebSocket.open(server.wsUri("EIO=4&transport=websocket"));
      String rawWsSid = Http.json(raw.awaitText(0).text().substring(1)).get("sid").asText();
      sids.add(rawSid);
      sids.add(rawWsSid);
      server.events().awaitCount(e -> e.type().equals("connection"), 5, Http.TIMEOUT, "connection");
      assertThat(server.engine().sessionCount()).isEqualTo(5);

      server.close();

      for (NodeClient c : clients) {
        assertThat(c.awaitEvent("close").field("reason")).isEqualTo("transport close");
      }
      HttpResponse<String> released = pendingGet.get(10, TimeUnit.SECONDS);
      assertThat(released.statusCode()).isEqualTo(200);
      assertThat(released.body()).isEqualTo("1");
      assertThat(raw.awaitClose().type()).isEqualTo("close");
      for (String sid : sids) {
        assertThat(server.awaitClose(sid)).as("close reason of %s", sid).isEqualTo("server shutting down");
      }
      assertThat(server.engine().sessionCount()).isZero();
      assertThat(server.engine().isClosed()).isTrue();
      assertRefused(port);
    } finally {
      clients.forEach(NodeClient::close);
      if (raw != null) {
        raw.abort();
      }
      server.close(); // idempotent
    }
    Threads.awaitNone("parley-", Threads::isParley, Duration.ofSeconds(10));
    Threads.awaitNoneStartedSince(before, Duration.ofSeconds(10));
  }

  @Test
  void closingAnIdleServerStopsItsThreads() {
    Set<Thread> before = Threads.live();
    TestServer server = TestServer.start(EngineOptions.defaults());
    assertThat(Http.handshake(server).sid()).isNotEmpty();
    assertThat(Threads.live()).anyMatch(Threads::isParley);
    server.close();
    Threads.awaitNone("parley-", Threads::isParley, Duration.ofSeconds(10));
    Threads.awaitNoneStartedSince(before, Duration.ofSeconds(10));
  }

  private static void assertRefused(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      throw new AssertionError("port " + port + " still accepts connections after close");
    } catch (ConnectException expected) {
      // the connector is closed
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
