package dev.parley.adapter.redis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js socket.io server on {@code @socket.io/redis-adapter} (src/test/node/redis-peer.mjs), with two
 * real clients n1 (room1) and n2 (room2), driven over JSON lines.
 */
final class NodePeer implements AutoCloseable {
  static final File DIR = new File(System.getProperty("parley.node.dir", "src/test/node"));

  private final Process process;
  private final BlockingQueue<Map<String, Object>> lines = new LinkedBlockingQueue<>();
  private final Map<String, Object> ids;
  private int nextId;

  NodePeer(String key) throws Exception {
    process = new ProcessBuilder(System.getProperty("parley.node", "node"), "redis-peer.mjs", key, "redis://127.0.0.1:6379")
        .directory(DIR)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(map(Json.decode(line.getBytes(StandardCharsets.UTF_8))));
        }
      } catch (IOException | RuntimeException ignored) {
        // the process ended
      }
    }, "node-peer-reader");
    reader.setDaemon(true);
    reader.start();
    Map<String, Object> ready = next();
    ids = map(ready.get("ids"));
  }

  /** The socket id of client n1 or n2. */
  String id(String name) {
    return (String) ids.get(name);
  }

  /** Sends a command and returns its answer. */
  synchronized Map<String, Object> call(String cmd, Object... kv) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", (long) ++nextId);
    m.put("cmd", cmd);
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    OutputStream out = process.getOutputStream();
    out.write(Json.encode(m));
    out.write('\n');
    out.flush();
    while (true) {
      Map<String, Object> answer = next();
      if (m.get("id").equals(answer.get("id"))) {
        return answer;
      }
    }
  }

  private Map<String, Object> next() throws InterruptedException {
    Map<String, Object> line = lines.poll(10, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("no answer from the Node peer");
    }
    return line;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
    try {
      if (process.waitFor(5, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
