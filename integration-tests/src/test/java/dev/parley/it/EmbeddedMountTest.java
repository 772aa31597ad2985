package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.transport.jetty.ParleyHandler;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ParleyHandler mounted into an application's own Jetty server, under a context path, next to the
 * application's handler, which must keep serving its own requests.
 */
class EmbeddedMountTest {
  private EngineServer engine;
  private Server jetty;
  private int port;

  @BeforeEach
  void start() throws Exception {
    engine = EngineServer.builder().options(EngineOptions.defaults()).build();
    engine.onConnection(session -> session.setListener(new EngineSession.Listener() {
      @Override
      public void onMessage(EngineSession s, EnginePacket packet) {
        s.send(packet);
      }

      @Override
      public void onClose(EngineSession s, String reason) {}
    }));
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("app-jetty");
    jetty = new Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    Handler app = new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
        Content.Sink.write(response, true, "app: " + request.getHttpURI().getPath(), callback);
        return true;
      }
    };
    jetty.setHandler(new Handler.Sequence(new ContextHandler(new ParleyHandler(engine), "/rt"), app));
    jetty.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    jetty.stop();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  @Test
  void theApplicationKeepsServingItsOwnRequests() {
    HttpResponse<String> hello = Http.get(uri("/hello"));
    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(hello.body()).isEqualTo("app: /hello");
    // inside the context but outside the engine path: the next handler
    assertThat(Http.get(uri("/rt/other")).body()).isEqualTo("app: /rt/other");
    // the engine path outside the context is not Parley's
    assertThat(Http.get(uri("/engine.io/?EIO=4&transport=polling")).body()).isEqualTo("app: /engine.io/");
    assertThat(engine.sessionCount()).isZero();
  }

  @Test
  void pollingAndWebSocketWorkUnderTheContextPath() {
    HttpResponse<String> handshake = Http.get(uri("/rt/engine.io/?EIO=4&transport=polling"));
    assertThat(handshake.statusCode()).isEqualTo(200);
    String sid = Http.Handshake.parse(handshake).sid();
    assertThat(Http.post(uri("/rt/engine.io/?EIO=4&transport=polling&sid=" + sid), "4mounted").body()).isEqualTo("ok");
    assertThat(Http.get(uri("/rt/engine.io/?EIO=4&transport=polling&sid=" + sid)).body()).isEqualTo("4mounted");
    Http.assertError(Http.get(uri("/rt/engine.io/?EIO=4&transport=abc")), 400, 0, "Transport unknown");

    JdkWebSocket ws = JdkWebSocket.open(URI.create("ws://127.0.0.1:" + port + "/rt/engine.io/?EIO=4&transport=websocket"));
    try {
      assertThat(ws.awaitText(0).text()).startsWith("0{");
      ws.sendText("4ws mounted");
      assertThat(ws.awaitText(1).text()).isEqualTo("4ws mounted");
    } finally {
      ws.abort();
    }
    assertThat(Http.get(uri("/hello")).body()).isEqualTo("app: /hello");
  }

  @Test
  void theOfficialClientConnectsAndUpgradesUnderTheContextPath() {
    try (NodeClient client = NodeClient.connect("http://127.0.0.1:" + port, Map.of("path", "/rt/engine.io/"))) {
      assertThat(client.awaitEvent("open").field("transport")).isEqualTo("polling");
      assertThat(client.awaitEvent("upgrade").field("transport")).isEqualTo("websocket");
      client.send("hello");
      client.sendBinary(new byte[] {9, 8, 7});
      List<NodeClient.Event> echoes = client.awaitMessages(2);
      assertThat(echoes.get(0).text()).isEqualTo("hello");
      assertThat(echoes.get(1).binary()).containsExactly(9, 8, 7);
      assertThat(engine.sessionCount()).isEqualTo(1);
    }
    assertThat(Http.get(uri("/hello")).body()).isEqualTo("app: /hello");
  }
}
