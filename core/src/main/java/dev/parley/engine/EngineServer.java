package dev.parley.engine;

import dev.parley.internal.engine.Ids;
import dev.parley.internal.engine.LogText;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Engine.IO v4 server: checks requests, runs handshakes, keeps the session registry and owns the
 * executor and scheduler every session shares. It does no I/O itself; transport hosts (the polling
 * handler, the Jetty WebSocket endpoint) call {@link #verify}, {@link #handshake} and
 * {@link #offerUpgrade}.
 *
 * <pre>{@code
 * EngineServer engine = EngineServer.builder()
 *     .options(EngineOptions.builder().pingInterval(Duration.ofSeconds(10)).build())
 *     .build();
 * engine.onConnection(session -> session.setListener(new EngineSession.Listener() {
 *   public void onMessage(EngineSession s, EnginePacket p) { s.send(p); }
 *   public void onClose(EngineSession s, String reason) {}
 * }));
 * // mount it with ParleyHandler (transport-jetty), then later:
 * engine.close();
 * }</pre>
 */
// For engineers: why this file is over 500 lines. It is the Engine.IO server's one entry point and
// holds the request's whole way to a session in order: options and hooks, verification (the
// reference's error codes), admission (synchronous and asynchronous, before and after the hooks), the
// handshake and the upgrade offer, and the drain on close. About a quarter is javadoc of public API.
// Each step is short and reads in sequence; the per-session machinery lives in EngineSession's parts.
public final class EngineServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngineServer.class);
  /** Connections opened and requests refused, at DEBUG (docs/logging.md). */
  private static final Logger connections = LoggerFactory.getLogger("dev.parley.connections");

  static {
    // the operations Parley's other layers need and applications must not call
    dev.parley.internal.engine.EngineInternals.install(new InternalAccess());
  }

  private final EngineOptions options;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final ConcurrentHashMap<String, EngineSession> sessions = new ConcurrentHashMap<>();
  /** Writes broadcasts after their loop; this server's alone. */
  private final BroadcastFlusher broadcasts;
  private volatile Consumer<EngineSession> connectionHandler = s -> {};
  /** Set once a SocketIoServer has taken the connection handler (EngineInternals.claimConnections). */
  private volatile boolean claimed;
  private final java.util.concurrent.CopyOnWriteArrayList<HeadersHook> initialHeaders =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.CopyOnWriteArrayList<HeadersHook> headers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final EngineStats stats = new EngineStats();
  private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> perIp = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile boolean admitting = true;

  private EngineServer(Builder b) {
    this.options = b.options;
    this.ownsExecutor = b.executor == null;
    this.executor = ownsExecutor ? ParleyExecutors.handlerExecutor() : b.executor;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = ownsScheduler ? Scheduler.system() : b.scheduler;
    this.broadcasts = b.flushPool != null ? new BroadcastFlusher(b.flushPool, b.flushCores)
        : new BroadcastFlusher(executor);
  }

  public static Builder builder() {
    return new Builder();
  }

  public EngineOptions options() {
    return options;
  }

  /** The shared timer service. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The executor sessions run their work on. */
  public ExecutorService executor() {
    return executor;
  }

  /** The flusher of this server's broadcasts ({@code EngineInternals.sendTogether}). */
  BroadcastFlusher broadcasts() {
    return broadcasts;
  }

  /**
   * Sets the handler called for each new session, on the session's executor, before any of its
   * messages is delivered. Set a listener on the session there.
   *
   * @throws IllegalStateException on the engine of a {@code SocketIoServer} ({@code io.engine()}),
   *     whose Socket.IO layer is that handler: replacing it would cut every new connection off from
   *     Socket.IO
   */
  public void onConnection(Consumer<EngineSession> handler) {
    Objects.requireNonNull(handler, "handler == null");
    if (claimed) {
      throw new IllegalStateException("this engine's connections belong to a SocketIoServer: use "
          + "io.onConnection(socket -> ...) for Socket.IO connections, or an EngineServer of your own");
    }
    this.connectionHandler = handler;
  }

  /** For {@code EngineInternals.claimConnections}: sets the handler for good. */
  synchronized void claimConnections(Consumer<EngineSession> handler) {
    if (claimed) {
      throw new IllegalStateException("this engine's connections already belong to a SocketIoServer");
    }
    this.connectionHandler = Objects.requireNonNull(handler, "handler == null");
    this.claimed = true;
  }

  /**
   * Adds a hook for the headers of a handshake's response (the first polling request, or the WebSocket
   * upgrade that opens a session): the reference's {@code io.engine.on("initial_headers", ...)}. Hooks
   * run in the order added, before the {@link #onHeaders} hooks.
   *
   * <pre>{@code
   * engine.onInitialHeaders((headers, request) -> headers.put("Set-Cookie", List.of("lb=node-1; Path=/")));
   * }</pre>
   */
  public void onInitialHeaders(HeadersHook hook) {
    initialHeaders.add(Objects.requireNonNull(hook, "hook == null"));
  }

  /**
   * Adds a hook for the headers of every polling response of a session and every WebSocket upgrade (the
   * handshake's included): the reference's {@code io.engine.on("headers", ...)}. Refused requests (the
   * error answers of {@link #verify}) do not reach it.
   *
   * <pre>{@code
   * engine.onHeaders((headers, request) -> headers.put("X-Node", List.of("node-1")));
   * }</pre>
   */
  public void onHeaders(HeadersHook hook) {
    headers.add(Objects.requireNonNull(hook, "hook == null"));
  }

  /**
   * For transport hosts: runs the headers hooks for {@code request}, which {@link #verify} let through,
   * and returns the headers its response gets beyond the host's own. A request without {@code sid} is a
   * handshake: the {@link #onInitialHeaders} hooks run first. {@code seed} holds what the engine sets
   * already (the {@code io} cookie of a handshake), which the hooks may change; it is returned as it is
   * when no hook is registered.
   */
  public Map<String, List<String>> responseHeaders(EngineRequest request, Map<String, List<String>> seed) {
    boolean initial = request.query("sid") == null;
    if (headers.isEmpty() && (!initial || initialHeaders.isEmpty())) {
      return seed;
    }
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    seed.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    if (initial) {
      runHooks(initialHeaders, out, request);
    }
    runHooks(headers, out, request);
    return out;
  }

  private static void runHooks(List<HeadersHook> hooks, Map<String, List<String>> out, EngineRequest request) {
    for (HeadersHook hook : hooks) {
      try {
        hook.onHeaders(out, request);
      } catch (RuntimeException e) {
        log.error("headers hook threw for {}; its headers may be incomplete", request, e);
      }
    }
  }

  /**
   * A connection handler that promises never to block: the engine may then run it, and send the
   * OPEN packet, on the thread that completed the handshake (a Jetty thread), saving a thread hand-off
   * per connection. Socket.IO's own handler is one (it only creates its per-connection state).
   *
   * <pre>{@code
   * engine.onConnection((EngineServer.NonBlockingConnectionHandler) session ->
   *     session.setListener(new MyNonBlockingListener()));
   * }</pre>
   */
  public interface NonBlockingConnectionHandler extends Consumer<EngineSession> {}

  /** Counters of dropped packets and slow-consumer disconnects. */
  public EngineStats stats() {
    return stats;
  }

  /** The number of open sessions. */
  public int sessionCount() {
    return sessions.size();
  }

  /** The open session with id {@code sid}, or {@code null}. */
  public EngineSession session(String sid) {
    return sessions.get(sid);
  }

  /** Refuses new handshakes from now on (the first step of a graceful shutdown); open sessions go on. */
  public void stopAdmitting() {
    admitting = false;
  }

  /** True once {@link #close()} has been called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Checks a request the way the reference server does, in its order: transport, then (with a sid)
   * session and transport match, or (without) method, upgrade header, admission hooks and protocol
   * version. Returns {@code null} when the request may proceed. A refusal is counted in
   * {@link EngineStats#requestsRefused(EngineError)}.
   *
   * <p>With an {@link EngineOptions#admissionAsync() asynchronous admission hook}, a handshake waits
   * here, blocking the caller, until the hook answers: hosts call {@link #verify(EngineRequest, Consumer)}
   * instead, which does not block.
   */
  public Rejection verify(EngineRequest request) {
    if (options.admissionAsync() == null || request.query("sid") != null) {
      return verifyNow(request);
    }
    java.util.concurrent.CompletableFuture<Rejection> answer = new java.util.concurrent.CompletableFuture<>();
    verify(request, answer::complete);
    return answer.join();
  }

  /** Every check, the synchronous admission hook's included; not the asynchronous one. */
  private Rejection verifyNow(EngineRequest request) {
    Rejection rejection = checkBeforeAdmission(request);
    if (rejection != null || request.query("sid") != null) {
      return counted(request, rejection);
    }
    return counted(request, checkAfterAdmission(request, admit(request)));
  }

  private AdmissionHook.Decision admit(EngineRequest request) {
    try {
      return options.admission().check(request);
    } catch (RuntimeException e) {
      log.error("admission hook threw for {}; request refused", request, e);
      return AdmissionHook.Decision.refuse();
    }
  }

  /**
   * Checks a request as {@link #verify(EngineRequest)} does and hands the outcome ({@code null}: it
   * may proceed) to {@code then}: at once on the caller's thread, or, for a handshake that an
   * {@link AsyncAdmissionHook} decides, later on the thread that completes the hook's stage.
   *
   * <pre>{@code
   * engine.verify(request, rejection -> {
   *   if (rejection != null) respond(rejection.error().httpStatus(), rejection.json());
   *   else engine.handshake(transport, request);
   * });
   * }</pre>
   */
  public void verify(EngineRequest request, Consumer<Rejection> then) {
    AsyncAdmissionHook async = options.admissionAsync();
    if (async == null || request.query("sid") != null) {
      then.accept(verifyNow(request));
      return;
    }
    Rejection rejection = checkBeforeAdmission(request);
    if (rejection != null) {
      then.accept(counted(request, rejection));
      return;
    }
    AdmissionHook.Decision decision = admit(request);
    if (!decision.allowed() || async == null) {
      then.accept(counted(request, checkAfterAdmission(request, decision)));
      return;
    }
    java.util.concurrent.CompletionStage<AdmissionHook.Decision> stage;
    try {
      stage = Objects.requireNonNull(async.check(request), "the asynchronous admission hook returned null");
    } catch (RuntimeException e) {
      log.error("asynchronous admission hook threw for {}; request refused", request, e);
      then.accept(counted(request, checkAfterAdmission(request, AdmissionHook.Decision.refuse())));
      return;
    }
    stage.whenComplete((d, error) -> {
      AdmissionHook.Decision later = d;
      if (error != null || d == null) {
        log.error("asynchronous admission hook failed for {}; request refused", request, error);
        later = AdmissionHook.Decision.refuse();
      }
      then.accept(counted(request, checkAfterAdmission(request, later)));
    });
  }

  private Rejection counted(EngineRequest request, Rejection rejection) {
    if (rejection != null) {
      stats.refused(rejection.error());
      if (connections.isDebugEnabled()) {
        connections.debug("{} request from {} refused: {} ({}){}", request.method(), request.remoteAddress(),
            rejection.error(), rejection.message(), request.query("sid") == null ? "" : " for connection " + LogText.clip(request.query("sid")));
      }
    }
    return rejection;
  }

  /** The checks before admission; with a sid, all of them. */
  private Rejection checkBeforeAdmission(EngineRequest request) {
    TransportKind kind = TransportKind.fromWireName(request.query("transport"));
    if (kind == null || !options.transports().contains(kind)) {
      return new Rejection(EngineError.TRANSPORT_UNKNOWN);
    }
    String origin = request.header("Origin");
    if (origin != null && !validHeaderValue(origin)) {
      return new Rejection(EngineError.BAD_REQUEST);
    }
    String sid = request.query("sid");
    if (sid != null) {
      EngineSession session = sessions.get(sid);
      if (session == null) {
        return new Rejection(EngineError.SESSION_ID_UNKNOWN);
      }
      if (!"4".equals(request.query("EIO"))) {
        return new Rejection(EngineError.BAD_REQUEST);
      }
      if (!request.upgrade() && session.transportKind() != kind) {
        return new Rejection(EngineError.BAD_REQUEST);
      }
      return null;
    }
    if (closed || !admitting) {
      return new Rejection(EngineError.BAD_REQUEST, "Server is shutting down");
    }
    if (!"GET".equals(request.method())) {
      return new Rejection(EngineError.BAD_HANDSHAKE_METHOD);
    }
    if (kind == TransportKind.WEBSOCKET && !request.upgrade()) {
      return new Rejection(EngineError.BAD_REQUEST);
    }
    return null;
  }

  /** The checks of a handshake after the admission {@code decision}. */
  private Rejection checkAfterAdmission(EngineRequest request, AdmissionHook.Decision decision) {
    if (!decision.allowed()) {
      return new Rejection(EngineError.FORBIDDEN, decision.message());
    }
    if (closed || !admitting) {
      return new Rejection(EngineError.BAD_REQUEST, "Server is shutting down"); // while the hook decided
    }
    int maxPerIp = options.maxConnectionsPerIp();
    if (maxPerIp > 0) {
      java.util.concurrent.atomic.AtomicInteger n = perIp.get(request.remoteAddress());
      if (n != null && n.get() >= maxPerIp) {
        return new Rejection(EngineError.FORBIDDEN, "Too many connections");
      }
    }
    if (!"4".equals(request.query("EIO"))) {
      return new Rejection(EngineError.UNSUPPORTED_PROTOCOL_VERSION);
    }
    return null;
  }

  /**
   * Opens a session on {@code transport} for a request that passed {@link #verify}: registers it,
   * queues the open packet and starts the heartbeat. The connection handler runs before any packet
   * from the client is handled.
   */
  public EngineSession handshake(Transport transport, EngineRequest request) {
    Objects.requireNonNull(transport, "transport == null");
    String sid = Ids.random();
    EngineSession session = new EngineSession(sid, this, request, transport, executor);
    sessions.put(sid, session);
    if (options.maxConnectionsPerIp() > 0) {
      perIp.computeIfAbsent(request.remoteAddress(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
    }
    if (connections.isDebugEnabled()) {
      connections.debug("connection {} opened from {} over {}", sid, request.remoteAddress(), transport.kind().wireName());
    }
    String json = handshakeJson(sid, transport.kind());
    Consumer<EngineSession> handler = connectionHandler;
    boolean fix = claimed;
    Runnable start = () -> {
      session.start(json);
      try {
        handler.accept(session);
      } catch (RuntimeException e) {
        log.error("connection handler threw for session {}", sid, e);
      }
      if (fix) {
        session.fixListener(); // a SocketIoServer's: its Client is the listener for good
      }
    };
    if (handler instanceof NonBlockingConnectionHandler) {
      session.executeInline(start); // on the handshake's thread when the new lane is free (it is)
    } else {
      session.executor().execute(start);
    }
    if (closed) {
      session.terminate("server shutting down");
    }
    return session;
  }

  /**
   * Offers a freshly opened WebSocket to the session {@code sid} as an upgrade. Returns false when
   * the session is gone, already upgraded or upgrading; the caller then closes the WebSocket.
   */
  public boolean offerUpgrade(String sid, Transport webSocket) {
    EngineSession session = sessions.get(sid);
    return session != null && session.offerUpgrade(webSocket);
  }

  /** The handshake JSON with exactly the five keys the protocol defines. */
  String handshakeJson(String sid, TransportKind kind) {
    boolean canUpgrade = kind == TransportKind.POLLING && options.allowUpgrades()
        && options.transports().contains(TransportKind.WEBSOCKET);
    return "{\"sid\":\"" + sid + "\",\"upgrades\":" + (canUpgrade ? "[\"websocket\"]" : "[]")
        + ",\"pingInterval\":" + options.pingIntervalMillis()
        + ",\"pingTimeout\":" + options.pingTimeoutMillis()
        + ",\"maxPayload\":" + options.maxHttpBufferSize() + "}";
  }

  void remove(EngineSession session) {
    if (sessions.remove(session.id(), session) && options.maxConnectionsPerIp() > 0) {
      perIp.computeIfPresent(session.request().remoteAddress(), (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /**
   * Closes every session (clients are told where the transport allows) and stops the threads this
   * server started. Sessions get up to one second to deliver what is queued and their close; then they
   * are ended. See {@link #close(java.time.Duration)} for a longer drain.
   */
  @Override
  public void close() {
    close(java.time.Duration.ofSeconds(1));
  }

  /**
   * Graceful shutdown: new handshakes are refused at once; every session delivers what is queued for
   * it, then its close packet; sessions still open at {@code drainTimeout} (a client that stopped
   * reading, a polling client that does not poll) are ended; then the threads this server started stop.
   */
  public void close(java.time.Duration drainTimeout) {
    Objects.requireNonNull(drainTimeout, "drainTimeout == null");
    if (closed) {
      return;
    }
    closed = true;
    List<EngineSession> open = new ArrayList<>(sessions.values());
    for (EngineSession s : open) {
      s.closeForShutdown();
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (!sessions.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (EngineSession s : new ArrayList<>(sessions.values())) {
      s.terminate("server shutting down");
    }
    if (ownsExecutor) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    sessions.clear();
    if (ownsScheduler) {
      scheduler.close();
    }
  }

  private static boolean validHeaderValue(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  /**
   * Why a request was refused: an {@link EngineError} and the message sent to the client.
   *
   * <pre>{@code
   * EngineServer.Rejection r = engine.verify(request);
   * if (r != null) respond(r.error().httpStatus(), r.json());
   * }</pre>
   */
  public static final class Rejection {
    private final EngineError error;
    private final String message;

    public Rejection(EngineError error) {
      this(error, error.message());
    }

    public Rejection(EngineError error, String message) {
      this.error = Objects.requireNonNull(error, "error == null");
      this.message = Objects.requireNonNull(message, "message == null");
    }

    public EngineError error() {
      return error;
    }

    public String message() {
      return message;
    }

    /** The JSON body for a polling response. */
    public String json() {
      return error.toJson(message);
    }

    @Override
    public String toString() {
      return json();
    }
  }

  /** Builds an {@link EngineServer}; executor and scheduler default to ones the server owns. */
  public static final class Builder {
    private EngineOptions options = EngineOptions.defaults();
    private ExecutorService executor;
    private Scheduler scheduler;
    private java.util.concurrent.Executor flushPool;
    private int flushCores;

    private Builder() {}

    public Builder options(EngineOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * The executor sessions run on (the user's handlers too). Parley does not shut down an executor
     * it did not create. Default: {@link ParleyExecutors#handlerExecutor()}.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** The timer service; default {@link Scheduler#system()}, closed with the server. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /** Tests: the pool a broadcast's flush tasks go to, and the cores it assumes (default: the executor's, the machine's). */
    Builder flushPool(java.util.concurrent.Executor pool, int cores) {
      this.flushPool = pool;
      this.flushCores = cores;
      return this;
    }

    public EngineServer build() {
      return new EngineServer(this);
    }
  }
}
