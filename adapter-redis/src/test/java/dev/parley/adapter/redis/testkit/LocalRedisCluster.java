package dev.parley.adapter.redis.testkit;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster for a test, on 127.0.0.1 and free ports: {@code redis-server --cluster-enabled yes}
 * processes in a temporary directory, joined with {@code redis-cli --cluster create}, stopped (and the
 * directory deleted) by {@link #close}, or when the JVM exits. A node can be killed and started again
 * (it rejoins from its nodes.conf).
 *
 * <pre>{@code
 * assumeTrue(LocalRedisCluster.available());
 * try (LocalRedisCluster cluster = LocalRedisCluster.start(3, 1)) {
 *   String seeds = cluster.seeds();   // "redis://127.0.0.1:p1,redis://127.0.0.1:p2,..."
 * }
 * }</pre>
 */
public final class LocalRedisCluster implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();
  private final Thread cleanup = new Thread(this::stopAll, "local-redis-cluster-cleanup");

  private LocalRedisCluster(Path dir) {
    this.dir = dir;
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** True when {@code redis-server} and {@code redis-cli} 7 or later are on the PATH. */
  public static boolean available() {
    try {
      String v = run(List.of("redis-server", "--version"), Duration.ofSeconds(10));
      int at = v.indexOf("v=");
      return at >= 0 && Integer.parseInt(v.substring(at + 2, v.indexOf('.', at))) >= 7
          && run(List.of("redis-cli", "--version"), Duration.ofSeconds(10)).contains("redis-cli");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Starts {@code masters} masters with {@code replicas} replicas each (node timeout 1 s, so a replica
   * takes over a killed master within seconds) and waits until every node reports {@code cluster_state:ok}.
   */
  public static LocalRedisCluster start(int masters, int replicas) throws IOException {
    LocalRedisCluster c = new LocalRedisCluster(Files.createTempDirectory("parley-redis-cluster-"));
    try {
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int i = 0; i < masters * (1 + replicas); i++) {
        int port = freePort();
        c.launch(port);
        create.add("127.0.0.1:" + port);
      }
      for (int port : c.nodes.keySet()) {
        c.awaitPing(port);
      }
      create.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
      run(create, WAIT);
      c.awaitOk();
      return c;
    } catch (IOException | RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /** The ports of the nodes, in start order. */
  public List<Integer> ports() {
    return new ArrayList<>(nodes.keySet());
  }

  /** {@code redis://127.0.0.1:<port>} of every node, comma-separated: seeds for a cluster client. */
  public String seeds() {
    return nodes.keySet().stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** The ports of the masters that are up now, with their node ids, as node {@code askPort} sees them. */
  public Map<Integer, String> masters(int askPort) throws IOException {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (String line : cli(askPort, "cluster", "nodes").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 2 && f[2].contains("master") && !f[2].contains("fail")) {
        String address = f[1].substring(0, f[1].indexOf('@'));
        out.put(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)), f[0]);
      }
    }
    return out;
  }

  /** The port of the master that serves hash slot {@code slot}, as node {@code askPort} sees it. */
  public int ownerOf(int slot, int askPort) throws IOException {
    for (String line : cli(askPort, "cluster", "nodes").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length <= 8 || !f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being imported or migrated
        }
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        if (from <= slot && slot <= to) {
          String address = f[1].substring(0, f[1].indexOf('@'));
          return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /**
   * Moves hash slot {@code slot} (which must hold no keys) from master {@code fromPort} to master
   * {@code toPort} as a resharding does: IMPORTING, MIGRATING, then {@code CLUSTER SETSLOT slot NODE} on
   * every master. Redis then unsubscribes the slot's shard channels on the old owner.
   */
  public void moveSlot(int slot, int fromPort, int toPort) throws IOException {
    Map<Integer, String> masters = masters(fromPort);
    String from = masters.get(fromPort);
    String to = masters.get(toPort);
    String s = Integer.toString(slot);
    cli(toPort, "cluster", "setslot", s, "importing", from);
    cli(fromPort, "cluster", "setslot", s, "migrating", to);
    cli(toPort, "cluster", "setslot", s, "node", to);
    cli(fromPort, "cluster", "setslot", s, "node", to);
    for (int port : masters.keySet()) {
      if (port != fromPort && port != toPort) {
        cli(port, "cluster", "setslot", s, "node", to);
      }
    }
  }

  /** Kills node {@code port} at once (SIGKILL): its connections drop, its replica takes over. */
  public void kill(int port) throws InterruptedException {
    Process p = nodes.get(port);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts a killed node again; it rejoins the cluster (as a replica of whoever took over). */
  public void restart(int port) throws IOException {
    launch(port);
    awaitPing(port);
  }

  /** Waits until every running node reports {@code cluster_state:ok}. */
  public void awaitOk() throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (Map.Entry<Integer, Process> n : nodes.entrySet()) {
      if (!n.getValue().isAlive()) {
        continue;
      }
      while (!cli(n.getKey(), "cluster", "info").contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Redis Cluster node " + n.getKey() + " not ok");
        }
        sleep(100);
      }
    }
  }

  /** The output of {@code redis-cli -p port args...}. */
  public static String cli(int port, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    cmd.addAll(List.of(args));
    return run(cmd, Duration.ofSeconds(10));
  }

  private void launch(int port) throws IOException {
    Path home = dir.resolve(Integer.toString(port));
    Files.createDirectories(home);
    ProcessBuilder pb = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
        "--cluster-replica-validity-factor", "0", "--appendonly", "no", "--save", "", "--dir", home.toString(),
        "--daemonize", "no", "--protected-mode", "no")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("redis.log").toFile()));
    nodes.put(port, pb.start());
  }

  private void awaitPing(int port) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] b = new byte[7];
        if (s.getInputStream().read(b) > 0 && new String(b, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline || !nodes.get(port).isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " did not start (see " + dir.resolve(Integer.toString(port)) + ")");
      }
      sleep(50);
    }
  }

  /** A port that is free, and whose cluster bus port (+10000) is free too. */
  private static int freePort() throws IOException {
    for (int i = 0; i < 200; i++) {
      int port = ThreadLocalRandom.current().nextInt(20000, 30000);
      if (free(port) && free(port + 10000)) {
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

  private static String run(List<String> cmd, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void stopAll() {
    for (Process p : nodes.values()) {
      p.destroyForcibly();
    }
    for (Process p : nodes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops every node and deletes the directory. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs anyway
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a temporary directory: the OS cleans it up
    }
  }
}
