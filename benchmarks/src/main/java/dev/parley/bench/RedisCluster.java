package dev.parley.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Redis Cluster of the sharded cluster scenario: {@code masters} {@code redis-server --cluster-enabled yes}
 * processes on 127.0.0.1 and free ports (no replicas, nothing persisted), in a directory under
 * benchmarks/target, joined with {@code redis-cli --cluster create}. {@link #close} stops them by PID and
 * deletes the directory; a shutdown hook does the same when the run ends early (an exception, Ctrl-C).
 */
final class RedisCluster implements AutoCloseable {
  private final Path dir;
  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> nodes = new ArrayList<>();
  private final Thread cleanup = new Thread(this::stopAndDelete, "bench-redis-cluster-cleanup");

  private RedisCluster(Path dir) {
    this.dir = dir;
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** Null when {@code redis-server} 7 or later (sharded pub/sub) and {@code redis-cli} are on the PATH, else why not. */
  static String unavailable() {
    try {
      String v = run(List.of("redis-server", "--version"), 10);
      int at = v.indexOf("v=");
      if (at < 0 || Integer.parseInt(v.substring(at + 2, v.indexOf('.', at))) < 7) {
        return "redis-server 7 or later is needed for sharded pub/sub, found: " + v.trim();
      }
      run(List.of("redis-cli", "--version"), 10);
      return null;
    } catch (IOException | RuntimeException e) {
      return "redis-server or redis-cli not found: " + e.getMessage();
    }
  }

  /** Starts {@code masters} masters and waits until each reports {@code cluster_state:ok}. */
  static RedisCluster start(int masters, Path parent) throws IOException {
    Files.createDirectories(parent);
    RedisCluster c = new RedisCluster(Files.createTempDirectory(parent, "redis-cluster-"));
    try {
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int i = 0; i < masters; i++) {
        int port = freePort(c.ports);
        Path home = c.dir.resolve(Integer.toString(port));
        Files.createDirectories(home);
        c.nodes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--appendonly", "no", "--save", "",
            "--dir", home.toString(), "--daemonize", "no", "--protected-mode", "no")
            .redirectErrorStream(true).redirectOutput(home.resolve("redis.log").toFile()).start());
        c.ports.add(port);
        create.add("127.0.0.1:" + port);
      }
      for (int port : c.ports) {
        c.await(port, "ping", "PONG");
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      run(create, 60);
      for (int port : c.ports) {
        c.await(port, "cluster info", "cluster_state:ok");
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** {@code redis://127.0.0.1:<port>} of every node, comma-separated: the seeds for REDIS_URL. */
  String seeds() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** The redis-server PIDs, for their CPU time. */
  long[] pids() {
    return nodes.stream().mapToLong(Process::pid).toArray();
  }

  private void await(int port, String command, String expected) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
      cmd.addAll(List.of(command.split(" ")));
      try {
        if (run(cmd, 10).contains(expected)) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("Redis Cluster node " + port + " did not answer " + expected + " (see " + dir + ")");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  /** A free port in 21000-29999 whose cluster bus port (+10000) is free too, not already taken. */
  private static int freePort(List<Integer> taken) throws IOException {
    for (int i = 0; i < 200; i++) {
      int port = 21000 + (int) (Math.random() * 9000);
      if (!taken.contains(port) && free(port) && free(port + 10000)) {
        return port;
      }
    }
    throw new IOException("no free port pair found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String run(List<String> cmd, int timeoutSeconds) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException(cmd + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void stopAll() {
    for (Process p : nodes) {
      p.destroy(); // SIGTERM to that PID only
    }
    for (Process p : nodes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops every node and deletes the directory. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      return; // the JVM is exiting: the hook runs anyway
    }
    stopAndDelete();
  }

  private void stopAndDelete() {
    stopAll();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // under benchmarks/target: mvn clean removes it
    }
  }
}
