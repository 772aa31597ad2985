package dev.parley.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.ConnectionStateRecovery;
import dev.parley.DisconnectReason;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connection state recovery with the official JS client (socket.io-client 4.8.4, reconnection on):
 * the network connection is cut without a close frame (a TCP reset through {@link CutProxy}), events
 * are emitted to the client's room while it is away, and when it comes back it is recovered (same
 * id, rooms and data) and has every event exactly once, in order, over WebSocket and over polling.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsClientRecoveryTest {
  private SocketIoServer io;
  private ParleyJetty.Running running;
  private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
  private final Map<String, DisconnectReason> disconnects = new ConcurrentHashMap<>();
  private final List<String> freshConnections = java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() {
    io = SocketIoServer.builder()
        .pingInterval(Duration.ofSeconds(1))
        .pingTimeout(Duration.ofSeconds(2))
        .connectionStateRecovery(ConnectionStateRecovery.defaults())
        .build();
    io.onConnection(s -> {
      if (!s.recovered()) {
        freshConnections.add(s.id());
        s.join("room1");
        s.data().put("user", "ann");
      }
      sockets.put(s.id(), s);
      s.onDisconnect(reason -> disconnects.put(s.id(), reason));
    });
    running = ParleyJetty.listen(io, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    if (running != null) {
      running.close();
    }
    if (io != null) {
      io.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "polling"})
  void cutConnectionIsRecoveredAndMissedEventsArriveOnceInOrder(String transport) throws Exception {
    try (CutProxy proxy = new CutProxy(running.port());
        RecoveryNodeClient client = new RecoveryNodeClient("http://127.0.0.1:" + proxy.port(), transport)) {
      JsonNode first = client.awaitNth("connect", 1);
      assertThat(first.path("recovered").asBoolean()).isFalse();
      assertThat(first.path("transport").asText()).isEqualTo(transport);
      String id = first.path("id").asText();

      for (int i = 0; i < 3; i++) {
        io.to("room1").emit("m", i);
      }
      client.awaitNth("event", 3); // it has an offset now

      proxy.cut();
      awaitServerDisconnect(id);
      assertThat(ConnectionStateRecovery.RECOVERABLE_REASONS).contains(disconnects.get(id));
      for (int i = 3; i < 8; i++) {
        io.to("room1").emit("m", i);          // missed: replayed on recovery
      }
      io.to("room2").emit("m", -1);           // never for this client
      io.except("room1").emit("m", -2);       // never for this client
      io.unreliable().emit("m", -3);          // volatile: not kept
      proxy.up();

      JsonNode second = client.awaitNth("connect", 2);
      assertThat(second.path("recovered").asBoolean()).as("socket.recovered").isTrue();
      assertThat(second.path("id").asText()).isEqualTo(id);
      for (int i = 8; i < 10; i++) {
        io.to("room1").emit("m", i);          // live again
      }
      client.awaitNth("event", 10);
      // one connection delivers in order: a duplicate of anything sent before would come before this
      io.to("room1").emit("end");
      client.awaitNth("event", 11);

      List<Integer> received = new ArrayList<>();
      List<JsonNode> events = client.events("event");
      assertThat(events.get(events.size() - 1).path("event").asText()).isEqualTo("end");
      for (JsonNode e : events.subList(0, events.size() - 1)) {
        assertThat(e.path("event").asText()).isEqualTo("m");
        JsonNode args = e.path("args");
        assertThat(args.size()).as("value + offset: %s", e).isEqualTo(2);
        assertThat(args.get(1).isTextual()).isTrue();
        received.add(args.get(0).asInt());
      }
      assertThat(received).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      assertThat(client.events("disconnect")).hasSize(1);

      Socket restored = sockets.get(id);
      assertThat(restored.recovered()).isTrue();
      assertThat(restored.connected()).isTrue();
      assertThat(restored.rooms()).containsExactlyInAnyOrder(id, "room1");
      assertThat(restored.data()).containsEntry("user", "ann");
      assertThat(freshConnections).containsExactly(id);
    }
  }

  private void awaitServerDisconnect(String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!disconnects.containsKey(id)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the server never saw " + id + " disconnect");
      }
      Thread.sleep(10);
    }
  }
}
