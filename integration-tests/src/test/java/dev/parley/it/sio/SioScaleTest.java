package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many clients in one room receiving a burst of broadcasts: nothing lost, nothing repeated, in order.
 * The big runs use one Node process with many sockets ({@code src/test/node/sio-burst.mjs}, which
 * checks counts and order in Node and reports one line per socket); a small run goes through the
 * usual fixture with both clients and every mode.
 */
class SioScaleTest extends SioTestBase {
  private static final Duration BURST_WAIT = Duration.ofSeconds(60);

  /** One {@code node sio-burst.mjs} process; always killed in {@link #close()}. */
  private static final class Burst implements AutoCloseable {
    final Process process;
    final EventLog<JsonNode> events;
    final OutputStream stdin;
    final ArrayDeque<String> stderr = new ArrayDeque<>();

    Burst(String url, int count, String event, int expect, TransportMode mode) {
      Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
      Map<String, Object> cfg = Map.of("url", url, "count", count, "event", event, "expect", expect,
          "transports", mode.transports, "upgrade", mode.upgrade);
      try {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "sio-burst.mjs",
            SioJson.MAPPER.writeValueAsString(cfg)).directory(dir.toFile());
        pb.environment().remove("NODE_OPTIONS");
        process = pb.start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start node", e);
      }
      stdin = process.getOutputStream();
      events = new EventLog<>("sio-burst " + process.pid());
      events.diagnostics(() -> {
        synchronized (stderr) {
          return String.join("\n", stderr) + "\n";
        }
      });
      Thread out = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            try {
              events.add(SioJson.MAPPER.readTree(line));
            } catch (IOException e) {
              events.add(SioJson.MAPPER.createObjectNode().put("type", "garbage").put("line", line));
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "sio-burst-stdout");
      Thread err = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            synchronized (stderr) {
              stderr.add(line);
              if (stderr.size() > 50) {
                stderr.removeFirst();
              }
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "sio-burst-stderr");
      out.setDaemon(true);
      err.setDaemon(true);
      out.start();
      err.start();
    }

    List<JsonNode> awaitType(String type, int n, Duration timeout) {
      return events.awaitCount(e -> type.equals(e.path("type").asText()), n, timeout, type);
    }

    List<JsonNode> ofType(String type) {
      return events.matching(e -> type.equals(e.path("type").asText()));
    }

    void command(String cmd) {
      try {
        stdin.write((cmd + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
      } catch (IOException e) {
        throw new AssertionError("sio-burst is gone: " + e + "\n" + events.describe(), e);
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}: {1} Node clients x {2} broadcasts")
  @CsvSource({"WEBSOCKET, 500, 200", "POLLING, 50, 100", "UPGRADE, 100, 100"})
  @Timeout(180)
  void everyClientInTheRoomGetsEveryBroadcastOfABurstOnceInOrder(TransportMode mode, int clientCount,
      int broadcasts) throws Exception {
    server.io().onConnection(s -> s.join("crowd"));
    String filler = "x".repeat(64);
    try (Burst burst = new Burst(server.url(), clientCount, "b", broadcasts, mode)) {
      burst.awaitType("ready", 1, Duration.ofSeconds(20));
      JsonNode connected = burst.events.awaitFirst(
          e -> e.path("type").asText().equals("connected") || e.path("type").asText().equals("connect_error"),
          BURST_WAIT, "all connected");
      assertThat(connected.path("type").asText()).as("%s", burst.events.describe()).isEqualTo("connected");
      Set<String> ids = new HashSet<>();
      connected.path("ids").forEach(id -> ids.add(id.asText()));
      assertThat(ids).hasSize(clientCount);
      EventLog.until("all " + clientCount + " sockets are in the room",
          () -> server.io().sockets().adapter().sockets(Set.of("crowd")).size() == clientCount);
      assertThat(server.io().sockets().adapter().sockets(Set.of("crowd"))).isEqualTo(ids);

      long start = System.nanoTime();
      for (int i = 1; i <= broadcasts; i++) {
        server.io().to("crowd").emit("b", i, filler);
      }
      List<JsonNode> done = burst.awaitType("done", clientCount, BURST_WAIT);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("SioScaleTest %s: %d clients x %d broadcasts delivered in %d ms%n", mode, clientCount,
          broadcasts, millis);

      burst.command("report");
      JsonNode report = burst.awaitType("report", 1, Duration.ofSeconds(20)).get(0);
      List<String> problems = new ArrayList<>();
      for (JsonNode s : report.path("sockets")) {
        if (s.path("count").asInt() != broadcasts || !s.path("ok").asBoolean() || s.path("extra").asInt() != 0
            || !s.path("connected").asBoolean()) {
          problems.add(s.toString());
        }
      }
      assertThat(problems).as("sockets that lost, repeated or reordered broadcasts").isEmpty();
      assertThat(done).allSatisfy(d -> assertThat(d.path("ok").asBoolean()).isTrue());
      assertThat(burst.ofType("bad")).isEmpty();
      assertThat(burst.ofType("disconnect")).isEmpty();
      assertThat(burst.ofType("connect_error")).isEmpty();
      assertThat(report.path("sockets").size()).isEqualTo(clientCount);
    }
    assertThat(server.events().matching(e -> e.is("error"))).isEmpty();
  }

  /** A smaller crowd through the usual fixture: both clients, every transport mode. */
  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void tenClientsGetFiftyBroadcastsOnceInOrder(ClientKind kind, TransportMode mode) {
    server.io().onConnection(s -> s.join("crowd"));
    List<ClientSocket> crowd = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      crowd.add(clients.connect(kind, mode, "/"));
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      server.io().to("crowd").emit("b", i);
      expected.add(i);
    }
    server.io().emit("end");
    for (ClientSocket c : crowd) {
      c.awaitEvent("end");
      assertThat(c.received("b").stream().map(e -> e.arg(0).asInt())).as("%s", c).containsExactlyElementsOf(expected);
    }
  }
}
