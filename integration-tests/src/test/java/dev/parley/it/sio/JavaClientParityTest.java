package dev.parley.it.sio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.engine.AdmissionHook;
import dev.parley.transport.jetty.ParleyJetty;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The official Java client ({@code io.socket:socket.io-client} 2.1.2) on the Node-parity features: a
 * handshake admitted 200 ms later by the asynchronous admission hook, and the handshake object it
 * reads back ({@code Handshake.toNodeObject()}).
 */
class JavaClientParityTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @AfterAll
  static void stopOkHttp() {
    JavaClient.shutdownOkHttp();
  }

  @ParameterizedTest
  @EnumSource(value = TransportMode.class)
  void aDelayedAdmissionThenTheHandshakeObject(TransportMode mode) throws Exception {
    SocketIoServer io = SocketIoServer.builder()
        .engine(e -> e.admissionAsync(request -> CompletableFuture.supplyAsync(AdmissionHook.Decision::allow,
            CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))))
        .build();
    io.onConnection(s -> s.emit("handshake", s.handshake().toNodeObject()));
    resources.add(io);
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    resources.add(running);

    IO.Options o = new IO.Options();
    mode.apply(o);
    o.forceNew = true;
    o.reconnection = false;
    o.callFactory = JavaClient.okHttp();
    o.webSocketFactory = JavaClient.okHttp();
    o.auth = Map.of("token", "t");
    Socket socket = IO.socket("http://127.0.0.1:" + running.port(), o);
    resources.add(socket::close);
    LinkedBlockingQueue<JSONObject> handshakes = new LinkedBlockingQueue<>();
    socket.on("handshake", args -> handshakes.add((JSONObject) args[0]));
    socket.connect();

    JSONObject h = handshakes.poll(10, TimeUnit.SECONDS);
    assertThat(h).as("the handshake event").isNotNull();
    List<String> keys = new ArrayList<>();
    h.keys().forEachRemaining(k -> keys.add((String) k));
    assertThat(keys).containsExactlyInAnyOrder("headers", "time", "address", "xdomain", "secure", "issued", "url",
        "query", "auth");
    assertThat(h.getJSONObject("auth").getString("token")).isEqualTo("t");
    assertThat(h.getJSONObject("query").getString("EIO")).isEqualTo("4");
    assertThat(h.getBoolean("xdomain")).isFalse();
    assertThat(h.getBoolean("secure")).isFalse();
    assertThat(h.getString("address")).isEqualTo("127.0.0.1");
    assertThat(h.getString("url")).startsWith("/socket.io/?EIO=4&transport=");
    assertThat(h.getString("time")).matches(
        "[A-Z][a-z]{2} [A-Z][a-z]{2} \\d{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT[+-]\\d{4} \\(.+\\)");
    assertThat(h.getLong("issued")).isGreaterThan(0);
    assertThat(h.getJSONObject("headers").has("host")).isTrue();
  }
}
