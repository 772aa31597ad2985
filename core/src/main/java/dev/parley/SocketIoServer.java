package dev.parley;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.engine.CorsOptions;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineServer;
import dev.parley.engine.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Socket.IO server: namespaces, middleware, events and broadcasts over an Engine.IO server. Host
 * it with {@code ParleyJetty.listen(io, port)} or mount {@code new ParleyHandler(io)} into your Jetty.
 * Calls without a namespace act on the main namespace {@code "/"}.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .cors(cors -> cors.allowOrigin("https://app.example.com"))
 *     .build();
 * io.onConnection(socket -> {
 *   socket.on("chat message", (args, ack) -> io.emit("chat message", args.get(0)));
 * });
 * ParleyJetty.listen(io, 3000);
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread. What the server has done is counted in
 * {@link #stats()}; a {@link ServerObserver} registered with {@link #observe} sees each step.
 */
public final class SocketIoServer implements AutoCloseable {
  /*
   * This file is long because it is the entry point a user reads first: the shortcuts that act on the
   * main namespace and the Builder with every option, each documented. It holds no logic of its own:
   * connections are Client's, namespaces Namespace's and DynamicNamespaces', counting and observing
   * Instruments'.
   */
  private static final Logger log = LoggerFactory.getLogger(SocketIoServer.class);

  private final EngineServer engine;
  private final Wire wire;
  private final Adapter.Factory adapterFactory;
  private final long connectTimeoutMillis;
  private final int maxAttachments;
  private final PartialPacketBudget partialPacketBudget;
  private final ErrorHandler errorHandler;
  /** Parley's own log lines that a client could otherwise multiply (and the default error handler's). */
  private final dev.parley.internal.engine.RateLimitedLog rateLimitedLog;
  private final ConnectionStateRecovery recovery;
  private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
  private final DynamicNamespaces dynamic;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final Namespace main;
  private final double maxEventsPerSecond;
  private final int eventBurst;
  private final int maxRoomsPerSocket;
  private final ServerStats stats;
  private final Instruments instruments;

  private SocketIoServer(Builder b) {
    EngineServer.Builder eb = EngineServer.builder().options(b.engineOptions.build());
    if (b.executor != null) {
      eb.executor(b.executor);
    }
    if (b.scheduler != null) {
      eb.scheduler(b.scheduler);
    }
    this.engine = eb.build();
    this.wire = new Wire(b.mapper);
    this.adapterFactory = b.adapterFactory;
    this.connectTimeoutMillis = b.connectTimeout.toMillis();
    this.maxAttachments = b.maxAttachments;
    this.rateLimitedLog = new dev.parley.internal.engine.RateLimitedLog(log, b.errorLogInterval, engine.scheduler());
    this.errorHandler = b.errorHandler != null ? b.errorHandler : new LoggingErrorHandler(rateLimitedLog);
    // what Node accepts from one client: a header and maxAttachments attachments, each a message
    // of up to maxHttpBufferSize
    long maxPartialPacketBytes = b.maxPartialPacketBytes > 0 ? b.maxPartialPacketBytes
        : (b.maxAttachments + 1L) * engine.options().maxHttpBufferSize();
    this.partialPacketBudget = new PartialPacketBudget(
        b.partialPacketBudget > 0 ? b.partialPacketBudget : PartialPacketBudget.defaultLimit(), maxPartialPacketBytes,
        rateLimitedLog);
    this.recovery = b.recovery;
    this.maxEventsPerSecond = b.maxEventsPerSecond;
    this.eventBurst = b.eventBurst;
    this.maxRoomsPerSocket = b.maxRoomsPerSocket;
    this.stats = new ServerStats(this);
    this.instruments = new Instruments(stats, wire, rateLimitedLog);
    for (ServerObserver o : b.observers) {
      instruments.add(o);
    }
    this.dynamic = new DynamicNamespaces(this, namespaces, k -> new Namespace(k, this, adapterFactory),
        b.maxDynamicNamespaces, b.cleanupEmptyChildNamespaces);
    this.main = of("/");
    // never blocks: the engine may run it on the handshake's thread
    engine.onConnection((EngineServer.NonBlockingConnectionHandler) session -> {
      Client client = new Client(this, session);
      clients.put(session.id(), client);
      instruments.connectionOpened();
      session.setListener(client);
    });
  }

  /**
   * A new {@link ObjectMapper} set up as a server's default: {@code java.time} values and
   * {@code Optional}s supported (Jackson's jsr310 and jdk8 modules), dates, times and durations
   * written as ISO-8601 strings (what {@code JSON.stringify} makes of a JavaScript {@code Date}),
   * properties the target type does not have ignored when converting what a client sent, and values
   * that are not data (a {@code Thread}, a {@code ClassLoader}, streams, channels, sockets, executors,
   * futures, locks) refused with a clear error. Start from it to change one setting and keep the rest.
   *
   * <pre>{@code
   * ObjectMapper mapper = SocketIoServer.defaultMapper().registerModule(new MyDomainModule());
   * SocketIoServer io = SocketIoServer.builder().mapper(mapper).build();
   * }</pre>
   */
  public static ObjectMapper defaultMapper() {
    return DefaultMapper.create();
  }

  /**
   * A builder for a server; every setting is optional.
   *
   * <pre>{@code
   * SocketIoServer io = SocketIoServer.builder()
   *     .pingInterval(Duration.ofSeconds(20))
   *     .connectionStateRecovery(ConnectionStateRecovery.defaults())
   *     .build();
   * }</pre>
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The Engine.IO server underneath (for hosts and low-level access). */
  public EngineServer engine() {
    return engine;
  }

  /** The JSON mapper used for event arguments. */
  public ObjectMapper mapper() {
    return wire.mapper;
  }

  /** The main namespace {@code "/"}. */
  public Namespace sockets() {
    return main;
  }

  /** The namespace {@code name}, created on first call. */
  public Namespace of(String name) {
    Objects.requireNonNull(name, "name == null");
    String n = name.startsWith("/") ? name : "/" + name;
    return namespaces.computeIfAbsent(n, k -> new Namespace(k, this, adapterFactory));
  }

  /** Dynamic namespaces: names matching the regex are created when a client asks for them. */
  public ParentNamespace of(Pattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    return of(name -> pattern.matcher(name).matches());
  }

  /** Dynamic namespaces: names the predicate accepts are created when a client asks for them. */
  public ParentNamespace of(Predicate<String> predicate) {
    return dynamic.add(Objects.requireNonNull(predicate, "predicate == null"));
  }

  /**
   * The namespaces this server holds now, {@code "/"} included: those created with {@link #of(String)}
   * and the children of dynamic namespaces that exist now (a snapshot, in no particular order).
   */
  public List<Namespace> namespaces() {
    return new ArrayList<>(namespaces.values());
  }

  // ------------------------------------------------------------------ instrumentation

  /**
   * What this server has done and holds now: connections, sockets, refusals, events, broadcasts,
   * acks, recoveries, and the engine's counters. Always kept; read it whenever you like.
   *
   * <pre>{@code
   * log.info("{} sockets, {} events in", io.stats().connectedSockets(), io.stats().eventsReceived());
   * }</pre>
   */
  public ServerStats stats() {
    return stats;
  }

  /**
   * Registers an observer: from now on it sees every connect, disconnect, refusal, event, broadcast,
   * room change, ack and server-side emit of this server (see {@link ServerObserver} for the threads
   * and the cost). Observers are called in the order registered; one may be registered once.
   *
   * <pre>{@code
   * io.observe(new ServerObserver() {
   *   @Override
   *   public void onSocketDisconnected(Socket socket, DisconnectReason reason) {
   *     disconnects.increment(reason.wireName());
   *   }
   * });
   * }</pre>
   *
   * @return this server
   */
  public SocketIoServer observe(ServerObserver observer) {
    instruments.add(observer);
    return this;
  }

  /**
   * Removes an observer registered with {@link #observe} or the builder; calls already under way
   * may still reach it.
   *
   * @return whether it was registered
   */
  public boolean unobserve(ServerObserver observer) {
    return instruments.remove(observer);
  }

  // ------------------------------------------------------------------ main namespace shortcuts

  /**
   * Adds connect middleware to the main namespace; see {@link Namespace#use}.
   *
   * <pre>{@code
   * io.use((socket, next) -> {
   *   if (tokens.valid(socket.handshake().auth().path("token").asText(null))) next.proceed();
   *   else next.fail(new ConnectError("unauthorized"));
   * });
   * }</pre>
   *
   * @return this server
   */
  public SocketIoServer use(ConnectMiddleware middleware) {
    main.use(middleware);
    return this;
  }

  /**
   * Adds a handler for sockets connecting to the main namespace; see {@link Namespace#onConnection}.
   *
   * @return this server
   */
  public SocketIoServer onConnection(Consumer<Socket> handler) {
    main.onConnection(handler);
    return this;
  }

  /**
   * Sends an event to every socket of the main namespace; see {@link Namespace#emit}.
   *
   * <pre>{@code
   * io.emit("announcement", "the server restarts in 5 minutes");
   * }</pre>
   */
  public void emit(String event, Object... args) {
    main.emit(event, args);
  }

  /** Sends a {@code "message"} event to every socket of the main namespace. */
  public void send(Object... args) {
    main.send(args);
  }

  /**
   * The sockets of the main namespace in these rooms; see {@link BroadcastOperator#to}.
   *
   * <pre>{@code
   * io.to("room-123").emit("chat message", msg);
   * }</pre>
   */
  public BroadcastOperator to(String... rooms) {
    return main.to(rooms);
  }

  /** Same as {@link #to}. */
  public BroadcastOperator in(String... rooms) {
    return main.in(rooms);
  }

  /** Every socket of the main namespace except those in these rooms; see {@link BroadcastOperator#except}. */
  public BroadcastOperator except(String... rooms) {
    return main.except(rooms);
  }

  /** Only this server's sockets of the main namespace, even with a cluster adapter. */
  public BroadcastOperator local() {
    return main.local();
  }

  /** Events to the main namespace dropped for clients that cannot take them now ({@code volatile}). */
  public BroadcastOperator unreliable() {
    return main.unreliable();
  }

  /** Whether the payload may be compressed (permessage-deflate, when enabled). */
  public BroadcastOperator compress(boolean compress) {
    return main.compress(compress);
  }

  /**
   * How long a broadcast's {@link BroadcastOperator#emitWithAck} waits for every client.
   *
   * <pre>{@code
   * io.timeout(Duration.ofSeconds(5)).emitWithAck("ping").thenAccept(answers -> log.info("{}", answers));
   * }</pre>
   */
  public BroadcastOperator timeout(Duration timeout) {
    return main.timeout(timeout);
  }

  /** Handles to every socket of the main namespace (cluster-wide with a cluster adapter). */
  public CompletableFuture<List<RemoteSocket>> fetchSockets() {
    return main.fetchSockets();
  }

  /** Makes every socket of the main namespace join rooms. */
  public void socketsJoin(String... rooms) {
    main.socketsJoin(rooms);
  }

  /** Makes every socket of the main namespace leave rooms. */
  public void socketsLeave(String... rooms) {
    main.socketsLeave(rooms);
  }

  /** Disconnects every socket of the main namespace; with {@code close}, their whole connections. */
  public void disconnectSockets(boolean close) {
    main.disconnectSockets(close);
  }

  /** Sends an event to the other servers of the cluster; see {@link Namespace#serverSideEmit}. */
  public void serverSideEmit(String event, Object... args) {
    main.serverSideEmit(event, args);
  }

  /** Sends an event to the other servers and collects their answers; see {@link Namespace#serverSideEmitWithAck}. */
  public CompletableFuture<List<Args>> serverSideEmitWithAck(String event, Object... args) {
    return main.serverSideEmitWithAck(event, args);
  }

  /**
   * Disconnects every socket with reason {@code "server shutting down"}, closes every connection
   * (clients see the close) and stops the threads Parley started.
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(1));
  }

  /**
   * Graceful shutdown with a drain deadline: handshakes are refused from now on; every socket
   * disconnects with {@code "server shutting down"} (a recoverable reason: with connection state
   * recovery on, its session is kept for the recovery window); every connection delivers what is queued
   * for it, then its close; connections still open after {@code drainTimeout} are ended.
   */
  public void close(Duration drainTimeout) {
    Objects.requireNonNull(drainTimeout, "drainTimeout == null");
    engine.stopAdmitting();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (Client c : new ArrayList<>(clients.values())) {
      lanes.add(c.shutdown());
    }
    try {
      // disconnect listeners run on each client's lane; a handler blocked there gets 2 s at most
      CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0])).get(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("some sockets were still busy in handlers when the server closed");
    }
    engine.close(drainTimeout);
    for (Namespace n : namespaces.values()) {
      try {
        n.adapter().close();
      } catch (RuntimeException e) {
        log.warn("adapter of {} did not close cleanly", n.name(), e);
      }
    }
  }

  // ------------------------------------------------------------------ internals

  Wire wire() {
    return wire;
  }

  Instruments instruments() {
    return instruments;
  }

  /** Runs {@code action} for every connection open now. */
  void forEachClient(Consumer<Client> action) {
    clients.values().forEach(action);
  }

  /** The connection state recovery settings, or null when recovery is off. */
  ConnectionStateRecovery recovery() {
    return recovery;
  }

  long connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  /** Events a socket may send per second (0: no limit), with {@link #eventBurst()} saved up. */
  double maxEventsPerSecond() {
    return maxEventsPerSecond;
  }

  int eventBurst() {
    return eventBurst;
  }

  /** Rooms a socket may be in besides its own (0: no limit). */
  int maxRoomsPerSocket() {
    return maxRoomsPerSocket;
  }

  int maxAttachments() {
    return maxAttachments;
  }

  /** The most one connection may hold of a packet still waiting for attachments. */
  long maxPartialPacketBytes() {
    return partialPacketBudget.perConnection();
  }

  /** What all connections together may hold of packets still waiting for attachments. */
  PartialPacketBudget partialPacketBudget() {
    return partialPacketBudget;
  }

  /**
   * The namespace a CONNECT asks for: an existing one, or a new child of a matching parent; null when
   * there is none.
   *
   * @throws LimitExceededException when a child would be created past {@code maxDynamicNamespaces}
   */
  Namespace namespaceFor(String name) {
    Namespace existing = namespaces.get(name);
    return existing != null ? existing : dynamic.create(name);
  }

  List<ConnectMiddleware> middlewareChain(Namespace nsp) {
    ParentNamespace parent = dynamic.parentOf(nsp);
    if (parent == null || parent.middlewares().isEmpty()) {
      return nsp.middlewares();
    }
    List<ConnectMiddleware> chain = new ArrayList<>(parent.middlewares());
    chain.addAll(nsp.middlewares());
    return chain;
  }

  void fireConnection(Namespace nsp, Socket socket) {
    ParentNamespace parent = dynamic.parentOf(nsp);
    if (parent != null) {
      parent.fireConnection(socket, this);
    }
  }

  void removeClient(Client client) {
    clients.remove(client.session().id(), client);
  }

  void reportError(Socket socket, String event, Throwable error) {
    try {
      errorHandler.onError(socket, event, error);
    } catch (Throwable e) {
      rateLimitedLog.error("error handler threw " + e.getClass().getName(), "error handler threw", e);
    }
  }

  /** Logs at WARN or ERROR without letting a client flood the log (one stack trace per kind, then counts). */
  dev.parley.internal.engine.RateLimitedLog rateLimitedLog() {
    return rateLimitedLog;
  }

  /** Builds a {@link SocketIoServer}; every setter is optional. */
  public static final class Builder {
    private final EngineOptions.Builder engineOptions = EngineOptions.builder().path("/socket.io/");
    private ObjectMapper mapper = DefaultMapper.create();
    private Adapter.Factory adapterFactory = InMemoryAdapter::new;
    private Duration connectTimeout = Duration.ofSeconds(45);
    private int maxAttachments = 10;
    private long maxPartialPacketBytes;
    private int maxDynamicNamespaces = 10_000;
    private boolean cleanupEmptyChildNamespaces;
    private long partialPacketBudget;
    private ExecutorService executor;
    private Scheduler scheduler;
    private ConnectionStateRecovery recovery;
    private double maxEventsPerSecond;
    private int eventBurst;
    private int maxRoomsPerSocket;
    private ErrorHandler errorHandler;
    private Duration errorLogInterval = Duration.ofSeconds(10);
    private final List<ServerObserver> observers = new ArrayList<>();

    private Builder() {}

    /** Engine.IO settings (path, heartbeat, transports, limits, admission, cookie...). */
    public Builder engine(Consumer<EngineOptions.Builder> configure) {
      configure.accept(engineOptions);
      return this;
    }

    /** The request path; default {@code /socket.io/}. */
    public Builder path(String path) {
      engineOptions.path(path);
      return this;
    }

    /** Enables CORS for polling requests. */
    public Builder cors(Consumer<CorsOptions.Builder> configure) {
      CorsOptions.Builder b = CorsOptions.builder();
      configure.accept(b);
      engineOptions.cors(b.build());
      return this;
    }

    /**
     * How often the server pings each client (default 25 s): the heartbeat that notices a vanished
     * client; the same as Node's {@code pingInterval}.
     */
    public Builder pingInterval(Duration d) {
      engineOptions.pingInterval(d);
      return this;
    }

    /**
     * How long a client has to answer a ping (default 20 s) before it is disconnected with
     * {@link DisconnectReason#PING_TIMEOUT}.
     */
    public Builder pingTimeout(Duration d) {
      engineOptions.pingTimeout(d);
      return this;
    }

    /** Largest accepted HTTP body or WebSocket message (default 1 MB). */
    public Builder maxHttpBufferSize(int bytes) {
      engineOptions.maxHttpBufferSize(bytes);
      return this;
    }

    /** How long a new connection has to join a namespace (default 45 s). */
    public Builder connectTimeout(Duration d) {
      Objects.requireNonNull(d, "connectTimeout == null");
      this.connectTimeout = d;
      return this;
    }

    /** Most binary attachments one packet may announce (default 10). */
    public Builder maxAttachments(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxAttachments must be at least 1: " + max);
      }
      this.maxAttachments = max;
      return this;
    }

    /**
     * Whether a child of a dynamic namespace ({@link SocketIoServer#of(Pattern)}) is removed once its
     * last socket leaves, as Node's option of that name: it disappears from {@link #namespaces()} and
     * its parent's {@link ParentNamespace#children()}, its adapter is closed, and the next client that
     * asks for the name gets a new one (the parent's middleware and handlers apply as before; what was
     * added to the old child itself is gone). Off by default, as in socket.io; turn it on where clients
     * choose names (one client could otherwise create children up to {@link #maxDynamicNamespaces}).
     */
    public Builder cleanupEmptyChildNamespaces(boolean cleanup) {
      this.cleanupEmptyChildNamespaces = cleanup;
      return this;
    }

    /**
     * The most children of dynamic namespaces that may exist at once (default 10,000; about 1.3 KB each
     * when empty). A CONNECT that would create one more gets {@code CONNECT_ERROR}
     * {@code {"message":"Too many namespaces"}} (its connection stays up), and a warning is logged,
     * rate-limited. Namespaces created with {@link SocketIoServer#of(String)} do not count.
     */
    public Builder maxDynamicNamespaces(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxDynamicNamespaces must be at least 1: " + max);
      }
      this.maxDynamicNamespaces = max;
      return this;
    }

    /**
     * The most one connection may hold of a binary packet whose attachments have not all arrived
     * (the characters of its header plus the bytes of the attachments so far). A connection past it
     * is closed, as for any packet the server cannot accept. Default: {@code (maxAttachments + 1) x
     * maxHttpBufferSize} (11 MB with the defaults), what the reference server accepts from one client:
     * a header and ten attachments of up to a message each.
     */
    public Builder maxPartialPacketBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxPartialPacketBytes must be positive: " + bytes);
      }
      this.maxPartialPacketBytes = bytes;
      return this;
    }

    /**
     * The most all connections together may hold of binary packets whose attachments have not all
     * arrived. A connection whose next attachment would pass it is closed (however little it holds
     * itself), and a warning is logged, rate-limited. Default: an eighth of the maximum heap
     * ({@code Runtime.maxMemory() / 8}: 32 MB at {@code -Xmx256m}, 512 MB at {@code -Xmx4g}).
     */
    public Builder partialPacketBudget(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("partialPacketBudget must be positive: " + bytes);
      }
      this.partialPacketBudget = bytes;
      return this;
    }

    /**
     * Limits how many events each socket may send: {@code perSecond} on average, with bursts of up to
     * {@code burst}. An event past the limit is dropped (its handlers do not run, its ack is never
     * answered) and a {@link LimitExceededException} reaches the socket's {@link Socket#onError}
     * listeners. Off by default, as in socket.io.
     */
    public Builder maxEventsPerSecond(double perSecond, int burst) {
      if (perSecond <= 0 || burst < 1) {
        throw new IllegalArgumentException("maxEventsPerSecond needs a positive rate and a burst of at least 1");
      }
      this.maxEventsPerSecond = perSecond;
      this.eventBurst = burst;
      return this;
    }

    /**
     * Limits how many rooms a socket may be in, besides the room of its own id; a {@link Socket#join}
     * past it throws {@link LimitExceededException}. Off by default, as in socket.io.
     */
    public Builder maxRoomsPerSocket(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxRoomsPerSocket must be at least 1: " + max);
      }
      this.maxRoomsPerSocket = max;
      return this;
    }

    /**
     * Turns connection state recovery on: a socket that loses its connection (transport close or
     * error, ping timeout, forced close, server shutdown) and comes back within
     * {@code maxDisconnectionDuration} gets its id, rooms and data back, and the events it missed are
     * replayed; with {@code skipMiddlewares} the connect middlewares do not run for it. Off by default.
     * Needs an adapter that supports recovery (the in-memory adapter does, on one node).
     */
    public Builder connectionStateRecovery(Duration maxDisconnectionDuration, boolean skipMiddlewares) {
      return connectionStateRecovery(new ConnectionStateRecovery(maxDisconnectionDuration, skipMiddlewares));
    }

    /** Turns connection state recovery on with these settings, or off with null. */
    public Builder connectionStateRecovery(ConnectionStateRecovery settings) {
      this.recovery = settings;
      return this;
    }

    /**
     * The Jackson mapper for event arguments (default: {@link SocketIoServer#defaultMapper()}). To
     * change a setting and keep the rest of the defaults, start from that one:
     *
     * <pre>{@code
     * ObjectMapper mapper = SocketIoServer.defaultMapper()
     *     .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
     * SocketIoServer io = SocketIoServer.builder().mapper(mapper).build();
     * }</pre>
     */
    public Builder mapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper == null");
      return this;
    }

    /** The adapter of every namespace (default: in memory). */
    public Builder adapter(Adapter.Factory factory) {
      this.adapterFactory = Objects.requireNonNull(factory, "factory == null");
      return this;
    }

    /** The executor handlers run on (default: virtual threads where available). */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** The timer service (tests pass a manual one). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * Receives every exception (and {@code Error}) thrown by user code, with the socket and event it
     * came from. The default logs at ERROR, rate-limited so that a client cannot flood the log: the
     * first failure of each handler and exception type with its stack trace, then one line per
     * {@link #errorLogInterval} with the count. A handler of your own replaces that logging and sees
     * every failure.
     */
    public Builder errorHandler(ErrorHandler handler) {
      this.errorHandler = Objects.requireNonNull(handler, "handler == null");
      return this;
    }

    /**
     * The interval over which the default error logging counts repeated failures of one handler and
     * exception type after logging the first with its stack trace (default 10 s); also used for
     * Parley's own warnings that a client could repeat (limits reached).
     */
    public Builder errorLogInterval(Duration interval) {
      Objects.requireNonNull(interval, "errorLogInterval == null");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("errorLogInterval must be positive: " + interval);
      }
      this.errorLogInterval = interval;
      return this;
    }

    /**
     * Registers an observer from the start (before the first connection); more may be added, here or
     * later with {@link SocketIoServer#observe}.
     */
    public Builder observer(ServerObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer == null"));
      return this;
    }

    /** Builds the server. It serves nothing until a host mounts it ({@code ParleyJetty.listen(io, port)}). */
    public SocketIoServer build() {
      return new SocketIoServer(this);
    }
  }
}
