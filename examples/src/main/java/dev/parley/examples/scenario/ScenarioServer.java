package dev.parley.examples.scenario;

import dev.parley.AckTimeoutException;
import dev.parley.ConnectError;
import dev.parley.ConnectionStateRecovery;
import dev.parley.RemoteSocket;
import dev.parley.SocketIoServer;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.adapter.redis.RedisStreamsAdapter;
import dev.parley.adapter.redis.RedisStreamsAdapterOptions;
import dev.parley.adapter.redis.ShardedRedisAdapter;
import dev.parley.adapter.redis.ShardedRedisAdapterOptions;
import dev.parley.admin.AdminUi;
import dev.parley.admin.AdminUiOptions;
import dev.parley.metrics.micrometer.ParleyMetrics;
import dev.parley.transport.jetty.ParleyJetty;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The scenario server used by benchmarks and cluster tests; its contract is fixed (see issue
 * "Socket.IO v5" item 10, and issue 15 for boom, stats and /dyn-N). Started by
 * {@code scripts/scenario-server.sh} on {@code PORT} (3000; 0 picks a free port, printed at start),
 * on every interface or on {@code HOST} when set; {@code ACCEPT_QUEUE} sets the listen backlog
 * ({@code ParleyJetty.Options.acceptQueueSize}, default 511).
 *
 * <p>Namespace {@code /}: {@code join(room)}, {@code leave(room)}, {@code broadcast(room, payload)}
 * ({@code to(room).emit("tick", payload)}), {@code broadcast-others(room, payload)}
 * ({@code socket.to(room).emit("tick", payload)}) each ack {@code true}; {@code echo(...args)} acks
 * the same arguments; {@code ask(payload)} emits {@code question(payload)} with a 2 s ack timeout and
 * acks the answer or {@code {"error":"timeout"}}; {@code rooms} acks the socket's rooms sorted;
 * {@code room-size(room)} acks the number of sockets in the room (cluster-wide); {@code kick}
 * disconnects the socket; {@code boom} makes its handler throw {@code IllegalStateException("boom")}
 * (an ack it was sent with is answered {@code {"error":"internal server error"}}); {@code stats} acks
 * {@code {"namespaces": <namespaces the server holds, "/" included>, "sockets": <connected sockets
 * in all namespaces>}}. Namespace {@code /secure} admits only {@code auth.token == "secret"} and
 * greets with {@code welcome(auth)}. Namespaces matching {@code ^/dyn-\d+$} are dynamic, created on
 * the first CONNECT and removed once their last socket leaves ({@code cleanupEmptyChildNamespaces}),
 * at most 10,000 at once; they answer {@code echo} as {@code /} does. {@code ADAPTER=redis} (with {@code REDIS_URL}, default
 * {@code redis://127.0.0.1:6379}, and {@code CHANNEL_PREFIX}, the channel key, default {@code socket.io}) puts it on
 * the Redis adapter, so several form a cluster.
 * {@code ADAPTER=redis-streams} puts it on the Redis Streams adapter (stream {@code STREAM_NAME},
 * default {@code socket.io}) instead. {@code ADAPTER=redis-sharded} puts it on the sharded Redis adapter
 * (Redis 7 sharded pub/sub; {@code REDIS_URL} is one URI, or a comma-separated list of Redis Cluster seed
 * nodes; {@code SUBSCRIPTION_MODE} {@code static}, {@code dynamic} (default) or {@code dynamic-private};
 * {@code CHANNEL_PREFIX}, default {@code socket.io}),
 * which forms one cluster with Node servers on {@code createShardedAdapter}. {@code RECOVERY=on} turns connection state recovery on with
 * Node's defaults (2 min window, middlewares skipped); on the pub/sub Redis adapter a session is
 * recovered only by the node that kept it, on the Streams adapter by any node of the cluster.
 * {@code OBSERVER=counting} registers a {@link CountingObserver} (what a metrics binder does: a
 * counter per step, the ack round trips summed), {@code OBSERVER=deliveries} the same with a call per
 * broadcast recipient (what the admin UI's development mode needs), for benchmarking what an observer
 * costs; off by default. {@code METRICS=on} binds {@link ParleyMetrics} (every meter, the ack timer and
 * the namespace gauges included) to a {@link SimpleMeterRegistry}: what the Micrometer binder costs.
 * costs; off by default. {@code ADMIN_UI=on} instruments it for the Socket.IO admin UI
 * ({@link AdminUi}: namespace {@code /admin}, development mode, server id {@code <host>#<pid>}, CORS
 * answering any origin with credentials, as the admin page connects),
 * {@code ADMIN_UI=readonly} the same read-only, {@code ADMIN_UI=production} in production mode (statistics
 * only: what the admin UI costs a server in production, for the benchmark); with {@code ADMIN_UI_AUTH="user:<bcrypt hash>"} the page
 * must log in as that user, without it anyone is admitted.
 *
 * <pre>{@code
 * PORT=3000 scripts/scenario-server.sh
 * }</pre>
 */
public final class ScenarioServer {
  private ScenarioServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    Adapter.Factory factory;
    try {
      factory = adapter(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    String recovery = System.getenv().getOrDefault("RECOVERY", "off");
    if (!recovery.equals("on") && !recovery.equals("off")) {
      System.err.println("RECOVERY=" + recovery + " is unknown: use on or off (default)");
      System.exit(2);
      return;
    }
    String observer = System.getenv().getOrDefault("OBSERVER", "off");
    if (!observer.equals("off") && !observer.equals("counting") && !observer.equals("deliveries")) {
      System.err.println("OBSERVER=" + observer + " is unknown: use off (default), counting or deliveries");
      System.exit(2);
      return;
    }
    String metrics = System.getenv().getOrDefault("METRICS", "off");
    if (!metrics.equals("on") && !metrics.equals("off")) {
      System.err.println("METRICS=" + metrics + " is unknown: use on or off (default)");
      System.exit(2);
      return;
    }
    String adminUi = System.getenv().getOrDefault("ADMIN_UI", "off");
    AdminUiOptions adminUiOptions;
    try {
      adminUiOptions = adminUiOptions(adminUi, System.getenv("ADMIN_UI_AUTH"));
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    SocketIoServer io = create(factory, recovery.equals("on") ? ConnectionStateRecovery.defaults() : null,
        adminUiOptions != null);
    if (adminUiOptions != null) {
      AdminUi.instrument(io, adminUiOptions);
      System.out.println("admin UI on " + adminUiOptions);
    }
    if (recovery.equals("on")) {
      System.out.println("connection state recovery on (window 2 min)");
    }
    if (!observer.equals("off")) {
      io.observe(new CountingObserver(observer.equals("deliveries")));
      System.out.println("observer on (" + observer + ")");
    }
    if (metrics.equals("on")) {
      ParleyMetrics.of(io).bindTo(new SimpleMeterRegistry());
      System.out.println("Micrometer metrics on (ParleyMetrics, SimpleMeterRegistry)");
    }
    String host = System.getenv("HOST");
    ParleyJetty.Options.Builder jetty = ParleyJetty.Options.builder();
    String acceptQueue = System.getenv("ACCEPT_QUEUE");
    if (acceptQueue != null && !acceptQueue.isEmpty()) {
      jetty.acceptQueueSize(Integer.parseInt(acceptQueue));
    }
    ParleyJetty.Running running = ParleyJetty.listen(io, host == null || host.isEmpty() ? null : host, port, jetty.build());
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    System.out.println("scenario server listening on http://127.0.0.1:" + running.port() + "/socket.io/");
    running.join();
  }

  /**
   * The adapter factory the environment asks for: {@code ADAPTER} {@code memory} (default),
   * {@code redis}, {@code redis-streams} or {@code redis-sharded}, with {@code REDIS_URL} (default
   * {@code redis://127.0.0.1:6379}; for {@code redis-sharded} one URI or a comma-separated list of Redis
   * Cluster seeds), {@code STREAM_NAME}, {@code SUBSCRIPTION_MODE} of the sharded adapter, and {@code CHANNEL_PREFIX}
   * (default {@code socket.io}): the channel prefix of the sharded adapter, the channel key of the Redis adapter.
   * Prints which one it made.
   *
   * <pre>{@code
   * Adapter.Factory f = ScenarioServer.adapter(Map.of("ADAPTER", "redis-sharded", "REDIS_URL", seeds));
   * }</pre>
   *
   * @throws IllegalArgumentException for an unknown {@code ADAPTER} or {@code SUBSCRIPTION_MODE}
   */
  public static Adapter.Factory adapter(Map<String, String> env) {
    String adapter = env.getOrDefault("ADAPTER", "memory");
    String uri = env.getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    switch (adapter) {
      case "memory":
        return InMemoryAdapter::new;
      case "redis": {
        String key = env.getOrDefault("CHANNEL_PREFIX", "socket.io");
        System.out.println("scenario server on the Redis adapter at " + uri + ", key " + key);
        return RedisAdapter.factory(uri, RedisAdapterOptions.DEFAULT.withKey(key));
      }
      case "redis-streams": {
        String stream = env.getOrDefault("STREAM_NAME", "socket.io");
        System.out.println("scenario server on the Redis Streams adapter at " + uri + ", stream " + stream);
        return RedisStreamsAdapter.factory(uri, RedisStreamsAdapterOptions.DEFAULT.withStreamName(stream));
      }
      case "redis-sharded": {
        ShardedRedisAdapterOptions.SubscriptionMode mode;
        try {
          mode = ShardedRedisAdapterOptions.SubscriptionMode.of(env.getOrDefault("SUBSCRIPTION_MODE", "dynamic"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(e.getMessage() + ": use static, dynamic (default) or dynamic-private");
        }
        String prefix = env.getOrDefault("CHANNEL_PREFIX", "socket.io");
        System.out.println("scenario server on the sharded Redis adapter at " + uri + ", mode " + mode.wireName()
            + ", channel prefix " + prefix);
        return ShardedRedisAdapter.factory(uri,
            ShardedRedisAdapterOptions.DEFAULT.withSubscriptionMode(mode).withChannelPrefix(prefix));
      }
      default:
        throw new IllegalArgumentException("ADAPTER=" + adapter + " is unknown: use memory (default), redis, redis-streams or redis-sharded");
    }
  }

  /**
   * The admin UI options of {@code ADMIN_UI} and {@code ADMIN_UI_AUTH}: namespace {@code /admin},
   * development mode ({@code on}, {@code readonly}) or production mode ({@code production}), server id
   * {@code <host>#<pid>} (so that the page tells apart several servers of one machine), basic auth from
   * {@code auth} ({@code "user:<bcrypt hash>"}) or none when it is null or empty.
   *
   * @param adminUi {@code ADMIN_UI}: {@code off} (or null), {@code on}, {@code readonly} or {@code production}
   * @param auth {@code ADMIN_UI_AUTH}
   * @return the options, or null for {@code off}
   * @throws IllegalArgumentException for another {@code ADMIN_UI}, an {@code auth} without {@code ':'} or
   *     whose hash is not a bcrypt hash
   */
  public static AdminUiOptions adminUiOptions(String adminUi, String auth) {
    if (adminUi == null || adminUi.equals("off")) {
      return null;
    }
    if (!List.of("on", "readonly", "production").contains(adminUi)) {
      throw new IllegalArgumentException(
          "ADMIN_UI=" + adminUi + " is unknown: use off (default), on, readonly or production");
    }
    AdminUiOptions.Builder b = AdminUiOptions.builder()
        .namespace("/admin")
        .mode(adminUi.equals("production") ? AdminUiOptions.Mode.PRODUCTION : AdminUiOptions.Mode.DEVELOPMENT)
        .readonly(adminUi.equals("readonly"))
        .serverId(hostName() + "#" + ProcessHandle.current().pid());
    if (auth == null || auth.isEmpty()) {
      b.noAuth();
    } else {
      int colon = auth.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("ADMIN_UI_AUTH must be user:<bcrypt hash>");
      }
      b.basicAuth(auth.substring(0, colon), auth.substring(colon + 1));
    }
    return b.build();
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /** The scenario handlers on a new server (CORS open, in-memory adapter). */
  public static SocketIoServer create() {
    return create(InMemoryAdapter::new);
  }

  /** The scenario handlers on a new server with CORS open and the given adapter. */
  public static SocketIoServer create(Adapter.Factory adapter) {
    return create(adapter, null);
  }

  /**
   * The scenario handlers on a new server with CORS open, the given adapter and connection state
   * recovery ({@code null}: off).
   */
  public static SocketIoServer create(Adapter.Factory adapter, ConnectionStateRecovery recovery) {
    return create(adapter, recovery, false);
  }

  /**
   * The scenario handlers on a new server with CORS open, the given adapter and connection state
   * recovery ({@code null}: off); with {@code corsCredentials}, CORS answers with the request's origin
   * and allows credentials, which the admin page needs (it connects {@code withCredentials}).
   */
  public static SocketIoServer create(Adapter.Factory adapter, ConnectionStateRecovery recovery,
      boolean corsCredentials) {
    SocketIoServer io = SocketIoServer.builder()
        .cors(cors -> cors.allowAnyOrigin().allowCredentials(corsCredentials))
        .adapter(adapter)
        .connectionStateRecovery(recovery)
        .cleanupEmptyChildNamespaces(true)
        .build();
    io.onConnection(socket -> {
      socket.on("join", (a, ack) -> {
        socket.join(a.get(0).asText());
        ack.send(true);
      });
      socket.on("leave", (a, ack) -> {
        socket.leave(a.get(0).asText());
        ack.send(true);
      });
      socket.on("broadcast", (a, ack) -> {
        io.to(a.get(0).asText()).emit("tick", a.get(1));
        ack.send(true);
      });
      socket.on("broadcast-others", (a, ack) -> {
        socket.to(a.get(0).asText()).emit("tick", a.get(1));
        ack.send(true);
      });
      socket.on("echo", (a, ack) -> ack.send(a.values().toArray()));
      socket.on("ask", (a, ack) -> socket.timeout(Duration.ofSeconds(2)).emitWithAck("question", (err, answer) -> {
        if (err instanceof AckTimeoutException) {
          ack.send(Map.of("error", "timeout"));
        } else if (err != null) {
          ack.send(Map.of("error", String.valueOf(err.getMessage())));
        } else {
          ack.send(answer.values().toArray());
        }
      }, a.get(0)));
      socket.on("rooms", (a, ack) -> {
        List<String> rooms = new ArrayList<>(socket.rooms());
        rooms.sort(null);
        ack.send(rooms);
      });
      socket.on("room-size", (a, ack) -> io.in(a.get(0).asText()).fetchSockets()
          .thenAccept((List<RemoteSocket> sockets) -> ack.send(sockets.size())));
      socket.on("kick", (a, ack) -> socket.disconnect());
      socket.on("boom", (a, ack) -> {
        throw new IllegalStateException("boom");
      });
      socket.on("stats", (a, ack) -> {
        Map<String, Integer> stats = new LinkedHashMap<>();
        stats.put("namespaces", io.namespaces().size());
        stats.put("sockets", io.namespaces().stream().mapToInt(n -> n.sockets().size()).sum());
        ack.send(stats);
      });
    });
    io.of(Pattern.compile("^/dyn-\\d+$"))
        .onConnection(socket -> socket.on("echo", (a, ack) -> ack.send(a.values().toArray())));
    io.of("/secure")
        .use((socket, next) -> {
          if ("secret".equals(socket.handshake().auth().path("token").asText(null))) {
            next.proceed();
          } else {
            next.fail(new ConnectError("unauthorized", Map.of("code", 401)));
          }
        })
        .onConnection(socket -> socket.emit("welcome", socket.handshake().auth()));
    return io;
  }
}
