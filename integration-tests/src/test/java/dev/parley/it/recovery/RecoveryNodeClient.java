package dev.parley.it.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The node process of {@code recovery-client.mjs}: one JS socket with reconnection on; its events as JSON. */
final class RecoveryNodeClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final List<JsonNode> events = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();

  RecoveryNodeClient(String url, String transport) throws IOException {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/socket.io-client"))) {
      throw new IllegalStateException("socket.io-client is not installed in " + dir + ": run `npm ci` there");
    }
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "recovery-client.mjs", url, transport)
        .directory(dir.toFile());
    pb.environment().remove("NODE_OPTIONS");
    process = pb.start();
    Thread out = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          JsonNode node;
          try {
            node = JSON.readTree(line);
          } catch (IOException e) {
            continue;
          }
          synchronized (events) {
            events.add(node);
            events.notifyAll();
          }
        }
      } catch (IOException e) {
        // process gone
      }
    }, "recovery-node-out");
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (stderr) {
            stderr.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        // process gone
      }
    }, "recovery-node-err");
    err.setDaemon(true);
    err.start();
  }

  /** Every event so far. */
  List<JsonNode> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** Events of one type so far. */
  List<JsonNode> events(String type) {
    return events().stream().filter(e -> e.path("type").asText().equals(type)).toList();
  }

  /** Waits until {@code done} holds for the event list (10 s), else fails with the whole history. */
  List<JsonNode> await(String what, Predicate<List<JsonNode>> done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    synchronized (events) {
      while (!done.test(events)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          String err;
          synchronized (stderr) {
            err = stderr.toString();
          }
          throw new AssertionError("client: timed out waiting for " + what + "; events: " + events + "\nstderr: " + err);
        }
        events.wait(Math.max(1, left / 1_000_000));
      }
      return List.copyOf(events);
    }
  }

  /** Waits for the {@code n}-th event of {@code type} and returns it. */
  JsonNode awaitNth(String type, int n) throws InterruptedException {
    await(n + " x " + type, list -> list.stream().filter(e -> e.path("type").asText().equals(type)).count() >= n);
    return events(type).get(n - 1);
  }

  @Override
  public void close() {
    try {
      OutputStream in = process.getOutputStream();
      in.write("exit\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      // gone already
    }
    try {
      if (!process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
