package dev.parley.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scenarios, each against one running server (by PID) with one generator, or, for the cluster
 * scenario, against several servers on one Redis adapter (their PIDs and ports, and the PIDs of the
 * redis-server processes). Every loop is bounded in count and in time. Figures go into {@link Results}
 * under the given server name.
 */
final class Scenarios {
  private final Gen gen;
  private final long pid;
  /** Every server process whose CPU a room scenario sums: {@code pid} alone, or the cluster's nodes. */
  private final long[] pids;
  /** The cluster's ports (clients spread evenly, the broadcaster on the first); null: the generator's one port. */
  private final int[] ports;
  /** The redis-server processes of a cluster scenario, their CPU reported apart from the servers'. */
  private final long[] redisPids;
  private final boolean jvm;
  private final Results results;
  private final String server;
  /** Put before every scenario name: "" for the warm runs, {@link #COLD} for a server started for one scenario. */
  private final String prefix;

  /** The prefix of the scenarios measured on a cold server (started for that scenario alone, no warm-up). */
  static final String COLD = "cold: ";

  Scenarios(Gen gen, long pid, boolean jvm, Results results, String server) {
    this(gen, pid, jvm, results, server, "");
  }

  Scenarios(Gen gen, long pid, boolean jvm, Results results, String server, String prefix) {
    this.gen = gen;
    this.pid = pid;
    this.pids = new long[] {pid};
    this.ports = null;
    this.redisPids = new long[0];
    this.jvm = jvm;
    this.results = results;
    this.server = server;
    this.prefix = prefix;
  }

  /** The cluster scenario's: servers {@code pids} listening on {@code ports} (same order), on Redis {@code redisPids}. */
  Scenarios(Gen gen, long[] pids, int[] ports, long[] redisPids, boolean jvm, Results results, String server) {
    this.gen = gen;
    this.pid = pids[0];
    this.pids = pids.clone();
    this.ports = ports.clone();
    this.redisPids = redisPids.clone();
    this.jvm = jvm;
    this.results = results;
    this.server = server;
    this.prefix = "";
  }

  /** utime + stime summed over {@code ps} in microseconds, -1 when one cannot be read. */
  static long cpuMicros(long[] ps) {
    long sum = 0;
    for (long p : ps) {
      long v = Proc.cpuMicros(p);
      if (v < 0) {
        return -1;
      }
      sum += v;
    }
    return sum;
  }

  private void put(String scenario, String metric, String unit, boolean lowerIsBetter, double value) {
    results.add(prefix + scenario, metric, unit, lowerIsBetter, server, value);
  }

