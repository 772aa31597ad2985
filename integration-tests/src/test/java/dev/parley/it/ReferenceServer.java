package dev.parley.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The reference server, Node.js socket.io 4.8.4 ({@code reference-server.mjs}), on 127.0.0.1 and a free
 * port: the parity tests send it the requests they send Parley and compare the answers. Killed by
 * {@link #close()}.
 */
final class ReferenceServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final int port;

  private ReferenceServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the server and waits for its port. */
  static ReferenceServer start() {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "reference-server.mjs")
        .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("NODE_OPTIONS");
    pb.environment().put("TZ", java.util.TimeZone.getDefault().getID()); // Date.toString() in the JVM's zone
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node (is Node.js on the PATH?)", e);
    }
    CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        JsonNode ready = JSON.readTree(r.readLine());
        return ready.get("port").asInt();
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("reference-server.mjs did not start", e);
      }
    });
    try {
      return new ReferenceServer(p, port.get(20, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new AssertionError("reference-server.mjs did not start: " + e, e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  String origin() {
    return "http://127.0.0.1:" + port;
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
