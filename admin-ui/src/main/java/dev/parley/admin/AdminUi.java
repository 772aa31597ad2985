package dev.parley.admin;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.Args;
import dev.parley.BroadcastOperator;
import dev.parley.ConnectError;
import dev.parley.ConnectMiddleware;
import dev.parley.DisconnectReason;
import dev.parley.Namespace;
import dev.parley.RemoteSocket;
import dev.parley.ServerObserver;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.adapter.RoomEvent;
import dev.parley.engine.ParleyExecutors;
import dev.parley.engine.Scheduler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the official Socket.IO admin UI ({@code @socket.io/admin-ui} 0.5): the admin
 * page, hosted at admin.socket.io or served from the npm package's {@code ui/dist}, connects to the
 * admin namespace this adds and shows the server's sockets, rooms, events and statistics, and can make
 * sockets join or leave rooms or disconnect them. The Java twin of the reference's
 * {@code instrument(io, opts)}, speaking its protocol on the wire.
 *
 * <pre>{@code
 * AdminUi.instrument(io, AdminUiOptions.builder()
 *     .basicAuth("admin", System.getenv("ADMIN_UI_PASSWORD_HASH")) // a bcrypt hash
 *     .build());
 * }</pre>
 *
 * <p>What it does: a connect middleware on the admin namespace checks the login (the password
 * against the bcrypt hash, or a session id from an earlier login, in the {@link SessionStore});
 * every admitted admin socket gets {@code config} and, in development mode, {@code all_sockets}
 * (every socket of every namespace, through {@code fetchSockets}, so every server of a cluster);
 * {@code server_stats} goes to the admin namespace every two seconds, read from
 * {@link SocketIoServer#stats()}; in development mode a {@link ServerObserver} sends a notification
 * per socket connect, upgrade, data change, room change, event and disconnect. Everything goes to the admin
 * namespace through its adapter, so with a cluster adapter (the Redis adapter) a page connected to one
 * server sees every server, and its commands ({@code join}, {@code leave}, {@code _disconnect},
 * {@code emit}) are the cluster operations {@code socketsJoin}, {@code socketsLeave},
 * {@code disconnectSockets} and {@code emit}.
 *
 * <p>In development mode, as the reference does, each socket's {@link Socket#data()} holds an
 * {@code _admin} entry (its client id and current transport) for the pages of other servers, which
 * read it through {@code fetchSockets}; the page never shows it.
 *
 * <p>Cost: with the admin UI not instrumented nothing changes. In {@link AdminUiOptions.Mode#PRODUCTION
 * production} mode there is no observer: the statistics are the counters the server always keeps, read
 * every two seconds. In development mode every event of every socket is also a message to the admin
 * namespace.
 */
public final class AdminUi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminUi.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** The most notifications waiting to be sent; a server busier than its admin namespace drops the rest. */
  private static final int MAX_QUEUED = 10_000;
  /**
   * Whether each instrumented server's instrumentation is closed: one running at a time. The values
   * hold no reference to the server, so a server that is gone leaves the map.
   */
  private static final Map<SocketIoServer, AtomicBoolean> INSTRUMENTED = new WeakHashMap<>();
  private static final BCrypt.Verifyer BCRYPT =
      BCrypt.verifyer(BCrypt.Version.VERSION_2B, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2B));

  private final SocketIoServer io;
  private final AdminUiOptions options;
  private final Namespace admin;
  private final SocketJson json;
  private final ArrayNode supportedFeatures;
  /**
   * Admin sockets that logged in with the password: the session id they are sent once connected.
   * Weak keys: a socket that a later middleware refuses is forgotten with it.
   */
  private final Map<Socket, String> newSessions = Collections.synchronizedMap(new WeakHashMap<>());
  /** Notifications queued and not sent yet; past {@link #MAX_QUEUED} new ones are dropped. */
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  /** The notifications, in the order they were observed, sent off the observed threads. */
  private final Executor notifications;
  private final Stats stats;
  private final Observer observer;
  private volatile Scheduler.Cancellable timer = Scheduler.Cancellable.NONE;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdminUi(SocketIoServer io, AdminUiOptions options) {
    this.io = io;
    this.options = options;
    this.admin = io.of(options.namespace());
    this.json = new SocketJson(io.mapper());
    this.notifications = ParleyExecutors.serial(io.engine().executor());
    this.stats = new Stats(io, options.serverId());
    this.supportedFeatures = F.arrayNode();
    if (!options.readonly()) {
      for (String f : List.of("EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT")) {
        supportedFeatures.add(f);
      }
    }
    supportedFeatures.add("AGGREGATED_EVENTS");
    boolean development = options.mode() == AdminUiOptions.Mode.DEVELOPMENT;
    if (development) {
      supportedFeatures.add("ALL_EVENTS");
    }
    this.observer = development ? new Observer() : null;
  }

  /**
   * Adds the admin namespace to {@code io} and starts sending statistics; in development mode also
   * observes the server for the per-socket notifications. Call it once per server, before or after
   * it starts listening.
   *
   * @param io the server
   * @param options the options
   * @return the running instrumentation; {@link #close()} stops its statistics and notifications
   * @throws IllegalStateException when the server is instrumented already (and that one is not closed)
   */
  public static AdminUi instrument(SocketIoServer io, AdminUiOptions options) {
    Objects.requireNonNull(io, "io == null");
    Objects.requireNonNull(options, "options == null");
    synchronized (INSTRUMENTED) {
      AtomicBoolean running = INSTRUMENTED.get(io);
      if (running != null && !running.get()) {
        throw new IllegalStateException("this server is instrumented already; close() that AdminUi first");
      }
      AdminUi ui = new AdminUi(io, options);
      INSTRUMENTED.put(io, ui.closed);
      ui.start();
      return ui;
    }
  }

  /** The options this instrumentation runs with. */
  public AdminUiOptions options() {
    return options;
  }

  /** The admin namespace. */
  public Namespace namespace() {
    return admin;
  }

  /**
   * Stops sending statistics and notifications, and ignores the page's commands. The admin namespace
   * stays (a namespace cannot be removed), with its connected admin sockets. The server may then be
   * instrumented again.
   */
  @Override
  public void close() {
    closed.set(true);
    timer.cancel();
    if (observer != null) {
      io.unobserve(observer);
    }
  }

  private void start() {
    if (!options.authenticated()) {
      log.warn("admin UI on {} without authentication: anyone who reaches it can see and disconnect every socket",
          options.namespace());
    }
    admin.use(this::authenticate);
    admin.onConnection(this::admitted);
    if (observer != null) {
      io.observe(observer);
    }
    emitStats();
  }

  // ------------------------------------------------------------------ authentication

  private void authenticate(Socket socket, ConnectMiddleware.Next next) {
    if (closed.get()) {
      next.proceed(); // a later instrumentation's middleware decides; a closed one sends nothing
      return;
    }
    if (!options.authenticated()) {
      next.proceed();
      return;
    }
    JsonNode auth = socket.handshake().auth();
    String sessionId = auth.path("sessionId").isTextual() ? auth.path("sessionId").asText() : null;
    CompletableFuture<Boolean> known = sessionId == null || sessionId.isEmpty()
        ? CompletableFuture.completedFuture(false)
        : options.store().exists(sessionId).toCompletableFuture().exceptionally(e -> {
          log.warn("admin UI: the session store failed: {}", e.toString());
          return false;
        });
    known.thenAccept(ok -> {
      if (ok) {
        next.proceed();
      } else if (passwordMatches(auth)) {
        String id = HexFormat.of().formatHex(randomBytes(8));
        options.store().save(id);
        newSessions.put(socket, id);
        next.proceed();
      } else {
        next.fail(new ConnectError("invalid credentials"));
      }
    });
  }

  private boolean passwordMatches(JsonNode auth) {
    JsonNode user = auth.path("username");
    JsonNode password = auth.path("password");
    if (!user.isTextual() || !user.asText().equals(options.username()) || !password.isTextual()) {
      return false;
    }
    try {
      return BCRYPT.verify(password.asText().getBytes(StandardCharsets.UTF_8),
          options.passwordHash().getBytes(StandardCharsets.UTF_8)).verified;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  // ------------------------------------------------------------------ an admin socket

  private void admitted(Socket socket) {
    if (closed.get()) {
      return;
    }
    String session = newSessions.remove(socket);
    if (session != null) {
      socket.emit("session", session);
    }
    socket.onDisconnect(reason -> newSessions.remove(socket));
    if (!options.readonly()) {
      socket.on("emit", (args, ack) -> command(() -> emitCommand(args)));
      socket.on("join", (args, ack) -> command(() -> target(args).ifPresent(op -> op.socketsJoin(text(args, 1)))));
      socket.on("leave", (args, ack) -> command(() -> target(args).ifPresent(op -> op.socketsLeave(text(args, 1)))));
      socket.on("_disconnect", (args, ack) -> command(
          () -> target(args).ifPresent(op -> op.disconnectSockets(args.size() > 1 && args.get(1).asBoolean()))));
    }
    ObjectNode config = F.objectNode();
    config.set("supportedFeatures", supportedFeatures.deepCopy());
    socket.emit("config", config);
    if (options.mode() == AdminUiOptions.Mode.DEVELOPMENT) {
      allSockets().whenComplete((all, e) -> {
        if (e != null) {
          log.warn("admin UI: fetching the sockets failed: {}", e.toString());
        } else if (socket.connected()) {
          socket.emit("all_sockets", all);
        }
      });
    }
  }

  private void command(Runnable command) {
    if (closed.get()) {
      return;
    }
    try {
      command.run();
    } catch (RuntimeException e) {
      log.warn("admin UI: a command failed: {}", e.toString());
    }
  }

  /** {@code (nsp, room|close, filter?)}: the namespace, narrowed to the filter room when there is one. */
  private Optional<BroadcastOperator> target(Args args) {
    String nsp = text(args, 0);
    String filter = args.size() > 2 ? text(args, 2) : null;
    return namespace(nsp).map(n -> filter == null || filter.isEmpty() ? n.in(new String[0]) : n.in(filter));
  }

  private void emitCommand(Args args) {
    // (nsp, filter?, event, ...args)
    String event = args.size() > 2 ? text(args, 2) : null;
    if (event == null) {
      return;
    }
    Object[] values = new Object[Math.max(0, args.size() - 3)];
    for (int i = 3; i < args.size(); i++) {
      values[i - 3] = args.get(i);
    }
    String filter = text(args, 1);
    namespace(text(args, 0)).ifPresent(n -> (filter == null || filter.isEmpty() ? n.in(new String[0]) : n.in(filter))
        .emit(event, values));
  }

  /** An existing namespace only: a command never creates one. */
  private Optional<Namespace> namespace(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (Namespace n : io.namespaces()) {
      if (n.name().equals(name)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  private static String text(Args args, int i) {
    if (i >= args.size()) {
      return null;
    }
    JsonNode v = args.get(i);
    return v == null || v.isNull() || v.isMissingNode() ? null : v.asText();
  }

  /** Every socket of every namespace, on every server of the cluster. */
  private CompletableFuture<ArrayNode> allSockets() {
    List<Namespace> namespaces = io.namespaces();
    List<CompletableFuture<List<ObjectNode>>> parts = new ArrayList<>();
    for (Namespace n : namespaces) {
      parts.add(n.fetchSockets().thenApply(sockets -> {
        List<ObjectNode> out = new ArrayList<>(sockets.size());
        for (RemoteSocket s : sockets) {
          out.add(json.serialize(s, n.name()));
        }
        return out;
      }).exceptionally(e -> {
        // a cluster request that timed out (a namespace some servers do not have): this server's own
        log.debug("admin UI: fetchSockets on {} failed ({}); listing this server's sockets only", n.name(), e.toString());
        List<ObjectNode> out = new ArrayList<>();
        for (Socket s : n.sockets().values()) {
          out.add(json.serialize(s));
        }
        return out;
      }));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
      ArrayNode all = F.arrayNode();
      for (CompletableFuture<List<ObjectNode>> p : parts) {
        p.join().forEach(all::add);
      }
      return all;
    });
  }

  // ------------------------------------------------------------------ statistics

  private void emitStats() {
    if (closed.get()) {
      return;
    }
    try {
      admin.emit("server_stats", stats.next());
    } catch (RuntimeException e) {
      log.warn("admin UI: sending server_stats failed: {}", e.toString());
    }
    Scheduler scheduler = io.engine().scheduler();
    timer = scheduler.schedule(() -> {
      try {
        io.engine().executor().execute(this::emitStats);
      } catch (RejectedExecutionException e) {
        closed.set(true); // the server has shut down
      }
    }, options.statsInterval().toMillis());
  }

  /** This machine's name, as Node's {@code os.hostname()}; "localhost" when it has none. */
  static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  // ------------------------------------------------------------------ notifications (development mode)

  private void send(String event, Object... args) {
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      if (dropped.getAndIncrement() % 10_000 == 0) {
        log.warn("admin UI: {} notifications dropped so far, the server makes them faster than it sends them",
            dropped.get());
      }
      return;
    }
    try {
      notifications.execute(() -> {
        queued.decrementAndGet();
        if (!closed.get()) {
          admin.emit(event, args);
        }
      });
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet(); // the server is shutting down
    }
  }

  /** Notifications dropped because too many were waiting (development mode on a very busy server). */
  public long droppedNotifications() {
    return dropped.get();
  }

  private static String now() {
    return SocketJson.timestamp(System.currentTimeMillis());
  }

  /** Development mode: a notification to the admin namespace per socket and per event. */
  private final class Observer implements ServerObserver {
    @Override
    public void onSocketConnected(Socket socket) {
      // where other servers' fetchSockets (and Node servers' admin UI) find the client id and transport
      socket.data().put(SocketJson.ADMIN_KEY, SocketJson.adminData(socket));
      send("socket_connected", json.serialize(socket), now());
    }

    @Override
    public void onTransportUpgraded(Socket socket) {
      socket.data().put(SocketJson.ADMIN_KEY, SocketJson.adminData(socket));
      ObjectNode update = F.objectNode();
      update.put("id", socket.id());
      update.put("nsp", socket.namespace().name());
      update.put("transport", socket.transport());
      send("socket_updated", update);
    }

    @Override
    public void onSocketDataChanged(Socket socket, String key) {
      if (SocketJson.ADMIN_KEY.equals(key)) {
        return; // our own bookkeeping
      }
      ObjectNode update = F.objectNode();
      update.put("id", socket.id());
      update.put("nsp", socket.namespace().name());
      update.set("data", json.data(socket.data()));
      send("socket_updated", update);
    }

    @Override
    public void onSocketDisconnected(Socket socket, DisconnectReason reason) {
      send("socket_disconnected", socket.namespace().name(), socket.id(), reason.wireName(), now());
    }

    @Override
    public void onRoomEvent(Namespace namespace, RoomEvent event) {
      switch (event.kind()) {
        case JOIN -> send("room_joined", namespace.name(), event.room(), event.socketId(), now());
        case LEAVE -> send("room_left", namespace.name(), event.room(), event.socketId(), now());
        default -> { }
      }
    }

    @Override
    public void onEventReceived(Socket socket, String event, Args args) {
      if (socket.namespace() != admin) {
        send("event_received", socket.namespace().name(), socket.id(), SocketJson.eventArray(event, args), now());
      }
    }

    @Override
    public void onEventSent(Socket socket, String event, Args args) {
      if (socket.namespace() != admin) {
        send("event_sent", socket.namespace().name(), socket.id(), SocketJson.eventArray(event, args), now());
      }
    }

    @Override
    public void onBroadcastDelivered(Socket socket, String event, Args args) {
      if (socket.namespace() != admin) {
        send("event_sent", socket.namespace().name(), socket.id(), SocketJson.eventArray(event, args), now());
      }
    }

    @Override
    public boolean observesBroadcastDeliveries() {
      return true;
    }
  }
}
