package dev.parley.it.sio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Socket;
import dev.parley.transport.jetty.ParleyHandler;
import dev.parley.transport.jetty.ParleyJetty;
import dev.parley.transport.jetty.WebSocketPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official JS client ({@code socket.io-client}) over polling, WebSocket and the upgrade, on each
 * WebSocket path forced ({@link WebSocketPath#PUBLIC}: Jetty's WebSocket API; {@link WebSocketPath#FAST}:
 * Parley's own frame layer): events and acks both ways, binary, a broadcast, and many messages in order.
 * It is the focused test of the Jetty matrix: {@code scripts/test.sh} runs it again against the oldest
 * Jetty 12.0.x Parley supports ({@code -Pjetty-oldest}).
 */
class WebSocketPathsTest {
  private SioServer server;
  private SioClients clients;

  static Stream<Arguments> pathsAndModes() {
    List<Arguments> all = new ArrayList<>();
    for (WebSocketPath path : List.of(WebSocketPath.PUBLIC, WebSocketPath.FAST)) {
      for (TransportMode mode : TransportMode.values()) {
        all.add(Arguments.of(path, mode));
      }
    }
    return all.stream();
  }

  private void start(WebSocketPath path) {
    server = SioServer.start(b -> {}, ParleyJetty.Options.builder()
        .handler(ParleyHandler.Options.builder().webSocketPath(path).build())
        .build());
    clients = new SioClients(server);
    assertThat(server.webSocketPath()).as("the path the handler took").isEqualTo(path);
  }

  @AfterEach
  void stop() {
    try {
      if (clients != null) {
        clients.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @AfterAll
  static void stopJavaClientThreads() {
    JavaClient.shutdownOkHttp();
  }

  @Test
  void theTestsRunOnTheJettyTheBuildAskedFor() {
    String expected = System.getProperty("parley.it.jetty.version");
    assertThat(org.eclipse.jetty.util.Jetty.VERSION).as("Jetty on the class path").isEqualTo(expected);
    System.out.printf("[WebSocketPathsTest] Jetty %s, JDK %s%n", org.eclipse.jetty.util.Jetty.VERSION,
        Runtime.version());
  }

  @ParameterizedTest(name = "{0} path, {1}")
  @MethodSource("pathsAndModes")
  void theOfficialJsClientIsServedOnEachPath(WebSocketPath path, TransportMode mode) {
    start(path);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> {
      s.on("echo", (args, ack) -> ack.send(args.values().toArray()));
      s.on("n", (args, ack) -> seen.add(args.get(0).asInt()));
      s.on("shout", (args, ack) -> server.io().emit("shouted", args.get(0)));
    });
    ClientSocket a = clients.connect(ClientKind.NODE, mode, "/");
    ClientSocket b = clients.connect(ClientKind.NODE, mode, "/");

    // an ack both ways, with text and binary
    byte[] bytes = {0, 1, (byte) 0xFF, 42};
    List<JsonNode> answer = a.emitWithAck("echo", "héllo", Map.of("n", 1), bytes).await();
    assertThat(answer.get(0).asText()).isEqualTo("héllo");
    assertThat(answer.get(1).get("n").asInt()).isEqualTo(1);
    assertThat(SioJson.bytes(answer.get(2))).isEqualTo(bytes);
    Socket serverSide = server.socket(a.id());
    a.autoAck(AutoAck.echo());
    assertThat(serverSide.emitWithAck("ping?", "from server").orTimeout(10, TimeUnit.SECONDS).join().get(0).asText())
        .isEqualTo("from server");

    // a broadcast reaches both
    b.emit("shout", "to all");
    assertThat(a.awaitEvent("shouted").arg(0).asText()).isEqualTo("to all");
    assertThat(b.awaitEvent("shouted").arg(0).asText()).isEqualTo("to all");

    // 200 numbered events each way, in order
    for (int i = 0; i < 200; i++) {
      a.emit("n", i);
      serverSide.emit("m", i);
    }
    List<ClientEvent> back = a.awaitEvents("m", 200);
    for (int i = 0; i < 200; i++) {
      assertThat(back.get(i).arg(0).asInt()).isEqualTo(i);
    }
    a.emitWithAck("echo", "last").await(); // handled after the 200, in order
    assertThat(seen).hasSize(200);
    for (int i = 0; i < 200; i++) {
      assertThat(seen.get(i)).isEqualTo(i);
    }
  }
}
