package dev.parley.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The official {@code socket.io-client} (4.8.4, from {@code src/test/node}) in a child {@code node}
 * process, driven over the JSON-lines protocol of {@code sio-driver.mjs}. {@link #close()} always
 * kills the process.
 */
final class NodeSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_MS = 20_000;

  private final Process process;
  private final OutputStream stdin;
  private final List<JsonNode> events = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();
  private final AtomicInteger ids = new AtomicInteger();

  private NodeSocket(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    Thread out = new Thread(this::readStdout, "node-socket-stdout-" + process.pid());
    Thread err = new Thread(this::readStderr, "node-socket-stderr-" + process.pid());
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  /** Starts a client connecting to {@code url} with socket.io-client options (transports, upgrade, path). */
  static NodeSocket connect(String url, Map<String, Object> options) {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/socket.io-client"))) {
      throw new IllegalStateException("socket.io-client is not installed in " + dir
          + ": run the build (it runs npm ci there) or `npm ci` in that folder");
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "sio-driver.mjs", url,
          JSON.writeValueAsString(options)).directory(dir.toFile());
      pb.environment().remove("NODE_OPTIONS");
      return new NodeSocket(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node (is Node.js on the PATH?)", e);
    }
  }

  /** Waits for the client's first event of this type. */
  JsonNode await(String type) {
    return await(e -> e.path("event").asText().equals(type), "'" + type + "'");
  }

  /** Emits an event with an ack and waits for the ack's arguments. */
  JsonNode emitWithAck(String event, Object... args) {
    int id = ids.incrementAndGet();
    ObjectNode cmd = JSON.createObjectNode().put("cmd", "emit").put("event", event).put("id", id);
    cmd.set("args", JSON.valueToTree(args));
    command(cmd);
    return await(e -> e.path("event").asText().equals("ack") && e.path("id").asInt() == id, "ack " + id)
        .path("args");
  }

  /** Disconnects the socket (the server sees "client namespace disconnect"). */
  void disconnect() {
    command(JSON.createObjectNode().put("cmd", "close"));
  }

  JsonNode await(Predicate<JsonNode> match, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    synchronized (events) {
      while (true) {
        for (JsonNode e : events) {
          if (match.test(e)) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; events: " + events + "; stderr: " + stderr());
        }
        try {
          events.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  private void command(JsonNode cmd) {
    try {
      stdin.write((JSON.writeValueAsString(cmd) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError("node client is gone: " + events + " " + stderr(), e);
    }
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode e;
        try {
          e = JSON.readTree(line);
        } catch (IOException ex) {
          e = JSON.createObjectNode().put("event", "garbage").put("line", line);
        }
        synchronized (events) {
          events.add(e);
          events.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private void readStderr() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (stderr) {
          if (stderr.length() < 10_000) {
            stderr.append(line).append('\n');
          }
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
