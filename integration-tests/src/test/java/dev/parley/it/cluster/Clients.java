package dev.parley.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The client sockets of one test: Node ones in one {@code sio-client.mjs} process (socket.io-client
 * 4.8.4), Java ones on io.socket 2.1 with an OkHttp client of daemon threads. {@link #close()} closes
 * every socket and kills the process.
 */
final class Clients implements AutoCloseable {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();

  enum Kind { NODE, JAVA }

  private final List<Client> all = new CopyOnWriteArrayList<>();
  private final Map<String, NodeClient> nodeSockets = new ConcurrentHashMap<>();
  private final List<String> nodeErrors = new CopyOnWriteArrayList<>();
  private Process node;
  private OutputStream nodeIn;
  private ExecutorService okHttpThreads;
  private OkHttpClient okHttp;

  /** A connected client (one whose name starts with "silent" never answers acks) of {@code kind} to {@code url} ("http://127.0.0.1:P"), auth {name, room?}. */
  Client connect(Kind kind, String url, String server, String name, String room) {
    Client c = kind == Kind.NODE ? node(url, server, name, room) : java(url, server, name, room);
    all.add(c);
    c.id();
    if (!nodeErrors.isEmpty()) {
      throw new AssertionError("node client errors: " + nodeErrors);
    }
    return c;
  }

  // ------------------------------------------------------------------ Node

  private final class NodeClient extends Client {
    NodeClient(String name, String server) {
      super(name, server);
    }

    @Override
    void emit(String event, Object... args) {
      send(Map.of("cmd", "emit", "socket", name, "event", event, "args", List.of(args)));
    }

    @Override
    void close() {
      send(Map.of("cmd", "disconnect", "socket", name));
    }
  }

  private Client node(String url, String server, String name, String room) {
    startNode();
    NodeClient c = new NodeClient(name, server);
    nodeSockets.put(name, c);
    ObjectNode auth = MAPPER.createObjectNode().put("name", name);
    if (room != null) {
      auth.put("room", room);
    }
    send(Map.of("cmd", "connect", "socket", name, "url", url, "namespace", "/",
        "opts", Map.of("transports", List.of("websocket"), "auth", auth)));
    send(Map.of("cmd", "autoAck", "socket", name, "event", "*", "mode", name.startsWith("silent") ? "never" : "reply", "args", List.of(Map.of("from", name))));
    return c;
  }

  private synchronized void startNode() {
    if (node != null) {
      return;
    }
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/socket.io-client"))) {
      throw new IllegalStateException("run `npm ci` in " + dir);
    }
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "sio-client.mjs")
        .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("NODE_OPTIONS");
    try {
      node = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    nodeIn = node.getOutputStream();
    List<Boolean> ready = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          JsonNode m = MAPPER.readTree(line);
          String type = m.path("type").asText();
          NodeClient c = nodeSockets.get(m.path("socket").asText());
          switch (type) {
            case "ready" -> ready.add(true);
            case "error" -> nodeErrors.add(line);
            case "connect" -> c.seen.add(new Client.Seen("connect", m.path("id").asText(), List.of()));
            case "disconnect" -> c.seen.add(new Client.Seen("disconnect", m.path("reason").asText(), List.of()));
            case "event" -> {
              List<JsonNode> args = new ArrayList<>();
              m.path("args").forEach(args::add);
              c.seen.add(new Client.Seen("event", m.path("event").asText(), args));
            }
            default -> { }
          }
        }
      } catch (IOException | RuntimeException ignored) {
        // the process ended
      }
    }, "cluster-node-clients");
    reader.setDaemon(true);
    reader.start();
    Wait.until("the node client process is ready", () -> !ready.isEmpty());
  }

  private synchronized void send(Map<String, Object> command) {
    try {
      nodeIn.write(MAPPER.writeValueAsBytes(command));
      nodeIn.write('\n');
      nodeIn.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<String> nodeErrors() {
    return nodeErrors;
  }

  // ------------------------------------------------------------------ Java

  private final class JavaClient extends Client {
    final Socket socket;

    JavaClient(String name, String server, Socket socket) {
      super(name, server);
      this.socket = socket;
    }

    @Override
    void emit(String event, Object... args) {
      socket.emit(event, args);
    }

    @Override
    void close() {
      socket.close();
    }
  }

  private synchronized OkHttpClient okHttp() {
    if (okHttp == null) {
      okHttpThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cluster-okhttp-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      okHttp = new OkHttpClient.Builder().dispatcher(new Dispatcher(okHttpThreads))
          .readTimeout(1, TimeUnit.MINUTES).build();
    }
    return okHttp;
  }

  private Client java(String url, String server, String name, String room) {
    IO.Options opts = IO.Options.builder()
        .setForceNew(true)
        .setReconnection(false)
        .setTransports(new String[] {"websocket"})
        .setAuth(room == null ? Map.of("name", name) : Map.of("name", name, "room", room))
        .build();
    opts.callFactory = okHttp();
    opts.webSocketFactory = okHttp();
    Socket socket = IO.socket(java.net.URI.create(url + "/"), opts);
    JavaClient c = new JavaClient(name, server, socket);
    socket.on(Socket.EVENT_CONNECT, a -> c.seen.add(new Client.Seen("connect", socket.id(), List.of())));
    socket.on(Socket.EVENT_DISCONNECT, a -> c.seen.add(new Client.Seen("disconnect", String.valueOf(a[0]), List.of())));
    socket.onAnyIncoming(a -> {
      int n = a.length;
      Ack ack = n > 0 && a[n - 1] instanceof Ack x ? x : null;
      List<JsonNode> args = new ArrayList<>();
      for (int i = 1; i < (ack != null ? n - 1 : n); i++) {
        args.add(tree(a[i]));
      }
      c.seen.add(new Client.Seen("event", String.valueOf(a[0]), args));
      if (ack != null && !name.startsWith("silent")) {
        ack.call(new JSONObject(Map.of("from", name)));
      }
    });
    socket.connect();
    return c;
  }

  private static JsonNode tree(Object v) {
    try {
      if (v instanceof JSONObject || v instanceof JSONArray) {
        return MAPPER.readTree(v.toString());
      }
      return MAPPER.valueToTree(v == JSONObject.NULL ? null : v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Client c : all) {
      if (c instanceof JavaClient) {
        try {
          c.close();
        } catch (RuntimeException ignored) {
          // best effort
        }
      }
    }
    if (node != null) {
      node.destroyForcibly();
      try {
        node.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (okHttp != null) {
      okHttp.dispatcher().cancelAll();
      okHttpThreads.shutdown();
      okHttp.connectionPool().evictAll();
    }
  }
}
