package dev.parley.engine;

import java.util.List;
import java.util.Objects;
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
// For engineers: this class is the session's state machine; its parts live beside it, each in its
// own file: Outbox (queue, byte count, corks), Heartbeat, UpgradeProbe (one per offered upgrade),
// InputGate (read back-pressure), TransportEvents (routes each transport's events), and the server's
// BroadcastFlusher. About 550 lines, a third of them the public API's javadoc: the state machine's
// fields and transitions stay in this one file so they can be read in one place. Who runs what:
// - the session's lane (a SerialExecutor over the server's pool; a task may run inline on the calling
//   thread when the lane is idle and the listener is non-blocking): every transport event (Events),
//   the flush loop, the heartbeat, the upgrade, startClose and finish. The state below is written only
//   there; fields that other threads read are volatile, the rest plain.
// - any thread: send, sendIfWritable, cork/uncork, close/terminate (they hop onto the lane), the input
//   gate's counters; these touch only the Outbox and InputGate, which are lock-free.
// - the host's thread of an upgrade request: offerUpgrade (synchronized against itself, then it hops).
public final class EngineSession {
  /** Connections closed, with their reason, at DEBUG (docs/logging.md). */
  private static final Logger connections = LoggerFactory.getLogger("dev.parley.connections");
  private static final Logger log = LoggerFactory.getLogger(EngineSession.class);
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

    /**
     * The session switched from polling to WebSocket: {@link EngineSession#transportKind()} is now
     * {@code WEBSOCKET}. Called at most once per session, before any packet is written over the
     * WebSocket, and never after {@link #onClose}. Does nothing by default.
     *
     * @param session the session that upgraded
     */
    default void onUpgrade(EngineSession session) {}
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
  private final SerialExecutor lane;
  private final Outbox outbox = new Outbox();
  private final InputGate input;
  private final Heartbeat heartbeat = new Heartbeat(this);
  private final Runnable flushTask = this::runFlush;
  /** What transports hand their events to: inline when allowed, else the lane. */
  private final Executor events = this::dispatch;

  // ------------------------------------------------ the state machine (written on the lane only)
  private volatile State state = State.OPEN;
  private volatile Transport transport;
  private volatile Listener listener;
  /** True while the listener is a {@link NonBlockingListener}: events and flushes may then run inline. */
  private volatile boolean inline = true;
  /** Set once a claimed connection handler (a SocketIoServer's) has set the listener: it is final then. */
  private volatile boolean listenerFixed;
  /** The upgrade under way, or null; set on the lane once an offer is accepted. */
  private UpgradeProbe probe;
  /** An upgrade was offered and has not ended (set by {@link #offerUpgrade}, on the host's thread). */
  private volatile boolean upgrading;
  private volatile boolean upgraded;
  private Scheduler.Cancellable closeTimer = Scheduler.Cancellable.NONE;
  /** The session's CLOSE is in the outbox: a CLOSE taken from it ends the session. */
  private boolean closePacketQueued;
  private boolean closePacketSent;
  /** Polling only: the close packet waits for the next GET, after the data queued before it. */
  private boolean closeDeferred;
  /** A polling client sent {@code 1} with no GET pending: the GET in flight gets a noop, then the end. */
  private boolean clientClosing;
  private String closeReason;

  EngineSession(String id, EngineServer server, EngineRequest request, Transport transport, Executor shared) {
    this.id = id;
    this.server = server;
    this.options = server.options();
    this.request = request;
    this.lane = new SerialExecutor(shared);
    this.input = new InputGate(2L * options.maxHttpBufferSize());
    this.transport = transport;
    this.listener = NO_LISTENER;
    transport.bind(new TransportEvents(this, transport), events);
  }

  /** The session id ({@code sid}), 20 unguessable base64url characters. */
  public String id() {
    return id;
  }

  /** The handshake request that opened this session. */
  public EngineRequest request() {
    return request;
  }

  /**
   * The polling POST that carried the message being handled (the last POST of this session): its
   * headers are what the client sent with it (a browser's cookies of now, where
   * {@link #request()} has those of the handshake). The reference's {@code socket.transport.dataReq}.
   * {@code null} on a WebSocket and before the first POST.
   *
   * <pre>{@code
   * public void onMessage(EngineSession s, EnginePacket p) {
   *   EngineRequest post = s.dataRequest();
   *   String cookie = post != null ? post.header("Cookie") : s.request().header("Cookie");
   * }
   * }</pre>
   */
  public EngineRequest dataRequest() {
    return transport.dataRequest();
  }

