package dev.parley.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The side-by-side benchmark: starts each server by its own PID, drives it with the generator, stops
 * it, rounds interleaved (A B C A B C ...), then writes docs/BENCHMARKS.md and its chart. Run it
 * through {@code scripts/bench.sh}, which builds first and passes the paths.
 */
public final class Bench {
  private Bench() {}

  static final class Config {
    boolean quick;
    int rounds = 3;
    List<String> servers = List.of("parley", "node", "netty", "floor");
    int[] idle = {5000, 19900};
    int[] fanout = {1000, 5000};
    double[] rates = {5, 50};
    int[] echo = {100, 1000};
    /** clients, rooms, senders of the many-rooms scenario; empty to skip. */
    int[] rooms = {5000, 500, 10};
    /** Polling-only clients (HTTP long-polling, never upgraded): echo sizes, fan-out sizes and their fixed rates. */
    int[] pollingEcho = {100};
    int[] pollingFanout = {1000};
    double[] pollingRates = {5};
    /** Seconds per polling scenario (shorter than {@link #seconds} to keep the full run's length). */
    int pollingSeconds = 5;
    int seconds = 10;
    /** Long enough for both JVMs to finish JIT compilation (about 25 s after start, seen with jstat). */
    int warmupSeconds = 15;
    int payload = 100;
    int port = 3917;
    int sources = 4;
    int genCheck = 1000;
    /** Clients of the cluster scenarios (spread evenly over the nodes, all in one room); empty to skip both kinds. */
    int[] cluster = {1000};
    /** Node counts on the Redis adapter (the shared Redis, {@link #redisUrl}); empty to skip. */
    int[] clusterRedisNodes = {2};
    /** Node counts on the sharded Redis adapter (a three-master Redis Cluster started for the run); empty to skip. */
    int[] clusterNodes = {1, 2, 4};
    /** Fixed broadcast rates of the cluster scenarios, per second. */
    double[] clusterRates = {5};
    /** The Redis of the cluster scenario on the Redis adapter (never flushed; channels get a prefix unique to the run). */
    String redisUrl = "redis://127.0.0.1:6379";
    /**
     * The server JVMs' flags (Parley and netty-socketio alike): none by default, as {@code scripts/scenario-server.sh}
     * starts a server (issue 23 measures cold start and memory with the scripts' default flags: no pinned heap).
     */
    String jvmFlags = "";
    Path root = Path.of(".");
    String command = "scripts/bench.sh";
    /**
     * The scenarios measured cold, each on a server started for it alone with no warm-up (issue 23):
     * {@code idle:N} (connect rate and memory of N clients), {@code fanout:N:RATE} (N clients in one room,
     * RATE broadcasts/s), {@code echo:N}; every cold run first records the time to the first connection.
     * Empty: no cold runs.
     */
    List<String> cold = List.of("idle:5000", "idle:19900", "fanout:5000:5", "echo:100", "storm:19900", "storm-ws:19900");
    /** Idle sizes whose connect rate is measured again with the {@code ws}-based generator (benchmarks/node/storm.mjs). */
    int[] idleWs = {5000, 19900};
    /** Rounds of the cold runs; 0: as many as {@link #rounds}. */
    int coldRounds;
    /** Another Parley checkout, built, measured as the server "baseline" (A/B runs of two Parley builds). */
    Path baseline;
    final List<String> args = new ArrayList<>();
  }

  /**
   * A server under test; {@code polling} false: it serves WebSocket clients only (the polling scenarios skip it);
   * {@code cluster} true: it runs on a Redis adapter given {@code ADAPTER}, {@code REDIS_URL} and
   * {@code CHANNEL_PREFIX} (the scenario server and the Node peer), so the cluster scenarios run it.
   */
  record ServerDef(String name, String label, List<String> command, Map<String, String> env, boolean jvm, boolean polling,
      boolean cluster) {
    ServerDef(String name, String label, List<String> command, Map<String, String> env, boolean jvm) {
      this(name, label, command, env, jvm, true, true);
    }
  }