  /**
   * Time to first connection of a server just started: {@code portNanos} after the process was spawned its
   * port accepted a TCP connection; now one Socket.IO client connects (namespace connect answered), and the
   * time from the spawn to that is recorded, with the time to the open port.
   */
  void firstConnection(long spawnedNanos, long portNanos) throws Exception {
    String sc = "start";
    List<Client> one = gen.connect(1, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    long t = System.nanoTime();
    put(sc, "time to open port", "ms", true, (portNanos - spawnedNanos) / 1e6);
    put(sc, "time to first connection", "ms", true, one.isEmpty() ? Double.NaN : (t - spawnedNanos) / 1e6);
    put(sc, "failed connections", "count", true, 1 - one.size());
    Gen.closeAll(one);
  }

  /** A payload of exactly {@code size} characters that starts with the send time in microseconds. */
  static String payload(int size) {
    StringBuilder b = new StringBuilder(size).append(System.nanoTime() / 1000).append('|');
    while (b.length() < size) {
      b.append('x');
    }
    return b.toString();
  }

  /** Idle connections: connect rate, then RSS and heap growth per connection once settled. */
  void idle(int n, long timeoutSec) throws Exception {
    idle(n, timeoutSec, true);
  }

  /**
   * {@link #idle(int, long)}; {@code heap} false leaves out the heap figure, whose full GC through {@code jcmd}
   * before the connects would delay them and load the attach machinery into a server measured cold.
   */
  void idle(int n, long timeoutSec, boolean heap) throws Exception {
    String sc = "idle " + n;
    boolean jvm = this.jvm && heap;
    // the full GC first: with a heap that is not pinned, G1 gives memory back after it, which read after rss0 would
    // make the growth negative
    long heap0 = jvm ? Proc.heapAfterGcKib(pid) : -1;
    long rss0 = Proc.rssKib(pid);
    long t0 = System.nanoTime();
    List<Client> conns = gen.connect(n, 256, t0 + TimeUnit.SECONDS.toNanos(timeoutSec));
    long t1 = System.nanoTime();
    Thread.sleep(2000);
    long rss1 = Proc.rssKib(pid);
    long heap1 = jvm ? Proc.heapAfterGcKib(pid) : -1;
    long rss2 = jvm ? Proc.rssKib(pid) : -1;
    int ok = conns.size();
    put(sc, "connect rate", "conn/s", false, ok / ((t1 - t0) / 1e9));
    put(sc, "server RSS per connection", "KiB", true, ok == 0 ? Double.NaN : (rss1 - rss0) / (double) ok);
    if (jvm) {
      // what stays once the connects' garbage is collected (and, heap not pinned, the freed heap given back)
      put(sc, "server RSS per connection (after GC)", "KiB", true, ok == 0 ? Double.NaN : (rss2 - rss0) / (double) ok);
      put(sc, "server heap per connection (after GC)", "KiB", true, ok == 0 ? Double.NaN : (heap1 - heap0) / (double) ok);
    }
    put(sc, "failed connections", "count", true, n - ok);
    Gen.closeAll(conns);
  }

  /** The rooms of the connect storm: client {@code i} joins {@code "s" + (i % STORM_ROOMS)}. */
  static final int STORM_ROOMS = 100;

  /**
   * Connect storm (issue 23): {@code n} WebSocket clients opened at once, with no limit on handshakes in
   * flight, as when every client of a restarted server reconnects; each emits {@code join} for its room
   * (one of {@link #STORM_ROOMS}) as soon as its namespace connect is answered. Records the time from the
   * first TCP connect to the last join ack, and the server CPU spent meanwhile. Each client has
   * {@code timeoutSec} to connect (a SYN dropped by a full accept queue is retransmitted after 1, 3, 7 s...);
   * the storm as a whole gets twice that.
   */
  void storm(int n, int timeoutSec) throws Exception {
    String sc = "connect storm " + n + " clients, Java generator";
    AtomicLong lastJoin = new AtomicLong();
    CountDownLatch joined = new CountDownLatch(n);
    AtomicInteger nextRoom = new AtomicInteger();
    int errors0 = gen.stats.errors.get() + gen.stats.disconnects.get();
    long cpu0 = cpuMicros(pids);
    long gcpu0 = Proc.selfCpuMicros();
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.SECONDS.toNanos(2L * timeoutSec);
    List<Client> conns = gen.connect(n, n, deadline, Gen.Transport.WEBSOCKET, new int[] {gen.port()}, timeoutSec,
        c -> c.emitWithAck("\"join\",\"s" + (nextRoom.getAndIncrement() % STORM_ROOMS) + "\"", a -> {
          lastJoin.accumulateAndGet(System.nanoTime(), Math::max);
          joined.countDown();
        }));
    joined.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    long cpu1 = cpuMicros(pids);
    long gcpu1 = Proc.selfCpuMicros();
    int ok = (int) (n - joined.getCount());
    recordStorm(sc, n, ok, ok == 0 ? Double.NaN : (lastJoin.get() - t0) / 1e9, cpuSpent(cpu0, cpu1),
        gen.stats.errors.get() + gen.stats.disconnects.get() - errors0);
    put(sc, "generator CPU per connection", "µs", true, ok == 0 ? Double.NaN : (gcpu1 - gcpu0) / (double) ok);
    Gen.closeAll(conns);
  }

  /** What {@code benchmarks/node/storm.mjs} reported, and the server CPU spent until it did (NaN: unknown). */
  record NodeConnect(int clients, int done, int errors, double seconds, double serverCpuMicros, double generatorCpuMicros) {}

  /**
   * Runs {@code benchmarks/node/storm.mjs} (the {@code ws}-based generator) against {@code port}: {@code n} clients,
   * at most {@code inFlight} handshakes at a time, each joining its room when {@code join}; the server's CPU is
   * read when the script prints its result, before it closes the sockets. Its output goes to {@code log}.
   */
  NodeConnect nodeConnect(Path root, int port, int n, int inFlight, boolean join, int timeoutSec,
      int sources, Path log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("node", "benchmarks/node/storm.mjs").directory(root.toFile())
        .redirectErrorStream(true);
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("CLIENTS", Integer.toString(n));
    pb.environment().put("INFLIGHT", Integer.toString(inFlight));
    pb.environment().put("JOIN", join ? "1" : "0");
    pb.environment().put("TIMEOUT", Integer.toString(timeoutSec));
    pb.environment().put("SOURCES", Integer.toString(sources));
    long cpu0 = cpuMicros(pids);
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    double cpu = Double.NaN;
    String result = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (result == null && line.startsWith("{")) {
          cpu = cpuSpent(cpu0, cpuMicros(pids));
          result = line;
        }
        out.append(line).append('\n');
      }
    } finally {
      if (!p.waitFor(timeoutSec + 30L, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Files.writeString(log, out);
    }
    if (result == null) {
      throw new IllegalStateException("benchmarks/node/storm.mjs printed no result; see " + log);
    }
    Matcher m = Pattern.compile(
        "\"done\":(\\d+).*\"errors\":(\\d+),\"seconds\":([0-9.eE+-]+|null)").matcher(result);
    if (!m.find()) {
      throw new IllegalStateException("unreadable result of benchmarks/node/storm.mjs: " + result);
    }
    double seconds = m.group(3).equals("null") ? Double.NaN : Double.parseDouble(m.group(3));
    Matcher g = Pattern.compile("\"generatorCpuMicros\":([0-9.eE+-]+)").matcher(result);
    double generatorCpu = g.find() ? Double.parseDouble(g.group(1)) : Double.NaN;
    return new NodeConnect(n, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), seconds, cpu, generatorCpu);
  }

