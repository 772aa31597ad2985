package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.AdmissionHook;
import dev.parley.engine.EngineOptions;
import dev.parley.transport.jetty.WebSocketPath;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The asynchronous admission hook (Node's {@code allowRequest} calling back later): a handshake waits for
 * its answer without holding up the others, on both transports and both WebSocket paths.
 */
class AsyncAdmissionTest {
  private final Resources cleanup = new Resources();
  /** The decisions the hook is waiting for, handshakes with {@code hold} in their query. */
  private final LinkedBlockingQueue<CompletableFuture<AdmissionHook.Decision>> held = new LinkedBlockingQueue<>();
  private final List<NodeClient> clients = new ArrayList<>();
  private final List<JdkWebSocket> sockets = new ArrayList<>();

  @AfterEach
  void stop() {
    held.forEach(f -> f.complete(AdmissionHook.Decision.refuse()));
    clients.forEach(NodeClient::close);
    sockets.forEach(JdkWebSocket::abort);
    cleanup.close();
  }

  /** A server whose hook holds handshakes with {@code hold}, refuses those with {@code deny} and allows the rest. */
  private TestServer server(WebSocketPath path) {
    EngineOptions options = EngineOptions.builder().admissionAsync(request -> {
      if (request.query("hold") != null) {
        CompletableFuture<AdmissionHook.Decision> decision = new CompletableFuture<>();
        held.add(decision);
        return decision;
      }
      if (request.query("delay") != null) {
        return CompletableFuture.supplyAsync(AdmissionHook.Decision::allow,
            CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
      }
      return CompletableFuture.completedFuture(request.query("deny") != null
          ? AdmissionHook.Decision.refuse("denied later") : AdmissionHook.Decision.allow());
    }).build();
    return cleanup.add(TestServer.start(options, path));
  }

  private CompletableFuture<AdmissionHook.Decision> nextHeld() throws InterruptedException {
    CompletableFuture<AdmissionHook.Decision> f = held.poll(10, TimeUnit.SECONDS);
    assertThat(f).as("a held admission").isNotNull();
    return f;
  }

  @Test
  void aPollingHandshakeWaitsForTheAnswerWhileOthersProceed() throws Exception {
    TestServer server = server(WebSocketPath.AUTO);
    CompletableFuture<HttpResponse<String>> slow =
        Http.sendAsync(Http.request(server.uri("EIO=4&transport=polling&hold=1")).GET().build());
    CompletableFuture<AdmissionHook.Decision> decision = nextHeld();

    // meanwhile other handshakes go through, and the refused are refused
    for (int i = 0; i < 5; i++) {
      assertThat(Http.handshake(server).sid()).isNotEmpty();
    }
    Http.assertError(Http.get(server.uri("EIO=4&transport=polling&deny=1")), 403, 4, "denied later");
    assertThat(slow).isNotDone();

    decision.complete(AdmissionHook.Decision.allow());
    HttpResponse<String> open = slow.get(10, TimeUnit.SECONDS);
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.body()).startsWith("0{\"sid\":");
    assertThat(server.engine().sessionCount()).isEqualTo(6);

    // a refusal that comes later is the reference's 403
    CompletableFuture<HttpResponse<String>> refused =
        Http.sendAsync(Http.request(server.uri("EIO=4&transport=polling&hold=1")).GET().build());
    nextHeld().complete(AdmissionHook.Decision.refuse("no such token"));
    Http.assertError(refused.get(10, TimeUnit.SECONDS), 403, 4, "no such token");
    // and a failed lookup refuses too
    CompletableFuture<HttpResponse<String>> failed =
        Http.sendAsync(Http.request(server.uri("EIO=4&transport=polling&hold=1")).GET().build());
    nextHeld().completeExceptionally(new IllegalStateException("token service down"));
    Http.assertError(failed.get(10, TimeUnit.SECONDS), 403, 4, "Forbidden");
  }

  @ParameterizedTest
  @EnumSource(value = WebSocketPath.class, names = {"FAST", "PUBLIC"})
  void aWebSocketHandshakeWaitsForTheAnswerWhileOthersProceed(WebSocketPath path) throws Exception {
    TestServer server = server(path);
    JdkWebSocket slowListener = JdkWebSocket.listener("held");
    CompletableFuture<java.net.http.WebSocket> slow =
        JdkWebSocket.openAsync(server.wsUri("EIO=4&transport=websocket&hold=1"), slowListener);
    CompletableFuture<AdmissionHook.Decision> decision = nextHeld();

    JdkWebSocket other = JdkWebSocket.open(server.wsUri("EIO=4&transport=websocket"));
    sockets.add(other);
    assertThat(other.awaitText(0).text()).startsWith("0{");
    assertThat(slow).isNotDone();

    decision.complete(AdmissionHook.Decision.allow());
    slow.get(10, TimeUnit.SECONDS);
    assertThat(slowListener.awaitText(0).text()).startsWith("0{");
    assertThat(server.engine().sessionCount()).isEqualTo(2);
    slow.get().abort();

    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write(RawHttp.upgradeRequest(server.port(), "/engine.io/?EIO=4&transport=websocket&hold=1"));
      nextHeld().complete(AdmissionHook.Decision.refuse("no such token"));
      RawHttp.Response r = raw.readResponse();
      assertThat(r.status()).isEqualTo(400); // the reference refuses an upgrade with 400 and the message
      assertThat(r.body()).isEqualTo("no such token");
    }
  }

  /** The official client, admitted 200 ms later on each transport set. */
  @ParameterizedTest
  @EnumSource(NodeClientEngineTest.Mode.class)
  void theOfficialClientConnectsAfterADelayedAdmission(NodeClientEngineTest.Mode mode) {
    TestServer server = server(WebSocketPath.AUTO);
    NodeClient client = NodeClient.connect(server.origin(), Map.of("transports", mode.transports,
        "upgrade", mode.upgrades, "query", Map.of("delay", "1")));
    clients.add(client);
    String sid = client.awaitEvent("open").field("sid");
    server.awaitConnection(sid);
    client.send("after the wait");
    assertThat(client.awaitMessages(1).get(0).text()).isEqualTo("after the wait");
  }
}