  /** Server processes started and not yet stopped: stopped by PID by a shutdown hook when the run ends early. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroy), "bench-stop-servers"));
  }

  public static void main(String[] argv) throws Exception {
    Config c = parse(argv);
    Results results = new Results();
    Path logs = c.root.resolve("benchmarks/target/bench-logs");
    Files.createDirectories(logs);
    Map<String, ServerDef> defs = servers(c);
    long started = System.nanoTime();
    System.out.printf("bench: %s, rounds=%d, servers=%s, JVM server flags: %s%n",
        c.quick ? "QUICK run" : "full run", c.rounds, c.servers, c.jvmFlags);
    if (c.cluster.length > 0 && c.clusterRates.length > 0 && c.clusterNodes.length > 0
        && c.servers.stream().anyMatch(s -> defs.get(s).cluster())) {
      String why = RedisCluster.unavailable();
      if (why != null) {
        throw new IllegalStateException("the sharded cluster scenario needs a Redis Cluster: " + why
            + " (pass --cluster-nodes '' to skip it)");
      }
    }
    RedisCluster redisCluster = null;
    try {
      for (int round = 1; round <= c.rounds; round++) {
        for (String name : c.servers) {
          ServerDef def = defs.get(name);
          System.out.printf("bench: round %d/%d, %s%n", round, c.rounds, def.label());
          if (singleServerScenarios(c)) {
            try {
              runServer(c, def, results, logs.resolve(name + "-round" + round + ".log"));
            } catch (Exception e) {
              // one failed round must not lose the others: it is counted and shown in the report
              System.out.printf("bench:   %s round %d FAILED: %s%n", def.label(), round, e);
              results.add("harness", "failed server rounds", "count", true, def.label(), 1);
            }
          }
          if (!def.cluster() || c.cluster.length == 0 || c.clusterRates.length == 0) {
            continue;
          }
          for (int nodes : c.clusterRedisNodes) {
            runCluster(c, def, results, logs, round, "redis", nodes, c.redisUrl, redisPid(c.redisUrl));
          }
          if (c.clusterNodes.length > 0 && redisCluster == null) {
            redisCluster = RedisCluster.start(3, c.root.resolve("benchmarks/target"));
            System.out.printf("bench: Redis Cluster of 3 masters started for the sharded cluster scenario: %s%n",
                redisCluster.seeds());
          }
          for (int nodes : c.clusterNodes) {
            runCluster(c, def, results, logs, round, "sharded", nodes, redisCluster.seeds(), redisCluster.pids());
          }
        }
      }
    } finally {
      if (redisCluster != null) {
        redisCluster.close();
      }
    }
    // the cold runs: each scenario on a server started for it alone, measured from its first second
    int coldRounds = c.cold.isEmpty() ? 0 : c.coldRounds > 0 ? c.coldRounds : c.rounds;
    for (int round = 1; round <= coldRounds; round++) {
      for (String scenario : c.cold) {
        for (String name : c.servers) {
          ServerDef def = defs.get(name);
          System.out.printf("bench: cold round %d/%d, %s, %s%n", round, coldRounds, scenario, def.label());
          try {
            runCold(c, def, scenario, results, logs.resolve(name + "-cold-" + scenario.replace(':', '-') + "-round" + round + ".log"));
          } catch (Exception e) {
            System.out.printf("bench:   %s cold %s round %d FAILED: %s%n", def.label(), scenario, round, e);
            results.add("harness", "failed cold runs", "count", true, def.label(), 1);
          }
        }
      }
    }
    GenCheck check = c.genCheck > 0 ? genCheck(c, defs.get("parley"), logs) : null;
    double minutes = (System.nanoTime() - started) / 60e9;
    Report.write(c, defs, results, check, minutes);
    System.out.printf("bench: done in %.1f min; wrote %s%n", minutes, c.root.resolve("docs/BENCHMARKS.md"));
  }

  static void runServer(Config c, ServerDef def, Results results, Path log) throws Exception {
    Process p = start(c, def, log);
    try (Gen gen = new Gen(c.port, c.sources)) {
      Scenarios s = new Scenarios(gen, p.pid(), def.jvm(), results, def.label());
      // the same warm-up for every server
      s.echo(Math.min(100, c.echo.length > 0 ? c.echo[0] : 100), c.warmupSeconds, c.payload, false);
      s.fanout(Math.min(200, c.fanout.length > 0 ? c.fanout[0] : 200), 0, c.warmupSeconds, c.payload, false);
      for (int n : c.idle) {
        s.idle(n, 180);
      }
      for (int n : c.idleWs) {
        s.idleWs(c.root, c.port, n, c.sources, log.resolveSibling(log.getFileName().toString().replace(".log", "-idle-ws-" + n + ".log")));
      }
      for (int n : c.fanout) {
        s.fanout(n, 0, c.seconds, c.payload, true);
        for (double r : c.rates) {
          s.fanout(n, r, c.seconds, c.payload, true);
        }
      }
      if (c.rooms.length == 3) {
        s.manyRooms(c.rooms[0], c.rooms[1], c.rooms[2], c.seconds, c.payload);
      }
      for (int n : c.echo) {
        s.echo(n, c.seconds, c.payload, true);
      }
      if (def.polling() && (c.pollingEcho.length > 0 || (c.pollingFanout.length > 0 && c.pollingRates.length > 0))) {
        // the polling paths get their own short warm-up, the same for every server
        s.pollingEcho(Math.min(50, c.pollingEcho.length > 0 ? c.pollingEcho[0] : 50), Math.min(5, c.warmupSeconds),
            c.payload, false);
        for (int n : c.pollingEcho) {
          s.pollingEcho(n, c.pollingSeconds, c.payload, true);
        }
        for (int n : c.pollingFanout) {
          for (double r : c.pollingRates) {
            s.pollingFanout(n, r, c.pollingSeconds, c.payload, true);
          }
        }
      }
    } finally {
      stop(p, c.port);
    }
  }

  /**
   * One cold run: starts the server, and as soon as its port is open records the time to the first
   * connection ({@link Scenarios#firstConnection}, except before {@code idle}, whose connect rate must see
   * the server's first connections), then runs {@code scenario} (an entry of {@link Config#cold}) with no
   * warm-up, and stops the server. The figures go under the scenario name prefixed {@link Scenarios#COLD}.
   */
  static void runCold(Config c, ServerDef def, String scenario, Results results, Path log) throws Exception {
    String[] f = scenario.split(":");
    long spawned = System.nanoTime();
    Process p = start(c, def, c.port, Map.of(), log, 10);
    long portOpen = System.nanoTime();
    // a storm's 19,900 sockets and the previous storms' TIME_WAITs (60 s) get more source addresses than --sources
    try (Gen gen = new Gen(c.port, isStorm(f[0]) ? Math.max(c.sources, STORM_SOURCES) : c.sources)) {
      Scenarios s = new Scenarios(gen, p.pid(), def.jvm(), results, def.label(), Scenarios.COLD);
      switch (f[0]) {
        case "idle" -> s.idle(Integer.parseInt(f[1]), 180, false);
        case "fanout" -> {
          s.firstConnection(spawned, portOpen);
          s.fanout(Integer.parseInt(f[1]), Double.parseDouble(f[2]), c.seconds, c.payload, true);
        }
        case "echo" -> {
          s.firstConnection(spawned, portOpen);
          s.echo(Integer.parseInt(f[1]), c.seconds, c.payload, true);
        }
        case "storm", "storm-ws" -> {
          // every client at once on a server started a second ago (as after a deploy): one second after its port opened
          Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(portOpen + TimeUnit.SECONDS.toNanos(1) - System.nanoTime())));
          if (f[0].equals("storm")) {
            s.storm(Integer.parseInt(f[1]), STORM_TIMEOUT_SECONDS);
          } else {
            s.stormWs(c.root, c.port, Integer.parseInt(f[1]), STORM_TIMEOUT_SECONDS, Math.max(c.sources, STORM_SOURCES),
                log.resolveSibling(log.getFileName().toString().replace(".log", "-generator.log")));
          }
        }
        default -> throw new IllegalArgumentException("unknown cold scenario " + scenario);
      }
    } finally {
      stop(p, c.port);
    }
  }

  /** Loopback source addresses of the connect storms (at least): 127.0.0.2 to 127.0.0.17. */
  static final int STORM_SOURCES = 16;

  static boolean isStorm(String scenarioKind) {
    return scenarioKind.equals("storm") || scenarioKind.equals("storm-ws");
  }

  /** Each client's time to connect in the connect storm (SYN retransmissions at 1, 3, 7, 15, 31 s fit). */
  static final int STORM_TIMEOUT_SECONDS = 60;

  /** True when any scenario that runs against one server (idle, fan-out, rooms, echo, polling) is asked for. */
  static boolean singleServerScenarios(Config c) {
    return c.idle.length > 0 || c.idleWs.length > 0 || c.fanout.length > 0 || c.rooms.length == 3 || c.echo.length > 0
        || c.pollingEcho.length > 0 || (c.pollingFanout.length > 0 && c.pollingRates.length > 0);
  }

  /**
   * The cluster scenario of one server kind and size: {@code nodes} servers of {@code def} on ports
   * {@code --port} and up, on the Redis adapter {@code kind} ({@code redis}: the Redis adapter,
   * {@code sharded}: the sharded one) at {@code redisUrl}, with a channel prefix unique to this run,
   * server and round; the same warm-up for every server; then every client count and rate; then stops
   * them. A failure is counted in the report, as a failed single-server round is.
   */
  static void runCluster(Config c, ServerDef def, Results results, Path logs, int round, String kind, int nodes,
      String redisUrl, long[] redisPids) {
    String prefix = "parley-bench-" + ProcessHandle.current().pid() + "-" + def.name() + "-" + round + "-" + kind + nodes;
    Map<String, String> env = Map.of("ADAPTER", kind.equals("redis") ? "redis" : "redis-sharded", "REDIS_URL", redisUrl,
        "CHANNEL_PREFIX", prefix);
    List<Process> started = new ArrayList<>();
    int[] ports = new int[nodes];
    System.out.printf("bench:   cluster %s, %d %s of %s%n", kind, nodes, nodes == 1 ? "node" : "nodes", def.label());
    try {
      // launched together, then each awaited: a JVM's start-up is the longest part of a small size
      List<Path> nodeLogs = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        ports[i] = c.port + i;
        nodeLogs.add(logs.resolve(def.name() + "-round" + round + "-cluster-" + kind + "-" + nodes + "-node" + (i + 1) + ".log"));
        started.add(launch(c, def, ports[i], env, nodeLogs.get(i)));
      }
      for (int i = 0; i < nodes; i++) {
        await(def, started.get(i), ports[i], nodeLogs.get(i));
      }
      long[] pids = started.stream().mapToLong(Process::pid).toArray();
      try (Gen gen = new Gen(c.port, c.sources)) {
        Scenarios s = new Scenarios(gen, pids, ports, redisPids, def.jvm(), results, def.label());
        // the same warm-up for every server: the cluster scenario, unrecorded, at 50 broadcasts/s; longer for more
        // than two nodes, whose JIT compilers share the machine's cores
        s.cluster(kind, Math.min(200, c.cluster[0]), 50, clusterWarmupSeconds(c, nodes), c.payload, false);
        for (int n : c.cluster) {
          for (double r : c.clusterRates) {
            s.cluster(kind, n, r, c.seconds, c.payload, true);
          }
        }
      }
    } catch (Exception e) {
      System.out.printf("bench:   %s cluster %s %d nodes round %d FAILED: %s%n", def.label(), kind, nodes, round, e);
      results.add("harness", "failed server rounds", "count", true, def.label(), 1);
    } finally {
      for (int i = 0; i < started.size(); i++) {
        try {
          stop(started.get(i), ports[i]);
        } catch (Exception e) {
          System.out.printf("bench:   stopping %s pid %d: %s%n", def.label(), started.get(i).pid(), e);
        }
      }
    }
  }

  /** The cluster scenario's warm-up: {@code --warmup} seconds per two nodes (at least once). */
  static int clusterWarmupSeconds(Config c, int nodes) {
    return c.warmupSeconds * Math.max(1, (nodes + 1) / 2);
  }

  /** The PID of the redis-server at {@code url} ({@code INFO server}'s process_id), or -1 when it cannot be read here. */
  static long[] redisPid(String url) {
    URI u = URI.create(url);
    try {
      String info = RedisCluster.run(List.of("redis-cli", "-h", u.getHost(), "-p",
          Integer.toString(u.getPort() < 0 ? 6379 : u.getPort()), "info", "server"), 10);
      Matcher m = Pattern.compile("process_id:(\\d+)").matcher(info);
      if (m.find() && Files.exists(Path.of("/proc/" + m.group(1)))) {
        return new long[] {Long.parseLong(m.group(1))};
      }
    } catch (IOException | RuntimeException e) {
      // no figure for Redis then
    }
    System.out.printf("bench:   the PID of the Redis at %s is not readable here: no Redis CPU figure%n", url);
    return new long[] {-1};
  }

  static Process start(Config c, ServerDef def, Path log) throws Exception {
    return start(c, def, c.port, Map.of(), log, 100);
  }

  /** Starts {@code def} on {@code port} with {@code extraEnv} added and waits until the port answers. */
  static Process start(Config c, ServerDef def, int port, Map<String, String> extraEnv, Path log) throws Exception {
    return start(c, def, port, extraEnv, log, 100);
  }

  /** As above, polling the port every {@code pollMillis} (a cold run's start-up time is a figure). */
  static Process start(Config c, ServerDef def, int port, Map<String, String> extraEnv, Path log, long pollMillis)
      throws Exception {
    Process p = launch(c, def, port, extraEnv, log);
    await(def, p, port, log, pollMillis);
    return p;
  }

  /** Starts {@code def} on {@code port} with {@code extraEnv} added, without waiting; the port must be free. */
  static Process launch(Config c, ServerDef def, int port, Map<String, String> extraEnv, Path log) throws Exception {
    if (portOpen(port)) {
      throw new IllegalStateException("port " + port + " is already in use; pass --port");
    }
    ProcessBuilder pb = new ProcessBuilder(def.command()).directory(c.root.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(def.env());
    pb.environment().putAll(extraEnv);
    pb.environment().put("PORT", Integer.toString(port));
    Process p = pb.start();
    LIVE.add(p);
    return p;
  }

  /** Waits until {@code p} answers on {@code port} (90 s at most); else kills it and throws. */
  static void await(ServerDef def, Process p, int port, Path log) throws Exception {
    await(def, p, port, log, 100);
  }

  /** Waits until {@code p} answers on {@code port}, polling every {@code pollMillis} (90 s at most); else kills it and throws. */
  static void await(ServerDef def, Process p, int port, Path log, long pollMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!portOpen(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        LIVE.remove(p);
        throw new IllegalStateException(def.label() + " did not start; see " + log);
      }
      Thread.sleep(pollMillis);
    }
    System.out.printf("bench:   %s started, pid %d, port %d%n", def.label(), p.pid(), port);
  }

  static void stop(Process p, int port) throws Exception {
    p.destroy(); // SIGTERM to that PID only
    if (!p.waitFor(15, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    LIVE.remove(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (portOpen(port) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  static boolean portOpen(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static Map<String, ServerDef> servers(Config c) {
    List<String> flags = Arrays.stream(c.jvmFlags.trim().split("\\s+")).filter(f -> !f.isEmpty()).toList();
    Map<String, ServerDef> m = new LinkedHashMap<>();
    m.put("parley", new ServerDef("parley", "Parley", List.of("bash", "scripts/scenario-server.sh"),
        Map.of("JAVA_OPTS", c.jvmFlags), true));
    // this build with its WebSocket path forced (-Dparley.websocket.path): the A/B of Jetty's public
    // WebSocket API against Parley's own frame layer
    for (String path : List.of("public", "fast")) {
      m.put("parley-" + path, new ServerDef("parley-" + path, "Parley (" + path + " WebSocket path)",
          List.of("bash", "scripts/scenario-server.sh"),
          Map.of("JAVA_OPTS", c.jvmFlags + " -Dparley.websocket.path=" + path), true));
    }
    // this build with an observer registered (the scenario server's OBSERVER): what observing costs
    m.put("parley-observed", new ServerDef("parley-observed", "Parley (observed)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "OBSERVER", "counting"), true));
    m.put("parley-observed-all", new ServerDef("parley-observed-all", "Parley (observed, every delivery)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "OBSERVER", "deliveries"), true));
    // this build with the Micrometer binder bound (the scenario server's METRICS=on): what metrics cost
    m.put("parley-metrics", new ServerDef("parley-metrics", "Parley (Micrometer metrics)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "METRICS", "on"), true));
    // this build instrumented for the admin UI (the scenario server's ADMIN_UI): what the admin UI costs
    m.put("parley-admin", new ServerDef("parley-admin", "Parley (admin UI, development)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "ADMIN_UI", "on"), true));
    m.put("parley-admin-prod", new ServerDef("parley-admin-prod", "Parley (admin UI, production)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "ADMIN_UI", "production"), true));
    // this build without the class-data archive of scripts/train-cds.sh (the JDK's default CDS archive only),
    // and with no class-data sharing at all: what the archive buys a cold start
    m.put("parley-noarchive", new ServerDef("parley-noarchive", "Parley (no trained archive)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "PARLEY_CDS", "off"), true));
    m.put("parley-nocds", new ServerDef("parley-nocds", "Parley (-Xshare:off)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags + " -Xshare:off", "PARLEY_CDS", "off"), true));
    // this build compiled by C1 only (-XX:TieredStopAtLevel=1): compiled sooner, never by C2; what that buys cold
    // and costs warm
    m.put("parley-c1", new ServerDef("parley-c1", "Parley (C1 only)", List.of("bash", "scripts/scenario-server.sh"),
        Map.of("JAVA_OPTS", c.jvmFlags + " -XX:TieredStopAtLevel=1"), true));
    // this build with the listen backlog before acceptQueueSize was set (the JDK's 50): what the backlog buys a burst
    m.put("parley-backlog50", new ServerDef("parley-backlog50", "Parley (accept queue 50)",
        List.of("bash", "scripts/scenario-server.sh"), Map.of("JAVA_OPTS", c.jvmFlags, "ACCEPT_QUEUE", "50"), true));
    if (c.baseline != null) {
      m.put("baseline", new ServerDef("baseline", "Parley baseline", List.of("bash",
          c.baseline.resolve("scripts/scenario-server.sh").toString()), Map.of("JAVA_OPTS", c.jvmFlags), true));
    }
    m.put("node", new ServerDef("node", "Node socket.io", List.of("node", "benchmarks/node/server.mjs"), Map.of(), false));
    List<String> netty = new ArrayList<>();
    netty.add("java");
    netty.addAll(flags);
    netty.add("-cp");
    netty.add(c.root.resolve("benchmarks/target/classes") + File.pathSeparator + c.root.resolve("benchmarks/target/lib") + "/*");
    netty.add("dev.parley.bench.NettySocketIoServer");
    m.put("netty", new ServerDef("netty", "netty-socketio", netty, Map.of(), true, true, false));
    List<String> floor = new ArrayList<>(netty.subList(0, netty.size() - 1));
    floor.add("dev.parley.bench.FloorServer");
    m.put("floor", new ServerDef("floor", "wire floor", floor, Map.of(), true, false, false));
    return m;
  }

  /** The generator comparison: the same fan-out against Parley, received by this Java generator and by Node with raw ws. */
  record GenCheck(int clients, int seconds, double javaMicrosPerMsg, long javaReceived, double nodeMicrosPerMsg,
      long nodeReceived) {}

  static GenCheck genCheck(Config c, ServerDef parley, Path logs) throws Exception {
    System.out.printf("bench: generator check (%d clients, fan-out next on ack, %d s), Java then Node%n", c.genCheck, c.seconds);
    Results r = new Results();
    Process p = start(c, parley, logs.resolve("gencheck-parley.log"));
    double javaCost;
    long javaReceived;
    double nodeCost = Double.NaN;
    long nodeReceived = -1;
    try {
      try (Gen gen = new Gen(c.port, c.sources)) {
        Scenarios s = new Scenarios(gen, p.pid(), true, r, "java");
        s.fanout(Math.min(200, c.genCheck), 0, c.warmupSeconds, c.payload, false);
        s.fanout(c.genCheck, 0, c.seconds, c.payload, true);
      }
      Results.Metric cost = r.metrics.values().stream().filter(m -> m.name.startsWith("generator CPU")).findFirst().orElseThrow();
      Results.Metric rate = r.metrics.values().stream().filter(m -> m.name.equals("delivered")).findFirst().orElseThrow();
      javaCost = cost.values.get("java").get(0);
      javaReceived = Math.round(rate.values.get("java").get(0));
      ProcessBuilder pb = new ProcessBuilder("node", "benchmarks/node/gen-check.mjs").directory(c.root.toFile())
          .redirectErrorStream(true);
      pb.environment().put("PORT", Integer.toString(c.port));
      pb.environment().put("CLIENTS", Integer.toString(c.genCheck));
      pb.environment().put("SECONDS", Integer.toString(c.seconds));
      pb.environment().put("SIZE", Integer.toString(c.payload));
      Process node = pb.start();
      String out = new String(node.getInputStream().readAllBytes());
      if (!node.waitFor(c.seconds + 120L, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
      Files.writeString(logs.resolve("gencheck-node.log"), out);
      Matcher m = Pattern.compile("\"cpuMicrosPerMsg\":([0-9.eE+-]+).*\"msgPerSec\":([0-9.eE+-]+)").matcher(out);
      if (m.find()) {
        nodeCost = Double.parseDouble(m.group(1));
        nodeReceived = Math.round(Double.parseDouble(m.group(2)));
      }
    } finally {
      stop(p, c.port);
    }
    System.out.printf("bench:   generator CPU per received message: Java %.2f µs, Node ws %.2f µs%n", javaCost, nodeCost);
    return new GenCheck(c.genCheck, c.seconds, javaCost, javaReceived, nodeCost, nodeReceived);
  }

  static Config parse(String[] argv) {
    Config c = new Config();
    List<String> a = Arrays.asList(argv);
    if (a.contains("--quick")) {
      c.quick = true;
      c.rounds = 2;
      c.idle = new int[] {500};
      c.fanout = new int[] {200};
      c.rates = new double[] {5, 50};
      c.echo = new int[] {50};
      c.rooms = new int[] {200, 20, 5};
      c.seconds = 3;
      c.warmupSeconds = 2;
      c.genCheck = 200;
      c.pollingEcho = new int[] {20};
      c.pollingFanout = new int[] {100};
      c.pollingRates = new double[] {5};
      c.pollingSeconds = 3;
      c.cluster = new int[] {100};
      c.clusterNodes = new int[] {1, 2};
      c.cold = List.of("idle:500", "fanout:200:5", "echo:50", "storm:500", "storm-ws:500");
      c.idleWs = new int[] {500};
    }
    for (int i = 0; i < argv.length; i++) {
      String k = argv[i];
      if (k.equals("--quick")) {
        c.args.add(k);
        continue;
      }
      if (i + 1 >= argv.length) {
        throw new IllegalArgumentException("missing value after " + k);
      }
      String v = argv[++i];
      switch (k) {
        case "--rounds" -> c.rounds = Integer.parseInt(v);
        case "--servers" -> c.servers = List.of(v.split(","));
        case "--baseline" -> c.baseline = Path.of(v).toAbsolutePath();
        case "--idle" -> c.idle = ints(v);
        case "--idle-ws" -> c.idleWs = ints(v);
        case "--fanout" -> c.fanout = ints(v);
        case "--rates" -> c.rates = doubles(v);
        case "--echo" -> c.echo = ints(v);
        case "--rooms" -> c.rooms = v.isEmpty() ? new int[0] : Arrays.stream(v.split(":")).mapToInt(Integer::parseInt).toArray();
        case "--polling-echo" -> c.pollingEcho = ints(v);
        case "--polling-fanout" -> c.pollingFanout = ints(v);
        case "--polling-rates" -> c.pollingRates = doubles(v);
        case "--polling-seconds" -> c.pollingSeconds = Integer.parseInt(v);
        case "--seconds" -> c.seconds = Integer.parseInt(v);
        case "--warmup" -> c.warmupSeconds = Integer.parseInt(v);
        case "--payload" -> c.payload = Integer.parseInt(v);
        case "--port" -> c.port = Integer.parseInt(v);
        case "--sources" -> c.sources = Integer.parseInt(v);
        case "--gencheck" -> c.genCheck = Integer.parseInt(v);
        case "--jvm-flags" -> c.jvmFlags = v;
        case "--cluster" -> c.cluster = ints(v);
        case "--cluster-redis-nodes" -> c.clusterRedisNodes = ints(v);
        case "--cluster-nodes" -> c.clusterNodes = ints(v);
        case "--cluster-rates" -> c.clusterRates = doubles(v);
        case "--redis" -> c.redisUrl = v;
        case "--cold-rounds" -> c.coldRounds = Integer.parseInt(v);
        case "--cold" -> c.cold = v.isEmpty() ? List.of() : List.of(v.split(","));
        case "--root" -> c.root = Path.of(v).toAbsolutePath().normalize();
        case "--command" -> c.command = v;
        default -> throw new IllegalArgumentException("unknown option " + k);
      }
      if (!k.equals("--root") && !k.equals("--command")) {
        c.args.add(k);
        c.args.add(v);
      }
    }
    if (c.rooms.length != 0 && (c.rooms.length != 3 || c.rooms[1] < 1 || c.rooms[2] < 1)) {
      throw new IllegalArgumentException("--rooms takes clients:rooms:senders, e.g. 5000:500:10");
    }
    if (c.coldRounds < 0 || c.coldRounds > 50) {
      throw new IllegalArgumentException("--cold-rounds must be 0..50 (0: as many as --rounds)");
    }
    if (c.rounds < 1 || c.rounds > 50 || c.seconds < 1 || c.seconds > 600 || c.pollingSeconds < 1 || c.pollingSeconds > 600) {
      throw new IllegalArgumentException("rounds must be 1..50, seconds and polling seconds 1..600");
    }
    for (double r : c.clusterRates) {
      if (!(r > 0 && r <= 1000)) {
        throw new IllegalArgumentException("--cluster-rates takes fixed rates in (0, 1000] broadcasts/s");
      }
    }
    for (int n : concat(c.clusterNodes, c.clusterRedisNodes)) {
      if (n < 1 || n > 16) {
        throw new IllegalArgumentException("--cluster-nodes and --cluster-redis-nodes take node counts 1..16");
      }
    }
    for (int n : c.cluster) {
      if (n < 1) {
        throw new IllegalArgumentException("--cluster takes client counts of at least 1");
      }
    }
    for (double r : c.pollingRates) {
      if (!(r > 0 && r <= 1000)) {
        throw new IllegalArgumentException("--polling-rates takes fixed rates in (0, 1000] broadcasts/s");
      }
    }
    for (String s : c.cold) {
      if (!s.matches("idle:\\d+|echo:\\d+|fanout:\\d+:[0-9.]+|storm:\\d+|storm-ws:\\d+")) {
        throw new IllegalArgumentException("--cold takes a comma-separated list of idle:N, fanout:N:RATE, echo:N, storm:N, "
            + "storm-ws:N, e.g. idle:5000,idle:19900,fanout:5000:5,echo:100,storm:19900,storm-ws:19900 (the default); '' for none");
      }
    }
    for (String s : c.servers) {
      if (s.equals("baseline") && c.baseline == null) {
        throw new IllegalArgumentException("server baseline needs --baseline DIR (another Parley checkout, built)");
      }
      if (!List.of("parley", "parley-public", "parley-fast", "parley-observed", "parley-observed-all", "parley-metrics",
          "parley-admin", "parley-admin-prod", "parley-noarchive", "parley-nocds", "parley-c1", "parley-backlog50", "node", "netty",
          "floor", "baseline")
          .contains(s)) {
        throw new IllegalArgumentException("unknown server " + s
            + " (parley, parley-public, parley-fast, parley-observed, parley-observed-all, parley-metrics, parley-admin, "
            + "parley-admin-prod, parley-noarchive, parley-nocds, parley-c1, parley-backlog50, node, netty, floor, baseline)");
      }
    }
    return c;
  }

  private static double[] doubles(String v) {
    return v.isEmpty() ? new double[0] : Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int[] ints(String v) {
    return v.isEmpty() ? new int[0] : Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