  /** The connect storm driven by {@code benchmarks/node/storm.mjs}: every client at once, each joining its room. */
  void stormWs(Path root, int port, int n, int timeoutSec, int sources, Path log)
      throws Exception {
    NodeConnect r = nodeConnect(root, port, n, n, true, 2 * timeoutSec, sources, log);
    String sc = "connect storm " + n + " clients, ws generator";
    recordStorm(sc, n, r.done(), r.seconds(), r.serverCpuMicros(), r.errors());
    // one Node thread does every client's handshake: when it is busy all along, it, not the server, sets the pace
    put(sc, "generator CPU per connection", "µs", true, r.done() == 0 ? Double.NaN : r.generatorCpuMicros() / r.done());
  }

  /**
   * The idle scenario's connect rate as a {@code ws}-based client sees it (benchmarks/node/storm.mjs, 256
   * handshakes in flight as the Java generator's, no join), recorded under "idle N".
   */
  void idleWs(Path root, int port, int n, int sources, Path log) throws Exception {
    NodeConnect r = nodeConnect(root, port, n, 256, false, 180, sources, log);
    String sc = "idle " + n;
    put(sc, "connect rate, ws generator", "conn/s", false, r.done() == 0 ? Double.NaN : r.done() / r.seconds());
    put(sc, "failed connections, ws generator", "count", true, n - r.done());
    Thread.sleep(Math.min(3000, 200 + n / 10)); // the script has closed its sockets: let the server notice
  }

  /**
   * The connect storm's figures, from this generator or from another ({@code benchmarks/node/storm.mjs}):
   * {@code joined} of {@code n} clients connected and in their room after {@code seconds}, the server having
   * spent {@code cpuMicros} (NaN: unknown) meanwhile.
   */
  void recordStorm(String sc, int n, int joined, double seconds, double cpuMicros, int errors) {
    put(sc, "time until all connected and joined", "s", true, joined < n ? Double.NaN : seconds);
    put(sc, "connected and joined per second", "conn/s", false, joined == 0 ? Double.NaN : joined / seconds);
    put(sc, "server CPU per connection", "µs", true, joined == 0 ? Double.NaN : cpuMicros / joined);
    put(sc, "failed connections or joins", "count", true, n - joined);
    put(sc, "errors and disconnects", "count", true, errors);
  }

  /**
   * Room fan-out: {@code n} clients in room "r", one more client (not in the room) broadcasting
   * {@code size}-character payloads, either the next one on each ack ({@code rate <= 0}) or at a
   * fixed rate per second, for {@code seconds}.
   */
  void fanout(int n, double rate, int seconds, int size, boolean record) throws Exception {
    String sc = "fan-out " + n + " clients, " + (rate <= 0 ? "next on ack" : fmt(rate) + " broadcasts/s");
    rooms(sc, n, 1, 1, rate, seconds, size, record, Gen.Transport.WEBSOCKET);
  }

