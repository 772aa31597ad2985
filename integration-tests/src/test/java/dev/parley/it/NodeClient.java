package dev.parley.it;

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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official {@code engine.io-client} (6.6.8, from {@code src/test/node}) in a child {@code node}
 * process, driven over the JSON-lines protocol of {@code eio-client.mjs}: commands go to its stdin, its
 * events land in {@link #events()}. {@link #close()} always kills the process.
 *
 * <pre>{@code
 * try (NodeClient client = NodeClient.connect(server.origin(), Map.of("transports", List.of("websocket")))) {
 *   client.awaitEvent("open");
 *   client.send("hello");
 *   assertThat(client.awaitMessages(1).get(0).text()).isEqualTo("hello");
 * }
 * }</pre>
 */
final class NodeClient implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One line from the client: its {@code event} name and the whole JSON object. */
  record Event(String type, JsonNode json) {
    String text() {
      JsonNode t = json.get("text");
      return t == null ? null : t.asText();
    }

    byte[] binary() {
      JsonNode b = json.get("binary");
      return b == null ? null : Base64.getDecoder().decode(b.asText());
    }

    boolean isMessage() {
      return type.equals("message");
    }

    String field(String name) {
      JsonNode v = json.get(name);
      return v == null || v.isNull() ? null : v.asText();
    }

    @Override
    public String toString() {
      String s = json.toString();
      return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
  }

  private final Process process;
  private final OutputStream stdin;
  private final EventLog<Event> events;
  private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
  private final Thread stdoutReader;
  private final Thread stderrReader;

  private NodeClient(Process process, String label) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.events = new EventLog<>("node client " + label);
    events.diagnostics(this::stderrText);
    this.stdoutReader = new Thread(this::readStdout, "node-client-stdout-" + process.pid());
    this.stderrReader = new Thread(this::readStderr, "node-client-stderr-" + process.pid());
    stdoutReader.setDaemon(true);
    stderrReader.setDaemon(true);
    stdoutReader.start();
    stderrReader.start();
  }

  /**
   * Starts a client process and connects it to {@code url} (e.g. {@code http://127.0.0.1:1234}) with
   * engine.io-client options such as {@code transports}, {@code upgrade} and {@code path}.
   */
  static NodeClient connect(String url, Map<String, Object> options) {
    NodeClient client = start(url + " " + options);
    try {
      client.events.awaitFirst(e -> e.type().equals("ready"), Duration.ofSeconds(20), "ready");
      ObjectNode cmd = JSON.createObjectNode().put("cmd", "connect").put("url", url);
      cmd.set("opts", JSON.valueToTree(options));
      client.command(cmd);
      return client;
    } catch (RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  private static NodeClient start(String label) {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/engine.io-client"))) {
      throw new IllegalStateException("engine.io-client is not installed in " + dir
          + ": run the build (mvn verify runs npm ci there) or `npm ci` in that folder");
    }
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "eio-client.mjs")
        .directory(dir.toFile());
    pb.environment().remove("NODE_OPTIONS");
    try {
      return new NodeClient(pb.start(), label);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node (is Node.js on the PATH?)", e);
    }
  }

  EventLog<Event> events() {
    return events;
  }

  void send(String text) {
    command(JSON.createObjectNode().put("cmd", "send").put("text", text));
  }

  void sendBinary(byte[] data) {
    command(JSON.createObjectNode().put("cmd", "sendBinary").put("base64", Base64.getEncoder().encodeToString(data)));
  }

  /**
   * Sends {@code prefix + i} for i in 0..count-1, one message per {@code intervalMs}; before message
   * {@code holdAt} it waits (up to 5 s) until the client has upgraded. Ends with a "burstDone" event.
   */
  void burst(String prefix, int count, int intervalMs, int holdAt) {
    command(JSON.createObjectNode().put("cmd", "burst").put("prefix", prefix).put("count", count)
        .put("intervalMs", intervalMs).put("holdAt", holdAt).put("holdUntil", "upgrade").put("holdMaxMs", 5000));
  }

  /**
   * From now on the client behaves like a frozen peer: it ignores the server's pings (no pong) and its
   * own heartbeat timer is stopped, so it does not close the connection itself.
   */
  void dropPings() {
    command(JSON.createObjectNode().put("cmd", "dropPings"));
  }

  /** {@code socket.close()} on the client. */
  void closeSocket() {
    command(JSON.createObjectNode().put("cmd", "close"));
  }

  Event awaitEvent(String type) {
    return events.awaitFirst(e -> e.type().equals(type), TIMEOUT, "'" + type + "'");
  }

  /** The first {@code n} messages the client received, in order. */
  List<Event> awaitMessages(int n) {
    return events.awaitCount(Event::isMessage, n, TIMEOUT, "message");
  }

  private synchronized void command(JsonNode cmd) {
    try {
      stdin.write((JSON.writeValueAsString(cmd) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError("node client is gone (" + e + ")\n" + events.describe(), e);
    }
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        try {
          JsonNode json = JSON.readTree(line);
          events.add(new Event(json.path("event").asText("?"), json));
        } catch (IOException e) {
          events.add(new Event("garbage", JSON.createObjectNode().put("event", "garbage").put("line", line)));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    events.add(new Event("exit", JSON.createObjectNode().put("event", "exit")));
  }

  private void readStderr() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (stderrTail) {
          stderrTail.addLast(line);
          if (stderrTail.size() > 100) {
            stderrTail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private String stderrText() {
    synchronized (stderrTail) {
      StringBuilder sb = new StringBuilder();
      stderrTail.forEach(l -> sb.append("    ").append(l).append('\n'));
      return sb.toString();
    }
  }

  /** Kills the process (always) and waits for it and its reader threads to end. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      stdoutReader.join(5_000);
      stderrReader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the process is dead
    }
  }
}
