package dev.parley.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js socket.io 4.8.4 server on {@code @socket.io/redis-adapter} 8.3.0 ({@code cluster-peer.mjs})
 * on 127.0.0.1 and a free port, driven over JSON lines; killed by {@link #close()}.
 */
final class NodeServer implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private final int port;
  private int nextId;

  NodeServer(String key) throws Exception {
    this(key, ParleyNode.REDIS, "classic");
  }

  /**
   * A server on {@code redisUrl} (a comma-separated list: the seeds of a Redis Cluster) with the adapter
   * {@code kind}: {@code classic} ({@code createAdapter}), {@code sharded} ({@code createShardedAdapter},
   * dynamic mode), {@code sharded-static} or {@code sharded-dynamic-private}.
   */
  NodeServer(String key, String redisUrl, String kind) throws Exception {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "cluster-peer.mjs", key,
        redisUrl, kind).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("NODE_OPTIONS");
    process = pb.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(Clients.MAPPER.readTree(line));
        }
      } catch (IOException | RuntimeException ignored) {
        // the process ended
      }
    }, "cluster-node-server");
    reader.setDaemon(true);
    reader.start();
    try {
      port = next().path("port").asInt();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Sends {@code {cmd, ...fields}} and returns the answer; fails on an error answer. */
  synchronized JsonNode call(String cmd, Object... kv) throws Exception {
    ObjectNode m = Clients.MAPPER.createObjectNode();
    m.put("id", ++nextId);
    m.put("cmd", cmd);
    for (int i = 0; i < kv.length; i += 2) {
      m.set((String) kv[i], Clients.MAPPER.valueToTree(kv[i + 1]));
    }
    OutputStream out = process.getOutputStream();
    out.write(Clients.MAPPER.writeValueAsBytes(m));
    out.write('\n');
    out.flush();
    while (true) {
      JsonNode answer = next();
      if (answer.path("id").asInt() == nextId) {
        if (answer.has("error")) {
          throw new AssertionError("node server: " + cmd + " failed: " + answer.get("error").asText());
        }
        return answer;
      }
    }
  }

  private JsonNode next() throws InterruptedException {
    JsonNode line = lines.poll(10, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("no answer from the Node server (cluster-peer.mjs)");
    }
    return line;
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