  /**
   * Room fan-out to polling-only clients: {@code n} long-polling clients in room "r", the broadcaster
   * a WebSocket client (not in the room), at a fixed rate (or next on ack when {@code rate <= 0}).
   */
  void pollingFanout(int n, double rate, int seconds, int size, boolean record) throws Exception {
    String sc = "polling: fan-out " + n + " clients, " + (rate <= 0 ? "next on ack" : fmt(rate) + " broadcasts/s")
        + ", broadcaster on WebSocket";
    rooms(sc, n, 1, 1, rate, seconds, size, record, Gen.Transport.POLLING);
  }

  /**
   * Many rooms: {@code n} clients spread evenly over {@code roomCount} rooms, {@code senderCount}
   * clients (in no room) each broadcasting next on ack, cycling over the rooms, for {@code seconds}.
   */
  void manyRooms(int n, int roomCount, int senderCount, int seconds, int size) throws Exception {
    String sc = "many rooms: " + n + " clients in " + roomCount + " rooms, " + senderCount + " senders, next on ack";
    rooms(sc, n, roomCount, senderCount, 0, seconds, size, true, Gen.Transport.WEBSOCKET);
  }

  /**
   * The cluster scenario: {@code n} clients spread evenly over the cluster's nodes, all in room "r",
   * one more client (not in the room) on the first node broadcasting {@code size}-character payloads to
   * the room at a fixed {@code rate} per second for {@code seconds}. Server CPU is summed over every
   * node; the redis-server processes' CPU is reported apart.
   */
  void cluster(String kind, int n, double rate, int seconds, int size, boolean record) throws Exception {
    String sc = "cluster " + kind + " " + ports.length + (ports.length == 1 ? " node" : " nodes") + ", " + n
        + " clients, " + fmt(rate) + " broadcasts/s";
    rooms(sc, n, 1, 1, rate, seconds, size, record, Gen.Transport.WEBSOCKET);
  }

