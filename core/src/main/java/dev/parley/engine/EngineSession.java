package dev.parley.engine;

import dev.parley.engine.protocol.EnginePacket;
import dev.parley.engine.protocol.EnginePacketType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session: a client known by its {@link #id()}, reachable over one transport at a time,
 * that may switch from long-polling to WebSocket without losing, duplicating or reordering a packet.
 *
 * <p>All state changes run on the session's own serial executor, so packets from one client are
 * handled in order while different clients run in parallel. {@link #send} and {@link #close} may be
 * called from any thread and never block: packets go into a lock-free outbox that is flushed to the
 * transport whenever it is writable, in one batch.
 *
 * <pre>{@code
 * engine.onConnection(session -> {
 *   session.setListener(new EngineSession.Listener() {
 *     public void onMessage(EngineSession s, EnginePacket packet) { s.send(packet); } // echo
 *     public void onClose(EngineSession s, String reason) { log.info("closed: {}", reason); }
 *   });
 * });
 * }</pre>
 */
public final class EngineSession {
  private static final Logger log = LoggerFactory.getLogger(EngineSession.class);
  private static final long UPGRADE_NOOP_INTERVAL_MILLIS = 100;
  /**
   * A polling client that sends {@code 1} may have a GET on its way on another connection; the
   * session waits this long for it, to release it with a noop instead of answering it 400.
   */
  private static final long CLIENT_CLOSE_GRACE_MILLIS = 200;

  /**
   * Receives a session's messages and its close, on the session's executor (in order, never two at a
   * time). Implementations may block, which holds up only this session.
   */
  public interface Listener {
    /** A message packet (text or binary) arrived. */
    void onMessage(EngineSession session, EnginePacket packet);

    /**
     * The session closed. Reasons are the reference server's: {@code "transport close"},
     * {@code "transport error"}, {@code "ping timeout"}, {@code "parse error"}, {@code "forced close"},
     * {@code "server shutting down"}.
     */
    void onClose(EngineSession session, String reason);
  }

  /**
   * A {@link Listener} that promises never to block and to return quickly: the session may then call
   * it on the thread that brought the event (a Jetty I/O thread that read the packet, a thread that
   * flushed), saving a thread hand-off per packet. Socket.IO's own listener is one; it hands user code
   * to a lane of its own. Listeners that may block implement plain {@link Listener} and are always
   * called on the session's executor.
   *
   * <pre>{@code
   * session.setListener(new EngineSession.NonBlockingListener() {
   *   public void onMessage(EngineSession s, EnginePacket packet) { s.send(packet); } // echo, never blocks
   *   public void onClose(EngineSession s, String reason) { counter.decrementAndGet(); }
   * });
   * }</pre>
   */
  public interface NonBlockingListener extends Listener {}

  private enum State { OPEN, CLOSING, CLOSED }

  private final String id;
  private final EngineServer server;
  private final EngineOptions options;
  private final EngineRequest request;
  private final Scheduler scheduler;
  private final SerialExecutor executor;

  private final ConcurrentLinkedQueue<EnginePacket> outbox = new ConcurrentLinkedQueue<>();
  // The counters and flags below are volatile fields changed through VarHandles, not Atomic* objects:
  // every connection has a session, and each Atomic* would be an object of its own. Every call is
  // exact (the result cast, the arguments of the field's type): an inexact VarHandle call is adapted
  // through asType at run time.
  private volatile boolean flushScheduled;
  private volatile long bufferedBytes;
  private volatile boolean overflowed;
  /** While above zero, packets are queued but not written ({@link #cork()}). */
  private volatile int corks;
  private final Runnable flushTask = this::runFlush;
  /**
   * Bytes of received messages the listener queued and has not handled yet ({@link #inputQueued},
   * {@link #inputHandled}). Past {@link #inputLimit()} the transport stops reading.
   */
  private volatile long inputBacklog;
  /** Set while the transport has stopped reading: run once when the backlog is down to half the limit. */
  private volatile Runnable inputResume;

  private volatile State state = State.OPEN;
  private volatile Transport transport;
  private volatile Listener listener;
  /** True while the listener is a {@link NonBlockingListener}: events and flushes may then run inline. */
  private volatile boolean inline = true;
  /** What transports hand their events to: inline when allowed, else the session's executor. */
  private final Executor events = this::dispatch;

  // upgrade state (session executor only)
  private Transport probe;
  private boolean probed;
  private volatile boolean upgrading;
  private volatile boolean upgraded;
  private Scheduler.Cancellable upgradeTimer = Scheduler.Cancellable.NONE;
  private Scheduler.Cancellable noopTimer = Scheduler.Cancellable.NONE;

  // heartbeat state (session executor only)
  private Scheduler.Cancellable pingTimer = Scheduler.Cancellable.NONE;
  private Scheduler.Cancellable pingTimeoutTimer = Scheduler.Cancellable.NONE;
  private long pingSeq;
  private boolean awaitingPong;

  // close state (session executor only)
  private Scheduler.Cancellable closeTimer = Scheduler.Cancellable.NONE;
  private boolean closePacketQueued;
  private boolean closePacketSent;
  /** Polling only: the close packet waits for the next GET, after the data queued before it. */
  private boolean closeDeferred;
  private boolean clientClosing;
  private String closeReason;

  EngineSession(String id, EngineServer server, EngineRequest request, Transport transport, Executor shared) {
    this.id = id;
    this.server = server;
    this.options = server.options();
    this.request = request;
    this.scheduler = server.scheduler();
    this.executor = new SerialExecutor(shared);
    this.transport = transport;
    this.listener = NO_LISTENER;
    transport.bind(new Events(transport), events);
  }

  /** The session id ({@code sid}), 20 unguessable base64url characters. */
  public String id() {
    return id;
  }

  /** The handshake request that opened this session. */
  public EngineRequest request() {
    return request;
  }

  /** The transport in use now; changes from polling to WebSocket on upgrade. */
  public TransportKind transportKind() {
    return transport.kind();
  }

  /**
   * The transport object in use now. For transport hosts (a polling request must reach the session's
   * polling transport); application code has no need of it.
   */
  public Transport transport() {
    return transport;
  }

  /** True when the session has switched to WebSocket after starting on polling. */
  public boolean upgraded() {
    return upgraded;
  }

  /** True until the session starts closing. */
  public boolean isOpen() {
    return state == State.OPEN;
  }

  /**
   * The executor this session handles its events on. Work submitted here runs in order with the
   * session's packets, one task at a time.
   */
  public Executor executor() {
    return executor;
  }

  /** Sets who receives messages and the close; call it from the server's connection handler. */
  public void setListener(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener == null");
    this.inline = listener instanceof NonBlockingListener;
  }

  /** Runs {@code task} on this session's lane, on the calling thread if the lane is idle. */
  void executeInline(Runnable task) {
    executor.executeInline(task);
  }

  /** Runs a session task on the calling thread when that is allowed and the lane is idle. */
  private void dispatch(Runnable task) {
    if (inline) {
      executor.executeInline(task);
    } else {
      executor.execute(task);
    }
  }

  /** Sends a text message; from any thread, never blocks. Ignored once the session is closing. */
  public void send(String text) {
    send(EnginePacket.message(text));
  }

  /** Sends a binary message; from any thread, never blocks. The array must not change afterwards. */
  public void send(byte[] data) {
    send(EnginePacket.message(data));
  }

  /**
   * Queues a packet; from any thread, never blocks. The same packet instance may be sent to many
   * sessions (a broadcast encodes once). Ignored once the session is closing.
   */
  public void send(EnginePacket packet) {
    if (state != State.OPEN) {
      return;
    }
    outbox.add(packet);
    account(packet.wireSize());
    scheduleFlush();
  }

  /** Queues several packets so they reach the client together and in order. */
  public void send(List<EnginePacket> packets) {
    if (state != State.OPEN) {
      return;
    }
    outbox.addAll(packets);
    long bytes = 0;
    for (EnginePacket p : packets) {
      bytes += p.wireSize();
    }
    account(bytes);
    scheduleFlush();
  }

  /**
   * Holds writing back until {@link #uncork()}: packets sent meanwhile (from any thread) are queued
   * and leave together, in order, when the last cork is removed. Socket.IO uses it so a client
   * cannot see its CONNECT before the application's connection handler has run (joined rooms,
   * emitted a welcome), as on Node's single thread. Keep it short: heartbeats wait too.
   *
   * <pre>{@code
   * session.cork();
   * try {
   *   session.send(first);
   *   session.send(second); // both leave together
   * } finally {
   *   session.uncork();
   * }
   * }</pre>
   */
  public void cork() {
    int unused = (int) CORKS.getAndAdd(this, 1); // an exact call site: (int) and an int argument
  }

  /** Removes one {@link #cork()}; the last one flushes what was queued. */
  public void uncork() {
    if ((int) CORKS.getAndAdd(this, -1) - 1 <= 0) {
      corks = 0;
      if (!outbox.isEmpty()) {
        scheduleFlush();
      }
    }
  }

  /** Bytes queued for this client and not yet handed to the transport. */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  /** Executor only: queues an internal packet (open, close), counted but never refused. */
  private void enqueue(EnginePacket p) {
    outbox.add(p);
    long unused = (long) BUFFERED_BYTES.getAndAdd(this, (long) p.wireSize());
  }

  private void account(long bytes) {
    if ((long) BUFFERED_BYTES.getAndAdd(this, bytes) + bytes > options.maxBufferedBytes()
        && OVERFLOWED.compareAndSet(this, false, true)) {
      server.stats().slowConsumerDisconnected();
      log.info("session {}: {} bytes waiting for a client that cannot keep up; disconnecting (slow consumer)",
          id, bufferedBytes);
      terminate("slow consumer");
    }
  }

  /**
   * Queues packets only if they can leave at once: nothing else is waiting and the transport is
   * writable. Otherwise they are dropped, the behaviour of socket.io's {@code volatile} flag. From any
   * thread; returns whether the packets were queued.
   */
  public boolean sendIfWritable(List<EnginePacket> packets) {
    if (state != State.OPEN || !outbox.isEmpty() || !transport.isWritable()) {
      server.stats().droppedPacket();
      return false;
    }
    send(packets);
    return true;
  }

  /**
   * Closes the session gracefully: what is queued is delivered, then the client is told ({@code 1})
   * and the transport closed. The listener sees reason {@code "forced close"}. From any thread.
   */
  public void close() {
    executor.execute(() -> startClose("forced close"));
  }

  void closeForShutdown() {
    executor.execute(() -> startClose("server shutting down"));
  }

  /** Ends the session at once without telling the client more than the transport can. */
  void terminate(String reason) {
    executor.execute(() -> finish(reason));
  }

  @Override
  public String toString() {
    return "EngineSession{" + id + ", " + transport.kind().wireName() + ", " + state + "}";
  }

  // ---------------------------------------------------------------- lifecycle (executor only)

  /** Runs on the executor right after the handshake: sends OPEN and starts the heartbeat. */
  void start(String handshakeJson) {
    enqueue(EnginePacket.open(handshakeJson));
    flush();
    schedulePing();
  }

  private void startClose(String reason) {
    if (state != State.OPEN) {
      return;
    }
    state = State.CLOSING;
    closeReason = reason;
    enqueue(EnginePacket.CLOSE);
    closePacketQueued = true;
    flush();
    if (state == State.CLOSING) {
      // a polling client with no GET pending: wait for one, but not forever
      closeTimer = scheduler.schedule(() -> executor.execute(() -> finish(reason)), options.closeTimeoutMillis());
    }
  }

  private void finish(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    pingTimer.cancel();
    pingTimeoutTimer.cancel();
    closeTimer.cancel();
    abortUpgrade();
    outbox.clear();
    server.remove(this);
    bufferedBytes = 0;
    transport.close(!closePacketSent);
    Listener l = listener;
    listener = NO_LISTENER;
    try {
      l.onClose(this, reason);
    } catch (RuntimeException e) {
      log.error("session {}: close listener threw", id, e);
    }
  }

  // ---------------------------------------------------------------- writing

  private void scheduleFlush() {
    if (corks > 0) {
      return; // uncork() flushes
    }
    if (FLUSH_SCHEDULED.compareAndSet(this, false, true)) {
      List<EngineSession> deferred = inline ? DEFERRED.get() : null;
      if (deferred != null) {
        deferred.add(this); // sendTogether flushes it with the others
      } else {
        dispatch(flushTask);
      }
    }
  }

  // ---------------------------------------------------------------- broadcasts

  /** Sessions sent to inside {@link #sendTogether} on this thread, flushed when it ends. */
  private static final ThreadLocal<List<EngineSession>> DEFERRED = new ThreadLocal<>();
  /** Up to this many sessions a broadcast flushes on the calling thread; more are split over the pool. */
  private static final int INLINE_FLUSHES = 64;
  /** Recipients per flush task: big enough to amortise the hand-off, small enough to spread. */
  private static final int FLUSHES_PER_TASK = 256;
  /** Flush tasks in flight, all servers; beyond the bound the broadcaster flushes itself (backpressure). */
  private static final java.util.concurrent.atomic.AtomicInteger FLUSH_TASKS = new java.util.concurrent.atomic.AtomicInteger();
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private static final int MAX_FLUSH_TASKS = 8 * CORES;

  /**
   * Runs {@code sends} (which queues packets for many sessions, a broadcast) and then flushes every
   * session it queued to: a few on this thread, many split into tasks on {@code pool} so the
   * writes of a large broadcast proceed on every core while the caller goes on (its ack, its next
   * event). A session whose flush is still pending when the next broadcast comes gets both packets
   * in one write; so while earlier flush tasks still run, a broadcast gets only as many tasks as
   * there are idle cores (at least one), which leaves more packets to share a write. Once too many
   * flush tasks are in flight the caller flushes itself, which slows the broadcaster down rather
   * than letting queues grow. Nested calls join the outermost one.
   *
   * <pre>{@code
   * EngineSession.sendTogether(engine.executor(), () -> {
   *   for (EngineSession s : recipients) {
   *     s.send(packet); // queued; written after the loop, in parallel
   *   }
   * });
   * }</pre>
   */
  public static void sendTogether(Executor pool, Runnable sends) {
    if (DEFERRED.get() != null) {
      sends.run();
      return;
    }
    List<EngineSession> sessions = new ArrayList<>();
    DEFERRED.set(sessions);
    try {
      sends.run();
    } finally {
      DEFERRED.remove();
      flushAll(pool, sessions);
    }
  }

  private static void flushAll(Executor pool, List<EngineSession> sessions) {
    int n = sessions.size();
    if (n <= INLINE_FLUSHES) {
      flushEach(sessions);
      return;
    }
    // enough tasks to keep every core writing, no more: each hand-off costs. While earlier
    // broadcasts are still being written (they overlap: the server is saturated), only as many as
    // there are cores not busy with them, at least one: the writes then trail the queues, more
    // sessions have several frames waiting when their turn comes, and each gets them in one write
    int wanted = Math.min((n + FLUSHES_PER_TASK - 1) / FLUSHES_PER_TASK, 2 * CORES);
    int busy = FLUSH_TASKS.get();
    int tasks = busy == 0 ? wanted : Math.max(1, Math.min(wanted, CORES - busy));
    int size = (n + tasks - 1) / tasks;
    for (int from = 0; from < n; from += size) {
      List<EngineSession> part = sessions.subList(from, Math.min(n, from + size));
      if (FLUSH_TASKS.incrementAndGet() > MAX_FLUSH_TASKS) {
        FLUSH_TASKS.decrementAndGet();
        flushEach(part);
        continue;
      }
      try {
        pool.execute(() -> {
          try {
            flushEach(part);
          } finally {
            FLUSH_TASKS.decrementAndGet();
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        FLUSH_TASKS.decrementAndGet();
        flushEach(part); // shutting down: no pool any more
      }
    }
  }

  private static void flushEach(List<EngineSession> sessions) {
    for (int i = 0, n = sessions.size(); i < n; i++) {
      EngineSession s = sessions.get(i);
      s.dispatch(s.flushTask);
    }
  }

  private void runFlush() {
    flushScheduled = false;
    flush();
  }

  private void flush() {
    // a transport whose writes complete at once is writable again right after send(): loop
    while (flushOnce()) {
      // next batch
    }
  }

  /** One batch to the transport; true when another may follow at once. */
  private boolean flushOnce() {
    if (state == State.CLOSED || corks > 0) {
      return false;
    }
    Transport t = transport;
    if (closeDeferred) {
      if (t.isWritable()) {
        closeDeferred = false;
        t.send(List.of(EnginePacket.CLOSE));
        closePacketSent = true;
        finish(closeReason);
      }
      return false;
    }
    if (outbox.isEmpty()) {
      return false;
    }
    if (!t.isWritable()) {
      return false; // onDrain will call again
    }
    EnginePacket first = outbox.poll();
    boolean closing = first == EnginePacket.CLOSE && closePacketQueued;
    long bytes = first.wireSize();
    List<EnginePacket> batch;
    if (closing || outbox.peek() == null) {
      batch = List.of(first); // the common case of a broadcast: one packet, no list to grow
    } else {
      batch = new ArrayList<>();
      batch.add(first);
      EnginePacket p;
      while ((p = outbox.poll()) != null) {
        batch.add(p);
        bytes += p.wireSize();
        if (p == EnginePacket.CLOSE && closePacketQueued) {
          closing = true;
          break;
        }
      }
    }
    long unused = (long) BUFFERED_BYTES.getAndAdd(this, -bytes);
    if (closing && batch.size() > 1 && t.kind() == TransportKind.POLLING) {
      // As engine.io does: the data goes first, the close in the next poll. Clients handle the
      // packets of one poll response asynchronously and would act on the close before, e.g., a
      // Socket.IO DISCONNECT in the same payload.
      batch.remove(batch.size() - 1);
      closing = false;
      closeDeferred = true;
    }
    t.send(batch);
    if (closing) {
      closePacketSent = true;
      finish(closeReason);
      return false;
    }
    return !outbox.isEmpty() && t == transport && t.isWritable();
  }

  // ---------------------------------------------------------------- heartbeat

  private void schedulePing() {
    pingTimer.cancel();
    pingTimer = scheduler.schedule(() -> executor.execute(this::sendPing), options.pingIntervalMillis());
  }

  private void sendPing() {
    if (state != State.OPEN) {
      return;
    }
    pingTimer = Scheduler.Cancellable.NONE; // it fired: let its task go while the pong is awaited
    long seq = ++pingSeq;
    awaitingPong = true;
    send(EnginePacket.PING);
    pingTimeoutTimer.cancel();
    pingTimeoutTimer = scheduler.schedule(() -> executor.execute(() -> {
      if (awaitingPong && seq == pingSeq) {
        finish("ping timeout");
      }
    }), options.pingTimeoutMillis());
  }

  private void onPong() {
    if (!awaitingPong) {
      return;
    }
    awaitingPong = false;
    pingTimeoutTimer.cancel();
    pingTimeoutTimer = Scheduler.Cancellable.NONE; // a cancelled future kept per idle session is garbage
    schedulePing();
  }

  // ---------------------------------------------------------------- reading

  private void onPacket(EnginePacket packet) {
    if (state == State.CLOSING && packet.type() == EnginePacketType.CLOSE) {
      // the server is closing and the client agrees: no need to wait for a GET to carry our close
      transport.close(false);
      finish(closeReason);
      return;
    }
    if (state != State.OPEN) {
      return;
    }
    switch (packet.type()) {
      case MESSAGE:
        try {
          listener.onMessage(this, packet);
        } catch (RuntimeException e) {
          log.error("session {}: message listener threw", id, e);
        }
        break;
      case PONG:
        onPong();
        break;
      case PING:
        log.debug("session {}: client ping in v4 (invalid heartbeat direction)", id);
        finish("transport error");
        break;
      case CLOSE:
        if (transport.kind() == TransportKind.POLLING && !transport.isWritable()) {
          // no GET pending: one may still be in flight (HTTP/1.1 connections race); wait for it briefly
          state = State.CLOSING;
          clientClosing = true;
          closeTimer = scheduler.schedule(() -> executor.execute(() -> finish("transport close")),
              CLIENT_CLOSE_GRACE_MILLIS);
        } else {
          transport.close(false);
          finish("transport close");
        }
        break;
      default:
        break; // UPGRADE, NOOP or OPEN on the active transport: nothing to do
    }
  }

  // ---------------------------------------------------------------- upgrade

  /**
   * Offers a new WebSocket for this session (called by the host on the upgrade request's thread).
   * Returns false, and leaves closing it to the caller, when the session cannot upgrade now.
   */
  synchronized boolean offerUpgrade(Transport ws) {
    if (state != State.OPEN || upgraded || upgrading || !options.allowUpgrades()
        || transport.kind() == TransportKind.WEBSOCKET) {
      return false;
    }
    upgrading = true;
    ws.bind(new Events(ws), events);
    executor.execute(() -> {
      if (state != State.OPEN) {
        upgrading = false;
        ws.close(false);
        return;
      }
      probe = ws;
      probed = false;
      upgradeTimer = scheduler.schedule(() -> executor.execute(() -> {
        if (probe == ws) {
          log.debug("session {}: upgrade timed out", id);
          abortUpgrade();
        }
      }), options.upgradeTimeoutMillis());
    });
    return true;
  }

  private void onProbePacket(Transport ws, EnginePacket packet) {
    if (packet.type() == EnginePacketType.PING && "probe".equals(packet.text()) && !probed) {
      probed = true;
      ws.send(List.of(EnginePacket.PONG_PROBE));
      releasePendingPoll();
    } else if (packet.type() == EnginePacketType.UPGRADE && probed) {
      completeUpgrade(ws);
    } else {
      log.debug("session {}: unexpected {} on probe transport; upgrade aborted", id, packet);
      abortUpgrade();
    }
  }

  /** While upgrading, a pending long-poll GET is answered with a noop so the client can pause. */
  private void releasePendingPoll() {
    noopTimer.cancel();
    if (probe == null || upgraded) {
      return;
    }
    Transport t = transport;
    if (t.kind() == TransportKind.POLLING && t.isWritable() && outbox.isEmpty()) {
      t.send(List.of(EnginePacket.NOOP));
    }
    noopTimer = scheduler.schedule(() -> executor.execute(this::releasePendingPoll), UPGRADE_NOOP_INTERVAL_MILLIS);
  }

  private void completeUpgrade(Transport ws) {
    upgradeTimer.cancel();
    noopTimer.cancel();
    Transport old = transport;
    probe = null;
    transport = ws;
    upgraded = true;
    upgrading = false;
    old.discard();
    log.debug("session {}: upgraded to websocket", id);
    flush();
  }

  private void abortUpgrade() {
    upgradeTimer.cancel();
    noopTimer.cancel();
    Transport ws = probe;
    probe = null;
    upgrading = false;
    if (ws != null) {
      ws.close(false);
    }
  }

  /**
   * Counts {@code bytes} of a received message that the listener has queued to handle later (on a
   * thread of its own), until {@link #inputHandled} with the same count. While more than twice
   * {@code maxHttpBufferSize} is queued, the transport stops reading from the client (a WebSocket
   * is not read, a polling POST is not answered), so a client that sends faster than its handlers
   * run is held back by TCP instead of filling the heap; reading resumes once half of it is handled.
   * Socket.IO's layer does this for every event; a listener that handles messages at once need not.
   *
   * <pre>{@code
   * public void onMessage(EngineSession s, EnginePacket m) {
   *   int size = m.wireSize();
   *   s.inputQueued(size);
   *   worker.execute(() -> { try { handle(m); } finally { s.inputHandled(size); } });
   * }
   * }</pre>
   */
  public void inputQueued(long bytes) {
    INPUT_BACKLOG.getAndAdd(this, bytes);
  }

  /** The listener has handled a message counted by {@link #inputQueued}; may resume reading. */
  public void inputHandled(long bytes) {
    long backlog = (long) INPUT_BACKLOG.getAndAdd(this, -bytes) - bytes;
    if (inputResume != null && backlog <= inputLimit() / 2) {
      Runnable resume = (Runnable) INPUT_RESUME.getAndSet(this, (Runnable) null);
      if (resume != null) {
        resume.run();
      }
    }
  }

  /** Bytes of received messages queued and not yet handled (see {@link #inputQueued}). */
  public long inputBacklog() {
    return inputBacklog;
  }

  /** Past this many bytes queued by the listener, the transport stops reading. */
  private long inputLimit() {
    return 2L * options.maxHttpBufferSize();
  }

  private boolean inputOverLimit() {
    return inputBacklog > inputLimit();
  }

  /**
   * The transport asks, after handing over what it read, whether to read on: true means stop, and
   * {@code resume} will run once (on the thread that handles the backlog down) to start again.
   */
  private boolean pauseInput(Runnable resume) {
    if (!inputOverLimit()) {
      return false;
    }
    INPUT_RESUME.setVolatile(this, resume);
    if (inputBacklog <= inputLimit() / 2 && INPUT_RESUME.compareAndSet(this, resume, (Runnable) null)) {
      return false; // handled down meanwhile, before the resume was seen: read on
    }
    server.stats().inputPaused();
    return true;
  }

  /** Routes a transport's events by whether it is the active transport, the probe, or stale. */
  private final class Events implements Transport.Listener {
    private final Transport source;

    Events(Transport source) {
      this.source = source;
    }

    @Override
    public void onPacket(EnginePacket packet) {
      if (source == transport) {
        EngineSession.this.onPacket(packet);
      } else if (source == probe) {
        onProbePacket(source, packet);
      }
    }

    @Override
    public boolean pauseInput(Runnable resume) {
      return source == transport && EngineSession.this.pauseInput(resume);
    }

    @Override
    public boolean inputBacklogged() {
      return source == transport && inputOverLimit();
    }

    @Override
    public void onDrain() {
      if (source != transport) {
        return;
      }
      if (clientClosing) {
        transport.close(false); // the GET that was in flight gets its noop
        finish("transport close");
      } else {
        flush();
      }
    }

    @Override
    public void onClose() {
      if (source == transport) {
        finish("transport close");
      } else if (source == probe) {
        abortUpgrade();
      }
    }

    @Override
    public void onParseError(String detail) {
      if (source == transport) {
        log.debug("session {}: parse error: {}", id, detail);
        finish("parse error");
      } else if (source == probe) {
        abortUpgrade();
      }
    }

    @Override
    public void onError(String detail, Throwable cause) {
      if (source == transport) {
        log.debug("session {}: transport error: {}", id, detail, cause);
        finish("transport error");
      } else if (source == probe) {
        abortUpgrade();
      }
    }
  }

  private static final VarHandle FLUSH_SCHEDULED =
      VarHandles.field(MethodHandles.lookup(), EngineSession.class, "flushScheduled", boolean.class);
  private static final VarHandle BUFFERED_BYTES =
      VarHandles.field(MethodHandles.lookup(), EngineSession.class, "bufferedBytes", long.class);
  private static final VarHandle OVERFLOWED =
      VarHandles.field(MethodHandles.lookup(), EngineSession.class, "overflowed", boolean.class);
  private static final VarHandle CORKS =
      VarHandles.field(MethodHandles.lookup(), EngineSession.class, "corks", int.class);
  private static final VarHandle INPUT_BACKLOG =
      VarHandles.field(MethodHandles.lookup(), EngineSession.class, "inputBacklog", long.class);
  private static final VarHandle INPUT_RESUME =
      VarHandles.field(MethodHandles.lookup(), EngineSession.class, "inputResume", Runnable.class);

  private static final Listener NO_LISTENER = new Listener() {
    @Override
    public void onMessage(EngineSession session, EnginePacket packet) {}

    @Override
    public void onClose(EngineSession session, String reason) {}
  };
}
