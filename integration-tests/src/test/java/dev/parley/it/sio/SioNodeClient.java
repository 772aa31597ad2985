package dev.parley.it.sio;

import dev.parley.it.EventLog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The official {@code socket.io-client} (4.8.4, from {@code src/test/node}) in one child {@code node}
 * process that holds any number of client sockets, driven over the JSON-lines protocol of
 * {@code sio-client.mjs}. Each socket is a {@link ClientSocket} whose events are recorded on their
 * own; {@link #events()} has everything the process said. {@link #close()} always kills the process.
 * Usually reached through {@link SioClients}.
 */
final class SioNodeClient implements AutoCloseable {
  private final Process process;
  private final OutputStream stdin;
  private final EventLog<ClientEvent> events;
  private final Map<String, NodeSocket> sockets = new ConcurrentHashMap<>();
  private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
  private final Thread stdoutReader;
  private final Thread stderrReader;

  private SioNodeClient(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.events = new EventLog<>("node process " + process.pid());
    events.diagnostics(this::stderrText);
    this.stdoutReader = new Thread(this::readStdout, "node-client-stdout-" + process.pid());
    this.stderrReader = new Thread(this::readStderr, "node-client-stderr-" + process.pid());
    stdoutReader.setDaemon(true);
    stderrReader.setDaemon(true);
    stdoutReader.start();
    stderrReader.start();
  }

  /** Starts {@code node sio-client.mjs} and waits until it is ready for commands. */
  static SioNodeClient start() {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/socket.io-client"))) {
      throw new IllegalStateException("socket.io-client is not installed in " + dir
          + ": run the build (mvn verify runs npm ci there) or `npm ci` in that folder");
    }
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "sio-client.mjs")
        .directory(dir.toFile());
    pb.environment().remove("NODE_OPTIONS");
    SioNodeClient client;
    try {
      client = new SioNodeClient(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node (is Node.js on the PATH?)", e);
    }
    try {
      client.events.awaitFirst(e -> e.is("ready"), Duration.ofSeconds(20), "ready");
      return client;
    } catch (RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  /** Everything the process reported, for every socket. */
  EventLog<ClientEvent> events() {
    return events;
  }

  /**
   * A new socket with a connection of its own: {@code io(url + namespace, {forceNew: true,
   * reconnection: false, transports, upgrade, ...options})}.
   *
   * @param options more socket.io-client options (auth, query, ackTimeout, ...), may be empty
   */
  NodeSocket connect(String name, String url, String namespace, TransportMode mode, Map<String, Object> options) {
    Map<String, Object> opts = new LinkedHashMap<>(mode.nodeOptions());
    opts.putAll(options);
    NodeSocket socket = register(name, mode, namespace);
    ObjectNode cmd = command("connect", name).put("url", url).put("namespace", namespace);
    cmd.set("opts", SioJson.MAPPER.valueToTree(opts));
    send(cmd);
    return socket;
  }

  private NodeSocket register(String name, TransportMode mode, String namespace) {
    NodeSocket socket = new NodeSocket(name, mode, namespace);
    if (sockets.putIfAbsent(name, socket) != null) {
      throw new IllegalArgumentException("socket name in use: " + name);
    }
    return socket;
  }

  private static ObjectNode command(String cmd, String socket) {
    ObjectNode node = SioJson.MAPPER.createObjectNode().put("cmd", cmd);
    if (socket != null) {
      node.put("socket", socket);
    }
    return node;
  }

  private synchronized void send(JsonNode cmd) {
    try {
      stdin.write((SioJson.MAPPER.writeValueAsString(cmd) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError("node client is gone (" + e + ")\n" + events.describe(), e);
    }
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        ClientEvent event;
        try {
          JsonNode json = SioJson.fromDriver(SioJson.MAPPER.readTree(line));
          String socket = json.path("socket").isTextual() ? json.get("socket").asText() : null;
          event = new ClientEvent(json.path("type").asText("?"), socket, json);
        } catch (IOException e) {
          event = new ClientEvent("garbage", null, SioJson.MAPPER.createObjectNode().put("line", line));
        }
        events.add(event);
        NodeSocket socket = event.socket() == null ? null : sockets.get(event.socket());
        if (socket != null) {
          socket.events().add(event);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    ClientEvent exit = new ClientEvent("exit", null, SioJson.MAPPER.createObjectNode().put("type", "exit"));
    events.add(exit);
    sockets.values().forEach(s -> s.events().add(exit));
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
    StringBuilder sb = new StringBuilder();
    events.matching(e -> e.is("error") || e.is("garbage") || e.is("exit"))
        .forEach(e -> sb.append("    [process] ").append(e).append('\n'));
    synchronized (stderrTail) {
      stderrTail.forEach(l -> sb.append("    ").append(l).append('\n'));
    }
    return sb.toString();
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

  /** One socket.io-client socket in the process. */
  final class NodeSocket extends ClientSocket {
    private NodeSocket(String name, TransportMode mode, String namespace) {
      super(name, ClientKind.NODE, mode, namespace);
      events().diagnostics(SioNodeClient.this::stderrText);
    }

    @Override
    void emit(String event, Object... args) {
      ObjectNode cmd = command("emit", name()).put("event", event);
      cmd.set("args", SioJson.toDriver(SioJson.array(args)));
      send(cmd);
    }

    @Override
    void sendWithAck(String ackId, Duration timeout, String event, ArrayNode args) {
      ObjectNode cmd = command("emitWithAck", name()).put("event", event).put("ackId", ackId);
      cmd.set("args", SioJson.toDriver(args));
      if (timeout != null) {
        cmd.put("timeout", timeout.toMillis());
      }
      send(cmd);
    }

    @Override
    void autoAck(String event, AutoAck how) {
      ObjectNode cmd = command("autoAck", name()).put("event", event).put("mode", how.mode());
      cmd.set("args", SioJson.toDriver(how.args()));
      int before = events().matching(e -> e.type().equals("autoAckSet")).size();
      send(cmd);
      events().awaitCount(e -> e.type().equals("autoAckSet"), before + 1, "the driver to set the autoAck rule");
    }

    @Override
    void answer(long callId, Object... args) {
      ObjectNode cmd = command("answer", name()).put("callId", callId);
      cmd.set("args", SioJson.toDriver(SioJson.array(args)));
      send(cmd);
    }

    @Override
    void disconnect() {
      send(command("disconnect", name()));
    }

    @Override
    void open() {
      send(command("open", name()));
    }

    @Override
    void closeConnection() {
      send(command("close", name()));
    }

    @Override
    ClientSocket socket(String namespace, Map<String, String> auth) {
      return socket(name() + namespace, namespace, auth);
    }

    /** Like {@link #socket(String, Map)} with a chosen name. */
    NodeSocket socket(String name, String namespace, Map<String, String> auth) {
      NodeSocket socket = register(name, mode(), namespace);
      ObjectNode cmd = command("connect", name).put("via", name()).put("namespace", namespace);
      ObjectNode opts = cmd.putObject("opts");
      if (auth != null) {
        opts.set("auth", SioJson.MAPPER.valueToTree(auth));
      }
      send(cmd);
      return socket;
    }
  }
}
