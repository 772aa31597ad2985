package dev.parley;

import dev.parley.engine.EngineStats;
import dev.parley.engine.TransportKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server has done since it started, and what it holds now: always kept, cheap to keep (a
 * {@link LongAdder} bump per step, a broadcast's recipients added once per broadcast) and read on
 * demand, for metrics, health checks and the admin UI. Totals only grow; the "now" figures
 * ({@link #openConnections()}, {@link #connectedSockets()}) are computed when read. Thread-safe.
 *
 * <pre>{@code
 * ServerStats stats = io.stats();
 * gauge("parley.sockets", stats::connectedSockets);
 * counter("parley.events.received", stats::eventsReceived);
 * counter("parley.disconnects.ping_timeout", () -> stats.disconnects(DisconnectReason.PING_TIMEOUT));
 * counter("parley.dropped", () -> stats.engine().droppedPackets());
 * }</pre>
 *
 * <p>Two levels are counted. A <em>connection</em> is one client's Engine.IO session (one per browser
 * tab), over polling or WebSocket; a <em>socket</em> is that client in one namespace, so a
 * connection carries one socket per namespace it joined. The Engine.IO layer's own counters (dropped
 * volatile packets, slow consumers, input pauses, refused requests) are in {@link #engine()}.
 *
 * <p>Per-namespace figures beyond the connected sockets, or anything finer (per event name, per
 * room), are for a {@link ServerObserver} to count.
 */
public final class ServerStats {
  private static final DisconnectReason[] REASONS = DisconnectReason.values();
  private static final ConnectRefusal[] REFUSALS = ConnectRefusal.values();

  private final SocketIoServer server;
  private final LongAdder connectionsOpened = new LongAdder();
  private final LongAdder[] connectionsClosed = adders(REASONS.length);
  private final LongAdder connects = new LongAdder();
  private final LongAdder[] disconnects = adders(REASONS.length);
  private final LongAdder[] refusals = adders(REFUSALS.length);
  private final LongAdder eventsReceived = new LongAdder();
  private final LongAdder emits = new LongAdder();
  private final LongAdder broadcasts = new LongAdder();
  private final LongAdder broadcastRecipients = new LongAdder();
  private final LongAdder acksSent = new LongAdder();
  private final LongAdder acksReceived = new LongAdder();
  private final LongAdder recoveryAttempts = new LongAdder();
  private final LongAdder recoveries = new LongAdder();

  ServerStats(SocketIoServer server) {
    this.server = server;
  }

  // ------------------------------------------------------------------ connections

  /** Connections open now (Engine.IO sessions), whatever namespaces they joined. */
  public int openConnections() {
    return server.engine().sessionCount();
  }

  /**
   * Connections open now by the transport they use at this moment: a polling connection that
   * upgraded counts as {@code WEBSOCKET}. Computed when called, by looking at every connection.
   *
   * @return a count for every transport, zero included
   */
  public Map<TransportKind, Integer> openConnectionsByTransport() {
    Map<TransportKind, Integer> out = new EnumMap<>(TransportKind.class);
    for (TransportKind k : TransportKind.values()) {
      out.put(k, 0);
    }
    server.forEachClient(c -> out.merge(c.session().transportKind(), 1, Integer::sum));
    return Collections.unmodifiableMap(out);
  }

  /** Connections opened since the server started (Engine.IO handshakes that succeeded). */
  public long connectionsOpened() {
    return connectionsOpened.sum();
  }

  /** Connections closed since the server started, whatever the reason. */
  public long connectionsClosed() {
    return sum(connectionsClosed);
  }

  /**
   * Connections closed for {@code reason}: how the Engine.IO session ended ({@code TRANSPORT_CLOSE},
   * {@code PING_TIMEOUT}, {@code FORCED_CLOSE} for a close by the server, ...). What the admin UI
   * shows as {@code rawDisconnection}.
   */
  public long connectionsClosed(DisconnectReason reason) {
    return connectionsClosed[reason.ordinal()].sum();
  }

  // ------------------------------------------------------------------ sockets

  /** Sockets connected now, over every namespace of this server. */
  public int connectedSockets() {
    int n = 0;
    for (Namespace nsp : server.namespaces()) {
      n += nsp.socketCount();
    }
    return n;
  }

  /**
   * Sockets connected now in each namespace this server holds (children of dynamic namespaces
   * included), by namespace name.
   */
  public Map<String, Integer> connectedSocketsByNamespace() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Namespace nsp : server.namespaces()) {
      out.put(nsp.name(), nsp.socketCount());
    }
    return Collections.unmodifiableMap(out);
  }

  /** Sockets that connected since the server started, restored ones included. */
  public long connects() {
    return connects.sum();
  }

  /** Sockets that disconnected since the server started, whatever the reason. */
  public long disconnects() {
    return sum(disconnects);
  }

  /** Sockets that disconnected for {@code reason}. */
  public long disconnects(DisconnectReason reason) {
    return disconnects[reason.ordinal()].sum();
  }

  /** CONNECTs to a namespace answered with {@code CONNECT_ERROR}, whatever the cause. */
  public long connectRefusals() {
    return sum(refusals);
  }

  /** CONNECTs to a namespace answered with {@code CONNECT_ERROR} because of {@code cause}. */
  public long connectRefusals(ConnectRefusal cause) {
    return refusals[cause.ordinal()].sum();
  }

  // ------------------------------------------------------------------ events

  /** Events received from clients and handed to their sockets (those the rate limit dropped excluded). */
  public long eventsReceived() {
    return eventsReceived.sum();
  }

  /**
   * Events sent to sockets of this server: one per emit to a socket, plus one per recipient of a
   * broadcast, whichever server emitted it ({@link #broadcastRecipients()}). Acknowledgements are
   * not events.
   */
  public long eventsSent() {
    return emits.sum() + broadcastRecipients.sum();
  }

  /** Broadcasts this server emitted ({@code emit} and {@code emitWithAck} on a namespace or operator). */
  public long broadcasts() {
    return broadcasts.sum();
  }

  /**
   * Sockets of this server that broadcasts were handed to, whichever server of the cluster emitted
   * them. Volatile ones dropped for a busy client are counted here and in
   * {@code engine().droppedPackets()}.
   */
  public long broadcastRecipients() {
    return broadcastRecipients.sum();
  }

  /** Acknowledgements this server sent to clients (answers to events they sent with a callback). */
  public long acksSent() {
    return acksSent.sum();
  }

  /** Acknowledgements clients sent back for events this server emitted with {@code emitWithAck}. */
  public long acksReceived() {
    return acksReceived.sum();
  }

  // ------------------------------------------------------------------ recovery

  /** CONNECTs that asked for connection state recovery (with a private session id and an offset). */
  public long recoveryAttempts() {
    return recoveryAttempts.sum();
  }

  /** Sockets connection state recovery restored (same id, rooms and data, missed events replayed). */
  public long recoveries() {
    return recoveries.sum();
  }

  // ------------------------------------------------------------------ engine

  /**
   * The Engine.IO layer's counters: volatile packets dropped for busy clients, slow-consumer
   * disconnects, input pauses and requests refused before a connection existed.
   */
  public EngineStats engine() {
    return server.engine().stats();
  }

  @Override
  public String toString() {
    return "ServerStats{connections=" + openConnections() + ", sockets=" + connectedSockets() + ", connects="
        + connects() + ", disconnects=" + disconnects() + ", refusals=" + connectRefusals() + ", eventsReceived="
        + eventsReceived() + ", eventsSent=" + eventsSent() + ", broadcasts=" + broadcasts() + ", acksSent="
        + acksSent() + ", acksReceived=" + acksReceived() + ", " + engine() + "}";
  }

  // ------------------------------------------------------------------ updates (package-private)

  void connectionOpened() {
    connectionsOpened.increment();
  }

  void connectionClosed(DisconnectReason reason) {
    connectionsClosed[reason.ordinal()].increment();
  }

  void connected() {
    connects.increment();
  }

  void disconnected(DisconnectReason reason) {
    disconnects[reason.ordinal()].increment();
  }

  void refused(ConnectRefusal cause) {
    refusals[cause.ordinal()].increment();
  }

  void eventReceived() {
    eventsReceived.increment();
  }

  void emitted() {
    emits.increment();
  }

  void broadcast(int recipientsCounted) {
    broadcasts.increment();
    if (recipientsCounted > 0) {
      broadcastRecipients.add(recipientsCounted);
    }
  }

  void broadcastRecipient() {
    broadcastRecipients.increment();
  }

  void ackSent() {
    acksSent.increment();
  }

  void ackReceived() {
    acksReceived.increment();
  }

  void recoveryAttempted() {
    recoveryAttempts.increment();
  }

  void recovered() {
    recoveries.increment();
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] out = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      out[i] = new LongAdder();
    }
    return out;
  }

  private static long sum(LongAdder[] adders) {
    long sum = 0;
    for (LongAdder a : adders) {
      sum += a.sum();
    }
    return sum;
  }
}