  /** The room scenarios; the {@code n} room members use {@code transport}, the senders WebSocket. */
  private void rooms(String sc, int n, int roomCount, int senderCount, double rate, int seconds, int size, boolean record,
      Gen.Transport transport) throws Exception {
    List<Client> conns = ports == null
        ? gen.connect(n, 256, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), transport)
        : gen.connect(n, 256, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), transport, ports);
    List<Client> senders = ports == null
        ? gen.connect(senderCount, senderCount, System.nanoTime() + TimeUnit.SECONDS.toNanos(20))
        : gen.connect(senderCount, senderCount, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), Gen.Transport.WEBSOCKET,
            new int[] {ports[0]});
    if (senders.size() < senderCount || conns.isEmpty()) {
      put(sc, "failed connections", "count", true, n + senderCount - conns.size() - senders.size());
      Gen.closeAll(conns);
      Gen.closeAll(senders);
      return;
    }
    CountDownLatch joined = new CountDownLatch(conns.size());
    long[] roomSize = new long[roomCount];
    for (int i = 0; i < conns.size(); i++) {
      roomSize[i % roomCount]++;
      conns.get(i).emitWithAck("\"join\",\"r" + (i % roomCount) + "\"", a -> joined.countDown());
    }
    boolean allJoined = joined.await(60, TimeUnit.SECONDS);
    double restMillisPerSecond = Double.NaN;
    if (ports != null) {
      // a join is acked before the node's subscription to the room's channel (sharded adapter) is confirmed; the
      // pause also gives the nodes' CPU at rest, clients connected: what a low fixed rate's per-message CPU carries
      long rest0 = cpuMicros(pids);
      long restT0 = System.nanoTime();
      Thread.sleep(2000);
      long rest1 = cpuMicros(pids);
      if (rest0 >= 0 && rest1 >= 0) {
        restMillisPerSecond = (rest1 - rest0) / 1000.0 / ((System.nanoTime() - restT0) / 1e9);
      }
    }
    int members = conns.size();
    Recorder rec = new Recorder(4_000_000);
    Client.TickListener onTick = (buf, off, len) -> {
      long now = System.nanoTime() / 1000;
      // 42["tick","<send time in µs>|xxx..."]: the digits after the first ,"
      int i = off + 2;
      int end = off + len;
      while (i + 1 < end && !(buf[i] == ',' && buf[i + 1] == '"')) {
        i++;
      }
      long ts = 0;
      for (i += 2; i < end && buf[i] >= '0' && buf[i] <= '9'; i++) {
        ts = ts * 10 + (buf[i] - '0');
      }
      rec.record(now - ts);
    };
    for (Client c : conns) {
      c.tickListener = onTick;
    }
    int errors0 = gen.stats.errors.get() + gen.stats.disconnects.get();
    long requests0 = gen.stats.httpRequests.get();
    long connects0 = gen.stats.httpConnects.get();
    AtomicLong sent = new AtomicLong();
    AtomicLong expectedCount = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    long maxBroadcasts = rate <= 0 ? 1_000_000 : (long) Math.ceil(rate * seconds);
    long redis0 = cpuMicros(redisPids);
    long cpu0 = cpuMicros(pids);
    long gcpu0 = Proc.selfCpuMicros();
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(1);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      if (rate <= 0) {
        CountDownLatch sendersDone = new CountDownLatch(senders.size());
        for (int j = 0; j < senders.size(); j++) {
          Client sender = senders.get(j);
          int first = j;
          long[] turn = {0};
          Runnable[] next = new Runnable[1];
          next[0] = () -> {
            if (System.nanoTime() < end && sent.get() < maxBroadcasts && !sender.closed) {
              int room = (int) ((first + turn[0]++ * senders.size()) % roomCount);
              sent.incrementAndGet();
              expectedCount.addAndGet(roomSize[room]);
              sender.emitWithAck("\"broadcast\",\"r" + room + "\",\"" + payload(size) + "\"", a -> {
                acked.incrementAndGet();
                next[0].run();
              });
            } else {
              sendersDone.countDown();
            }
          };
          next[0].run();
        }
        sendersDone.await(seconds + 10L, TimeUnit.SECONDS);
        done.countDown();
      } else {
        long periodNanos = (long) (1e9 / rate);
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = timer.scheduleAtFixedRate(() -> {
          Client sender = senders.get(0);
          if (System.nanoTime() < end && sent.get() < maxBroadcasts && !sender.closed) {
            int room = (int) (sent.getAndIncrement() % roomCount);
            expectedCount.addAndGet(roomSize[room]);
            sender.emitWithAck("\"broadcast\",\"r" + room + "\",\"" + payload(size) + "\"", a -> acked.incrementAndGet());
          } else {
            done.countDown();
            task[0].cancel(false);
          }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
      }
      done.await(seconds + 10L, TimeUnit.SECONDS);
      // drain: until everything arrived, or no progress for 3 s, or 20 s at most
      long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      long expected = expectedCount.get();
      long lastCount = -1;
      long lastProgress = System.nanoTime();
      while (rec.count.get() < expected && System.nanoTime() < drainEnd
          && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(3)) {
        long c = rec.count.get();
        if (c != lastCount) {
          lastCount = c;
          lastProgress = System.nanoTime();
        }
        Thread.sleep(20);
      }
    } finally {
      timer.shutdownNow();
    }
    long cpu1 = cpuMicros(pids);
    long redis1 = cpuMicros(redisPids);
    long gcpu1 = Proc.selfCpuMicros();
    long delivered = rec.count.get();
    long expected = expectedCount.get();
    long last = Math.max(rec.lastNanos, t0 + 1);
    if (record) {
      double[] p = rec.percentilesMillis();
      put(sc, "delivered", "msg/s", false, delivered / ((last - t0) / 1e9));
      put(sc, "server CPU per delivered message", "µs", true,
          delivered == 0 || cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / (double) delivered);
      if (ports != null) {
        put(sc, "server CPU at rest before, clients connected", "ms/s", true, restMillisPerSecond);
      }
      if (redisPids.length > 0) {
        put(sc, "Redis CPU per delivered message (not in the server's)", "µs", true,
            delivered == 0 || redis0 < 0 || redis1 < 0 ? Double.NaN : (redis1 - redis0) / (double) delivered);
      }
      put(sc, "latency p50", "ms", true, p[0]);
      put(sc, "latency p90", "ms", true, p[1]);
      put(sc, "latency p99", "ms", true, p[2]);
      put(sc, "latency max", "ms", true, p[3]);
      put(sc, "lost messages", "count", true, expected - delivered);
      put(sc, "failed connections or joins", "count", true, (n - members) + (allJoined ? 0 : 1));
      put(sc, "errors and disconnects", "count", true, gen.stats.errors.get() + gen.stats.disconnects.get() - errors0);
      put(sc, "generator CPU per received message", "µs", true, delivered == 0 ? Double.NaN : (gcpu1 - gcpu0) / (double) delivered);
      if (transport == Gen.Transport.POLLING) {
        long requests = gen.stats.httpRequests.get() - requests0;
        put(sc, "HTTP connections opened per request", "ratio", true,
            requests == 0 ? Double.NaN : (gen.stats.httpConnects.get() - connects0) / (double) requests);
      }
    }
    Gen.closeAll(conns);
    Gen.closeAll(senders);
  }

  /** Echo with ack: {@code n} WebSocket clients, each with one echo outstanding, for {@code seconds}. */
  void echo(int n, int seconds, int size, boolean record) throws Exception {
    echo("echo with ack, " + n + " clients", n, seconds, size, record, Gen.Transport.WEBSOCKET);
  }

  /**
   * Echo with ack over polling only: {@code n} long-polling clients, each with one echo outstanding
   * (POSTed; the ack comes back on the pending GET), for {@code seconds}.
   */
  void pollingEcho(int n, int seconds, int size, boolean record) throws Exception {
    echo("polling: echo with ack, " + n + " clients", n, seconds, size, record, Gen.Transport.POLLING);
  }

  private void echo(String sc, int n, int seconds, int size, boolean record, Gen.Transport transport) throws Exception {
    List<Client> conns = gen.connect(n, 256, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), transport);
    Recorder rec = new Recorder(4_000_000);
    int errors0 = gen.stats.errors.get() + gen.stats.disconnects.get();
    long requests0 = gen.stats.httpRequests.get();
    long connects0 = gen.stats.httpConnects.get();
    long cpu0 = Proc.cpuMicros(pid);
    long gcpu0 = Proc.selfCpuMicros();
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong sent = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(conns.size());
    String pad = payload(size);
    for (Client c : conns) {
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (System.nanoTime() < end && !c.closed) {
          long at = System.nanoTime();
          sent.incrementAndGet();
          c.emitWithAck("\"echo\",\"" + pad + "\"", a -> {
            rec.record((System.nanoTime() - at) / 1000);
            next[0].run();
          });
        } else {
          finished.countDown();
        }
      };
      next[0].run();
    }
    finished.await(seconds + 10L, TimeUnit.SECONDS);
    long t1 = System.nanoTime();
    long cpu1 = Proc.cpuMicros(pid);
    long gcpu1 = Proc.selfCpuMicros();
    long acks = rec.count.get();
    if (record) {
      double[] p = rec.percentilesMillis();
      put(sc, "acks", "acks/s", false, acks / ((t1 - t0) / 1e9));
      put(sc, "server CPU per ack", "µs", true, acks == 0 ? Double.NaN : cpuSpent(cpu0, cpu1) / acks);
      put(sc, "RTT p50", "ms", true, p[0]);
      put(sc, "RTT p90", "ms", true, p[1]);
      put(sc, "RTT p99", "ms", true, p[2]);
      put(sc, "RTT max", "ms", true, p[3]);
      put(sc, "unanswered echoes and errors", "count", true,
          sent.get() - acks + (n - conns.size()) + gen.stats.errors.get() + gen.stats.disconnects.get() - errors0);
      put(sc, "generator CPU per ack", "µs", true, acks == 0 ? Double.NaN : (gcpu1 - gcpu0) / (double) acks);
      if (transport == Gen.Transport.POLLING) {
        long requests = gen.stats.httpRequests.get() - requests0;
        put(sc, "HTTP connections opened per request", "ratio", true,
            requests == 0 ? Double.NaN : (gen.stats.httpConnects.get() - connects0) / (double) requests);
      }
    }
    Gen.closeAll(conns);
  }

  /** CPU microseconds between two readings of {@link Proc#cpuMicros}; NaN when either failed (the server gone). */
  static double cpuSpent(long cpu0, long cpu1) {
    return cpu0 < 0 || cpu1 < 0 ? Double.NaN : cpu1 - cpu0;
  }

  static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
