package dev.parley.adapter;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The base of every cluster adapter, as socket.io-adapter's {@code ClusterAdapter} is for every Node
 * backend: rooms and local delivery stay in {@link InMemoryAdapter}; this class turns the remote half
 * of each operation into a {@link ClusterMessage}, publishes it, handles what the other servers
 * publish, and keeps the request machinery: pending requests and their answers, the ack fan-in of a
 * broadcast with acks, timeouts, and what happens while the backend is away. A backend extends it
 * with three things:
 *
 * <ul>
 *   <li>{@link #doPublish}: send a message to every other server (its echo coming back is fine: a
 *       message is dropped by its sender's {@link #uid});
 *   <li>{@link #doPublishResponse}: send an answer to the server that asked;
 *   <li>{@link #serverCount}: how many servers there are (or extend {@link ClusterAdapterWithHeartbeat},
 *       which counts them from their heartbeats);
 * </ul>
 *
 * <p>and by subscribing (in {@link #init}) so that every message it receives reaches
 * {@link #onMessage}. How a message looks on the wire is the backend's dialect; {@link ClusterFormat}
 * is Node's, as plain values.
 *
 * <pre>{@code
 * final class MyAdapter extends ClusterAdapter {   // the whole of one: docs/custom-adapter.md
 *   @Override public void init() { broker.subscribe(channel, m -> onMessage(m.uid(), m.message(), null)); }
 *   @Override protected CompletionStage<String> doPublish(ClusterMessage m) { return broker.publish(channel, uid(), m); }
 *   @Override protected CompletionStage<?> doPublishResponse(String to, ClusterMessage.Response r) { return broker.send(to, r); }
 *   @Override public int serverCount() { return broker.subscribers(channel); }
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> The operations may be called from any thread. {@link #onMessage} may be called
 * from the backend's threads; messages of one sender must arrive in the order it published them.
 * Timers run on the scheduler given to the constructor.
 *
 * <p><b>Outages.</b> A publish that fails never reaches the caller of a broadcast: local delivery has
 * happened, and the failure is reported once per outage ({@link #outageStarted}, {@link #outageEnded}).
 * Requests that do not get every answer end with a {@link RequestTimeoutException}; a backend's
 * {@link #serverCount} that answers 1 while it is away makes them answer locally at once.
 *
 * <p><b>Connection state recovery.</b> A broadcast without acks received with an offset (a stream
 * backend's entry id, see {@link #onMessage}) reaches the local sockets with that offset; one received
 * without gets an offset from the in-memory log, as a local broadcast does.
 */
// For engineers: why this file is over 500 lines. It is the whole request machinery every cluster
// adapter shares (the reason the base exists): each adapter operation as a message, requests and
// their answers (the registry itself is PendingRequests), ack fan-in, timeouts, server counting and
// outage handling, plus the javadoc a backend's author reads (about 150 lines). Its backend-facing surface is three methods (doPublish,
// doPublishResponse, serverCount); ClusterAdapterWithHeartbeat adds the heartbeat in its own file.
public abstract class ClusterAdapter extends InMemoryAdapter {
  /** How long a request waits for the other servers unless told otherwise: 5 s, as in Node. */
  public static final Duration DEFAULT_REQUESTS_TIMEOUT = Duration.ofSeconds(5);
  private static final System.Logger LOG = System.getLogger(ClusterAdapter.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The requests that wait for answers from the other servers. */
  public enum RequestType {
    /** {@code fetchSockets}: one {@link ClusterMessage.FetchSocketsResponse} per server. */
    FETCH_SOCKETS,
    /** {@code allRooms}: one {@link ClusterMessage.AllRoomsResponse} per server. */
    ALL_ROOMS,
    /** {@code serverSideEmitWithAck}: one {@link ClusterMessage.ServerSideEmitResponse} per server. */
    SERVER_SIDE_EMIT
  }

  private final ScheduledExecutorService scheduler;
  private final long requestsTimeoutMillis;
  private final Supplier<String> ids;
  private final String uid;
  private final PendingRequests pending;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicLong outages = new AtomicLong();
  private final LongAdder requestsSent = new LongAdder();
  private final LongAdder requestTimeouts = new LongAdder();

  /** An adapter whose uid and request ids are 16 random hex characters, as Node's ClusterAdapter. */
  protected ClusterAdapter(AdapterContext context, ScheduledExecutorService scheduler, Duration requestsTimeout) {
    this(context, scheduler, requestsTimeout, ClusterAdapter::randomId);
  }

  /**
   * An adapter whose uid and request ids come from {@code ids} (each call a new, unguessable id that
   * is unique in the cluster).
   *
   * @param scheduler runs request timeouts; the backend's, shut down by it
   * @param requestsTimeout how long a request waits for the other servers
   */
  protected ClusterAdapter(AdapterContext context, ScheduledExecutorService scheduler, Duration requestsTimeout,
      Supplier<String> ids) {
    super(context);
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
    Objects.requireNonNull(requestsTimeout, "requestsTimeout == null");
    if (requestsTimeout.isNegative() || requestsTimeout.isZero()) {
      throw new IllegalArgumentException("requestsTimeout <= 0");
    }
    this.requestsTimeoutMillis = requestsTimeout.toMillis();
    this.ids = Objects.requireNonNull(ids, "ids == null");
    this.uid = ids.get();
    this.pending = new PendingRequests(this, scheduler);
  }

  /** 8 random bytes as 16 hex characters, as socket.io-adapter's ClusterAdapter makes its ids. */
  public static String randomId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** This adapter's id on the wire, unique per server and namespace. */
  public final String uid() {
    return uid;
  }

  /** How long a request waits for the other servers, in milliseconds. */
  protected final long requestsTimeoutMillis() {
    return requestsTimeoutMillis;
  }

  /** The scheduler given to the constructor. */
  protected final ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** True once {@link #close} was called. */
  protected final boolean isClosed() {
    return closed.get();
  }

  // ------------------------------------------------------------------ figures, for metrics and health

  /**
   * Requests this adapter sent to the other servers and waited for ({@code fetchSockets},
   * {@code allRooms}, {@code serverSideEmitWithAck}...); none is sent while it is the only server.
   */
  public final long requestsSent() {
    return requestsSent.sum();
  }

  /** Requests that ended with a {@link RequestTimeoutException}: some server did not answer in time. */
  public final long requestTimeouts() {
    return requestTimeouts.sum();
  }

  /**
   * Outages of the backend this adapter saw: publishes that failed after one had succeeded (or from
   * the start). A backend that watches its connections itself overrides this (the Redis adapters count
   * the outages of the server's Redis connection, which all namespaces share).
   *
   * @return the outages so far
   */
  public long outages() {
    return outages.get();
  }

  /**
   * Whether the backend can be reached now, as far as this adapter knows: false from a failed publish
   * until one succeeds. Local delivery goes on either way. A backend that watches its connections
   * itself overrides this.
   *
   * @return false during an outage
   */
  public boolean backendReachable() {
    return !failing.get();
  }

  /** A request of this adapter timed out (called by {@link PendingRequests}). */
  final void requestTimedOut() {
    requestTimeouts.increment();
  }

  // ------------------------------------------------------------------ what a backend provides

  /**
   * Sends {@code message} to every other server of the namespace, without blocking. Completes with
   * the offset the backend gave the message (a stream's entry id), or null when it gives none;
   * completes exceptionally (or throws) when the backend cannot be reached.
   */
  protected abstract CompletionStage<String> doPublish(ClusterMessage message);

  /**
   * Sends {@code response} to the server whose uid is {@code requesterUid} (null when the request
   * carried none), without blocking; completes exceptionally (or throws) when the backend cannot be
   * reached.
   */
  protected abstract CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response);

  /**
   * The number of servers of the namespace, this one included; 1 while the backend cannot be
   * reached. Read before each request that waits for answers.
   */
  @Override
  public abstract int serverCount();

  // ------------------------------------------------------------------ outgoing

  @Override
  public void broadcast(Packet packet, BroadcastOptions options) {
    super.broadcast(packet, options);
    if (!options.flags().local()) {
      publish(new ClusterMessage.Broadcast(packet, options));
    }
  }

  @Override
  public void broadcastWithAck(Packet packet, BroadcastOptions options, IntConsumer clientCount, Consumer<AckResult> onAck) {
    if (!options.flags().local()) {
      String requestId = ids.get();
      // the origin cannot know when every client has answered: it forgets the request after its timeout
      pending.expectAcks(requestId, clientCount, onAck, ackTimeoutMillis(options));
      publish(new ClusterMessage.BroadcastWithAck(requestId, packet, options));
    }
    super.broadcastWithAck(packet, options, clientCount, onAck);
  }

  @Override
  public CompletionStage<List<AdapterContext.SocketDetails>> fetchSockets(BroadcastOptions options) {
    List<AdapterContext.SocketDetails> local = super.fetchSockets(options).toCompletableFuture().join();
    if (options.flags().local()) {
      return CompletableFuture.completedFuture(local);
    }
    PendingRequests.Request r = request(RequestType.FETCH_SOCKETS, options);
    if (r == null) {
      return CompletableFuture.completedFuture(local);
    }
    publish(new ClusterMessage.FetchSockets(r.id(), options));
    return r.answers().thenApply(answers -> {
      List<AdapterContext.SocketDetails> out = new ArrayList<>(local);
      for (Object answer : answers) {
        for (Object socket : (List<?>) answer) {
          out.add((AdapterContext.SocketDetails) socket);
        }
      }
      return out;
    });
  }

  /**
   * Every room across the cluster, socket-id rooms included: the rooms of every socket
   * {@link #fetchSockets} finds, since not every wire format has a request for rooms (Node's
   * ClusterAdapter format has none). A backend whose format has one uses {@link #requestAllRooms}.
   */
  @Override
  public CompletionStage<Set<String>> allRooms() {
    Set<String> local = rooms();
    return fetchSockets(BroadcastOptions.ALL).thenApply(found -> {
      Set<String> out = new LinkedHashSet<>(local);
      for (AdapterContext.SocketDetails d : found) {
        out.add(d.id());
        out.addAll(d.rooms());
      }
      return out;
    });
  }

  /**
   * Every room across the cluster, asked of every server with an {@link ClusterMessage.AllRooms}
   * request (for a wire format that has one) and merged with this server's.
   */
  protected final CompletionStage<Set<String>> requestAllRooms() {
    Set<String> local = rooms();
    PendingRequests.Request r = request(RequestType.ALL_ROOMS, BroadcastOptions.ALL);
    if (r == null) {
      return CompletableFuture.completedFuture(local);
    }
    publish(new ClusterMessage.AllRooms(r.id()));
    return r.answers().thenApply(answers -> {
      Set<String> out = new LinkedHashSet<>(local);
      for (Object answer : answers) {
        for (Object room : (List<?>) answer) {
          out.add((String) room);
        }
      }
      return out;
    });
  }

  @Override
  public void addSockets(BroadcastOptions options, Set<String> rooms) {
    super.addSockets(options, rooms);
    if (!options.flags().local()) {
      publish(new ClusterMessage.SocketsJoin(options, rooms));
    }
  }

  @Override
  public void delSockets(BroadcastOptions options, Set<String> rooms) {
    super.delSockets(options, rooms);
    if (!options.flags().local()) {
      publish(new ClusterMessage.SocketsLeave(options, rooms));
    }
  }

  @Override
  public void disconnectSockets(BroadcastOptions options, boolean close) {
    super.disconnectSockets(options, close);
    if (!options.flags().local()) {
      publish(new ClusterMessage.DisconnectSockets(options, close));
    }
  }

  @Override
  public void serverSideEmit(List<Object> packet) {
    publish(new ClusterMessage.ServerSideEmit(null, packet));
  }

  @Override
  public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> packet) {
    PendingRequests.Request r = request(RequestType.SERVER_SIDE_EMIT, BroadcastOptions.ALL);
    if (r == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    publish(new ClusterMessage.ServerSideEmit(r.id(), packet)); // its requestId asks for an answer
    return r.answers();
  }

  /**
   * Publishes a message ({@link #doPublish}), never throwing: a failure is reported to
   * {@link #outageStarted} once per outage. A subclass that must see every message it sends
   * overrides this and calls {@code super}.
   */
  protected CompletionStage<String> publish(ClusterMessage message) {
    CompletionStage<String> sent;
    try {
      sent = doPublish(message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    if (sent instanceof CompletableFuture<String> done && done.isDone() && !done.isCompletedExceptionally()) {
      reachable(null); // sent already (a backend that reports its own outcome): no stage to chain per broadcast
      return done;
    }
    return sent.whenComplete((offset, e) -> reachable(e));
  }

  private void publishResponse(String requesterUid, ClusterMessage.Response response) {
    CompletionStage<?> sent;
    try {
      sent = doPublishResponse(requesterUid, response);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((x, e) -> reachable(e));
  }

  private void reachable(Throwable failure) {
    if (failure == null) {
      if (failing.compareAndSet(true, false)) {
        outageEnded();
      }
    } else if (failing.compareAndSet(false, true)) {
      outages.incrementAndGet();
      outageStarted(failure);
    }
  }

  /**
   * The first publish of an outage failed. The default logs a warning ({@link System.Logger}); a
   * backend that reports outages per server itself overrides it.
   */
  protected void outageStarted(Throwable cause) {
    LOG.log(System.Logger.Level.WARNING, "namespace {0}: could not publish to the other servers ({1}); delivering to "
        + "this server''s sockets only, until a publish succeeds", context.namespace(), String.valueOf(cause));
  }

  /** A publish succeeded after an outage. The default logs it ({@link System.Logger}). */
  protected void outageEnded() {
    LOG.log(System.Logger.Level.INFO, "namespace {0}: publishing to the other servers again", context.namespace());
  }

  // ------------------------------------------------------------------ incoming

  /**
   * Handles a message another server published (requests and responses alike), in the order the
   * backend received them from that server. Messages whose {@code senderUid} is this adapter's own
   * are dropped (a backend may echo what it publishes); {@code senderUid} is null for a sender without
   * one (an emitter). {@code offset} is the backend's position of the message (a stream's entry id),
   * or null.
   */
  protected void onMessage(String senderUid, ClusterMessage message, String offset) {
    if (uid.equals(senderUid)) {
      return;
    }
    if (message instanceof ClusterMessage.Response response) {
      onResponse(senderUid, response);
    } else if (message instanceof ClusterMessage.Broadcast b) {
      broadcastLocally(b.packet(), b.options(), offset);
    } else if (message instanceof ClusterMessage.BroadcastWithAck b) {
      if (!pending.waitingForAcks(b.requestId())) { // not our own, echoed without a uid
        remoteBroadcastWithAck(senderUid, b);
      }
    } else if (message instanceof ClusterMessage.SocketsJoin j) {
      super.addSockets(j.options(), j.rooms());
    } else if (message instanceof ClusterMessage.SocketsLeave l) {
      super.delSockets(l.options(), l.rooms());
    } else if (message instanceof ClusterMessage.DisconnectSockets d) {
      super.disconnectSockets(d.options(), d.close());
    } else if (message instanceof ClusterMessage.FetchSockets f) {
      if (!pending.waiting(f.requestId())) {
        List<AdapterContext.SocketDetails> found = super.fetchSockets(f.options()).toCompletableFuture().join();
        publishResponse(senderUid, new ClusterMessage.FetchSocketsResponse(f.requestId(), found));
      }
    } else if (message instanceof ClusterMessage.AllRooms a) {
      if (!pending.waiting(a.requestId())) {
        publishResponse(senderUid, new ClusterMessage.AllRoomsResponse(a.requestId(), new ArrayList<>(rooms())));
      }
    } else if (message instanceof ClusterMessage.ServerSideEmit e) {
      String requestId = e.requestId();
      if (requestId == null) {
        context.serverSideEvent(e.packet(), null);
      } else if (!pending.waiting(requestId)) {
        context.serverSideEvent(e.packet(),
            answer -> publishResponse(senderUid, new ClusterMessage.ServerSideEmitResponse(requestId, answer)));
      }
    }
    // heartbeats: nothing to do here (ClusterAdapterWithHeartbeat)
  }

  /**
   * Delivers a broadcast another server published to the local sockets it targets: with
   * {@code offset} when recovery is on and the event may have one (no ack, not volatile), else as
   * {@link InMemoryAdapter#broadcast} does (which gives it an offset of the in-memory log).
   */
  protected void broadcastLocally(Packet packet, BroadcastOptions options, String offset) {
    if (offset != null && context.maxDisconnectionDurationMillis() > 0 && packet.type() == PacketType.EVENT
        && !packet.expectsAck() && !options.flags().droppable()) {
      deliverLocally(packet.withOffset(offset), options);
    } else {
      super.broadcast(packet, options);
    }
  }

  private void remoteBroadcastWithAck(String requesterUid, ClusterMessage.BroadcastWithAck b) {
    String requestId = b.requestId();
    long ackId = context.nextAckId();
    // the origin stops waiting after its timeout: clients that have not answered by then never will
    pending.schedule(() -> context.dropAck(ackId), ackTimeoutMillis(b.options()));
    super.broadcastWithAck(b.packet().withId(ackId), b.options(),
        count -> publishResponse(requesterUid, new ClusterMessage.BroadcastClientCount(requestId, count)),
        result -> {
          if (result instanceof AckResult.Answered answered) { // a client that went away sends nothing
            List<Object> args = answered.arguments().toPlain();
            publishResponse(requesterUid, new ClusterMessage.BroadcastAck(requestId, args.isEmpty() ? List.of() : args.subList(0, 1)));
          }
        });
  }

  private void onResponse(String senderUid, ClusterMessage.Response response) {
    if (response instanceof ClusterMessage.BroadcastClientCount c) {
      pending.clientCount(c.requestId(), c.clientCount());
    } else if (response instanceof ClusterMessage.BroadcastAck ack) {
      pending.ack(ack.requestId(), ack.arguments());
    } else if (response instanceof ClusterMessage.FetchSocketsResponse f) {
      pending.answer(RequestType.FETCH_SOCKETS, senderUid, f.requestId(), f.sockets());
    } else if (response instanceof ClusterMessage.AllRoomsResponse a) {
      pending.answer(RequestType.ALL_ROOMS, senderUid, a.requestId(), a.rooms());
    } else if (response instanceof ClusterMessage.ServerSideEmitResponse s) {
      pending.answer(RequestType.SERVER_SIDE_EMIT, senderUid, s.requestId(), s.answer());
    }
  }

  // ------------------------------------------------------------------ requests

  /**
   * The servers whose answers a request waits for, by uid, or null to wait for
   * {@code serverCount() - 1} answers from anyone (the default).
   * {@link ClusterAdapterWithHeartbeat} names them.
   */
  protected Set<String> expectedResponders() {
    return null;
  }

  /**
   * Stops waiting for server {@code uid} (it went away): requests that waited only for it complete
   * with the answers they have.
   */
  protected final void serverLeft(String uid) {
    pending.serverLeft(uid);
  }

  /**
   * How long a request waits, in milliseconds. The default, as Node's ClusterAdapter: the
   * {@code timeout} flag of a {@code fetchSockets} when it has one, else {@link #requestsTimeoutMillis}.
   */
  protected long requestTimeoutMillis(RequestType type, BroadcastOptions options) {
    long flag = options.flags().timeoutMillis();
    return type == RequestType.FETCH_SOCKETS && flag > 0 ? flag : requestsTimeoutMillis;
  }

  /**
   * The message of the {@link RequestTimeoutException} a request fails with when {@code missing}
   * answers did not come in time. The default is Node's ClusterAdapter's.
   */
  protected String timeoutMessage(RequestType type, int received, int missing) {
    return "timeout reached: only " + received + " responses received out of " + (received + missing);
  }

  /** Registers a request; null when there is no other server to ask. */
  private PendingRequests.Request request(RequestType type, BroadcastOptions options) {
    Set<String> waitFor = expectedResponders();
    int expected = waitFor != null ? waitFor.size() : serverCount() - 1;
    if (expected <= 0) {
      return null;
    }
    requestsSent.increment();
    return pending.register(ids.get(), type, expected, waitFor, requestTimeoutMillis(type, options));
  }

  private long ackTimeoutMillis(BroadcastOptions options) {
    long flag = options.flags().timeoutMillis();
    return flag > 0 ? flag : requestsTimeoutMillis;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Closes the adapter once: calls {@link #closing}, then fails the requests still waiting and forgets
   * the broadcasts still waiting for acks.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      closing();
    } finally {
      pending.closeAll();
    }
  }

  /**
   * Called once by {@link #close}, before pending requests fail: unsubscribe and let go of the
   * backend here. A subclass calls {@code super.closing()} first.
   */
  protected void closing() {}
}