  /** The transport in use now; changes from polling to WebSocket on upgrade. */
  public TransportKind transportKind() {
    return transport.kind();
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
    return lane;
  }

  /**
   * Sets who receives messages and the close; call it from the server's connection handler.
   *
   * @throws IllegalStateException on a session of a {@code SocketIoServer}'s engine, whose listener is
   *     the Socket.IO layer's connection: replacing it would cut the client off from Socket.IO
   */
  public void setListener(Listener listener) {
    Objects.requireNonNull(listener, "listener == null");
    if (listenerFixed) {
      throw new IllegalStateException("session " + id + " belongs to a SocketIoServer: its listener is Socket.IO's");
    }
    this.listener = listener;
    this.inline = listener instanceof NonBlockingListener;
  }

  /** After a claimed connection handler has run: the listener it set stays. */
  void fixListener() {
    listenerFixed = true;
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
    if (outbox.add(packet, options.maxBufferedBytes())) {
      overflowed();
    }
    requestFlush();
  }

  /** Queues several packets so they reach the client together and in order. */
  public void send(List<EnginePacket> packets) {
    if (state != State.OPEN) {
      return;
    }
    if (outbox.addAll(packets, options.maxBufferedBytes())) {
      overflowed();
    }
    requestFlush();
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

  /** Bytes queued for this client and not yet handed to the transport. */
  public long bufferedBytes() {
    return outbox.bytes();
  }

  /**
   * Bytes of received messages that the listener has queued for its handlers and they have not
   * handled yet. Past twice {@code maxHttpBufferSize} the transport stops reading from the client
   * until half of it is handled (Socket.IO's layer counts every event it hands to its handlers).
   */
  public long inputBacklog() {
    return input.backlog();
  }

  /**
   * Closes the session gracefully: what is queued is delivered, then the client is told ({@code 1})
   * and the transport closed. The listener sees reason {@code "forced close"}. From any thread.
   */
  public void close() {
    lane.execute(() -> startClose("forced close"));
  }

  @Override
  public String toString() {
    return "EngineSession{" + id + ", " + transport.kind().wireName() + ", " + state + "}";
  }

  // ---------------------------------------------------------------- for the engine's own parts

  EngineServer server() {
    return server;
  }

  Scheduler scheduler() {
    return server.scheduler();
  }

  EngineOptions options() {
    return options;
  }

  SerialExecutor lane() {
    return lane;
  }

  /** The transport in use now (for hosts, through {@code EngineInternals.transport}). */
  Transport transport() {
    return transport;
  }

  Outbox outbox() {
    return outbox;
  }

  InputGate input() {
    return input;
  }

  UpgradeProbe probe() {
    return probe;
  }

  /** Runs {@code task} on this session's lane, on the calling thread if the lane is idle. */
  void executeInline(Runnable task) {
    lane.executeInline(task);
  }

  /** Runs a session task on the calling thread when that is allowed and the lane is idle. */
  private void dispatch(Runnable task) {
    if (inline) {
      lane.executeInline(task);
    } else {
      lane.execute(task);
    }
  }

  /** Any thread: holds writing back until {@link #uncork()} (see {@code EngineInternals.cork}). */
  void cork() {
    outbox.cork();
  }

  /** Any thread: removes one cork; the last one flushes what was queued meanwhile. */
  void uncork() {
    if (outbox.uncork()) {
      requestFlush();
    }
  }

  void closeForShutdown() {
    lane.execute(() -> startClose("server shutting down"));
  }

  /** Ends the session at once without telling the client more than the transport can. */
  void terminate(String reason) {
    lane.execute(() -> finish(reason));
  }

  private void overflowed() {
    server.stats().slowConsumerDisconnected();
    log.info("session {}: {} bytes waiting for a client that cannot keep up; disconnecting (slow consumer)",
        id, outbox.bytes());
    terminate("slow consumer");
  }

  // ---------------------------------------------------------------- lifecycle (lane only)

  /** Runs on the lane right after the handshake: sends OPEN and starts the heartbeat. */
  void start(String handshakeJson) {
    outbox.addInternal(EnginePacket.open(handshakeJson));
    flush();
    heartbeat.start();
  }

  private void startClose(String reason) {
    if (state != State.OPEN) {
      return;
    }
    state = State.CLOSING;
    closeReason = reason;
    outbox.addInternal(EnginePacket.CLOSE);
    closePacketQueued = true;
    flush();
    if (state == State.CLOSING) {
      // a polling client with no GET pending: wait for one, but not forever
      closeTimer = scheduler().schedule(() -> lane.execute(() -> finish(reason)), options.closeTimeoutMillis());
    }
  }

  void finish(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    if (connections.isDebugEnabled()) {
      connections.debug("connection {} from {} closed: {}", id, request.remoteAddress(), reason);
    }
    heartbeat.stop();
    closeTimer.cancel();
    abortUpgrade();
    outbox.clear();
    server.remove(this);
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

  /** Any thread: sees that a flush will run, unless one is scheduled already or a cork holds it. */
  private void requestFlush() {
    if (outbox.claimFlush() && !(inline && server.broadcasts().defer(this))) {
      dispatch(flushTask); // not inside a broadcast: flush now (inside one, it flushes after the loop)
    }
  }

  /** A broadcast's flusher, after its loop: the flush this session claimed runs now. */
  void flushNow() {
    dispatch(flushTask);
  }

  private void runFlush() {
    outbox.flushStarted();
    flush();
  }

  /** Lane: hands the transport what is queued, batch after batch while it stays writable. */
  private void flush() {
    // a transport whose writes complete at once is writable again right after send(): loop
    while (flushOnce()) {
      // next batch
    }
  }

  /** One batch to the transport; true when another may follow at once. */
  private boolean flushOnce() {
    if (state == State.CLOSED || outbox.corked()) {
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
    if (outbox.isEmpty() || !t.isWritable()) {
      return false; // onDrain will call again
    }
    List<EnginePacket> batch = outbox.takeBatch(closePacketQueued);
    boolean closing = closePacketQueued && batch.get(batch.size() - 1) == EnginePacket.CLOSE;
    if (closing && batch.size() > 1 && t.kind() == TransportKind.POLLING) {
      // As engine.io does: the data goes first, the close in the next poll. Clients handle the
      // packets of one poll response asynchronously and would act on the close before, e.g., a
      // Socket.IO DISCONNECT in the same payload.
      batch.remove(batch.size() - 1);
      closing = false;
      closeDeferred = true;
    }
    long bytes = 0;
    for (int i = 0, size = batch.size(); i < size; i++) {
      bytes += batch.get(i).wireSize(); // computed once per packet: a broadcast's is cached
    }
    server.stats().sent(batch.size(), bytes);
    t.send(batch);
    if (closing) {
      closePacketSent = true;
      finish(closeReason);
      return false;
    }
    return !outbox.isEmpty() && t == transport && t.isWritable();
  }

  // ---------------------------------------------------------------- reading (lane only)

  /** Lane: a packet from the active transport. */
  void onPacket(EnginePacket packet) {
    server.stats().received(packet.wireSize());
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
        heartbeat.onPong();
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
          closeTimer = scheduler().schedule(() -> lane.execute(() -> finish("transport close")),
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
    ws.bind(new TransportEvents(this, ws), events);
    lane.execute(() -> {
      if (state != State.OPEN) {
        upgrading = false;
        ws.close(false);
        return;
      }
      probe = new UpgradeProbe(this, ws);
      probe.start();
    });
    return true;
  }

  /** Lane, from the probe: answers a pending GET with a noop if nothing else is queued for it. */
  void noopPendingPoll() {
    Transport t = transport;
    if (t.kind() == TransportKind.POLLING && t.isWritable() && outbox.isEmpty()) {
      t.send(List.of(EnginePacket.NOOP));
    }
  }

  /** Lane, from the probe: the client sent {@code 5}; the WebSocket becomes the transport. */
  void completeUpgrade(UpgradeProbe p) {
    p.stop();
    Transport old = transport;
    probe = null;
    transport = p.transport();
    upgraded = true;
    upgrading = false;
    old.discard();
    log.debug("session {}: upgraded to websocket", id);
    try {
      listener.onUpgrade(this);
    } catch (RuntimeException e) {
      log.error("session {}: upgrade listener threw", id, e);
    }
    flush();
  }

  /** Lane: ends the upgrade under way, if any, and closes its WebSocket; polling carries on. */
  void abortUpgrade() {
    UpgradeProbe p = probe;
    probe = null;
    upgrading = false;
    if (p != null) {
      p.stop();
      p.transport().close(false);
    }
  }

  /** Lane: the active transport can take more; a polling client closing meanwhile ends now. */
  void onDrain() {
    if (clientClosing) {
      transport.close(false); // the GET that was in flight gets its noop
      finish("transport close");
    } else {
      flush();
    }
  }

  private static final Listener NO_LISTENER = new Listener() {
    @Override
    public void onMessage(EngineSession session, EnginePacket packet) {}

    @Override
    public void onClose(EngineSession session, String reason) {}
  };
}
