package dev.parley.metrics.micrometer;

import dev.parley.ConnectRefusal;
import dev.parley.DisconnectReason;
import dev.parley.Namespace;
import dev.parley.ServerObserver;
import dev.parley.ServerStats;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.ClusterAdapter;
import dev.parley.engine.EngineError;
import dev.parley.engine.EngineStats;
import dev.parley.engine.TransportKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link SocketIoServer} to Micrometer: every counter of {@link SocketIoServer#stats()} as a
 * {@code parley.*} meter, gauges of open connections by transport and connected sockets by
 * namespace, a timer of acknowledgement round trips, and the cluster adapter's requests, timeouts
 * and outages. {@code docs/metrics.md} lists every meter,
 * its tags and what to alert on.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder().build();
 * ParleyMetrics metrics = ParleyMetrics.of(io);
 * metrics.bindTo(registry); // Prometheus shows parley_sockets_connected, parley_events_received_total, ...
 * }</pre>
 *
 * <p><b>Cost.</b> The counters read what the server always keeps ({@link ServerStats}, a
 * {@code LongAdder} each): the hot paths pay nothing for them, and a scrape sums the adders. The
 * gauge of open connections by transport looks at every connection when it is read (once per scrape
 * and transport). Only two things need a {@link ServerObserver}, registered when the first registry is
 * bound: the acknowledgement timer (a {@link Timer#record} per ack received) and the discovery of
 * namespaces created after binding (a map look-up per socket connect). With an observer registered,
 * the server builds one argument view per emit and per broadcast for its observers (never one per
 * recipient); {@link Builder#ackRoundTrip(boolean) ackRoundTrip(false)} with
 * {@link Builder#socketsByNamespace(boolean) socketsByNamespace(false)} registers none.
 *
 * <p>One binder may be bound to several registries (a composite does the same); {@link #close()}
 * removes its meters from each and its observer from the server.
 */
public final class ParleyMetrics implements MeterBinder, AutoCloseable {
  /** The prefix of every meter name. */
  public static final String PREFIX = "parley.";

  private final SocketIoServer io;
  private final Tags tags;
  private final boolean ackRoundTrip;
  private final boolean socketsByNamespace;
  private final List<MeterRegistry> registries = new ArrayList<>();
  private final List<Meter> meters = new ArrayList<>();
  /** The namespaces that have a gauge, by name; read without a lock on every socket connect. */
  private final Map<String, NamespaceSockets> namespaceGauges = new ConcurrentHashMap<>();
  /** The ack timers, one per bound registry: copy-on-write, read per ack. */
  private volatile Timer[] ackTimers = new Timer[0];
  private Observer observer;

  private ParleyMetrics(Builder b) {
    this.io = b.io;
    this.tags = b.tags;
    this.ackRoundTrip = b.ackRoundTrip;
    this.socketsByNamespace = b.socketsByNamespace;
  }

  /**
   * A binder for {@code io} with every meter on and no extra tags.
   *
   * @param io the server to observe
   * @return the binder, bound to no registry yet
   */
  public static ParleyMetrics of(SocketIoServer io) {
    return builder(io).build();
  }

  /**
   * A builder for a binder of {@code io}.
   *
   * <pre>{@code
   * ParleyMetrics.builder(io)
   *     .tags(Tags.of("server", "chat"))   // added to every meter
   *     .socketsByNamespace(false)         // many dynamic namespaces: no gauge per namespace
   *     .build()
   *     .bindTo(registry);
   * }</pre>
   *
   * @param io the server to observe
   * @return a builder with every meter on
   */
  public static Builder builder(SocketIoServer io) {
    return new Builder(io);
  }

  /** The server this binder observes. */
  public SocketIoServer server() {
    return io;
  }

  /**
   * Registers every {@code parley.*} meter in {@code registry}; the first call also registers this
   * binder's observer with the server when a meter needs one.
   *
   * @param registry the registry to add the meters to
   */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry == null");
    registries.add(registry);
    ServerStats stats = io.stats();
    EngineStats engine = stats.engine();

    // connections (Engine.IO sessions)
    for (TransportKind kind : TransportKind.values()) {
      gauge(registry, "connections.open", "Connections (Engine.IO sessions) open now, by the transport they use",
          Tags.of("transport", kind.wireName()), stats, s -> s.openConnectionsByTransport().get(kind), null);
    }
    counter(registry, "connections.opened", "Connections opened (Engine.IO handshakes that succeeded)", Tags.empty(),
        stats, ServerStats::connectionsOpened, null);
    for (DisconnectReason reason : DisconnectReason.values()) {
      counter(registry, "connections.closed", "Connections closed, by how the Engine.IO session ended",
          Tags.of("reason", tagValue(reason)), stats, s -> s.connectionsClosed(reason), null);
    }

    // sockets (a connection in one namespace)
    if (socketsByNamespace) {
      for (Namespace nsp : io.namespaces()) {
        namespaceGauge(registry, nsp);
      }
    } else {
      gauge(registry, "sockets.connected", "Sockets connected now, over every namespace", Tags.empty(), stats,
          ServerStats::connectedSockets, null);
    }
    counter(registry, "sockets.connects", "Sockets that connected to a namespace, restored ones included",
        Tags.empty(), stats, ServerStats::connects, null);
    for (DisconnectReason reason : DisconnectReason.values()) {
      counter(registry, "sockets.disconnects", "Sockets that disconnected, by reason",
          Tags.of("reason", tagValue(reason)), stats, s -> s.disconnects(reason), null);
    }
    for (ConnectRefusal cause : ConnectRefusal.values()) {
      counter(registry, "connect.refusals", "CONNECTs to a namespace answered with CONNECT_ERROR, by cause",
          Tags.of("cause", tagValue(cause)), stats, s -> s.connectRefusals(cause), null);
    }

    // events, broadcasts, acks
    counter(registry, "events.received", "Events received from clients and handed to their sockets", Tags.empty(),
        stats, ServerStats::eventsReceived, null);
    counter(registry, "events.sent", "Events sent to sockets: emits to one socket plus broadcast recipients",
        Tags.empty(), stats, ServerStats::eventsSent, null);
    counter(registry, "broadcasts", "Broadcasts this server emitted", Tags.empty(), stats,
        ServerStats::broadcasts, null);
    counter(registry, "broadcast.recipients", "Sockets of this server that broadcasts were handed to",
        Tags.empty(), stats, ServerStats::broadcastRecipients, null);
    counter(registry, "acks.sent", "Acknowledgements this server sent to clients", Tags.empty(), stats,
        ServerStats::acksSent, null);
    counter(registry, "acks.received", "Acknowledgements clients sent for events emitted with an ack",
        Tags.empty(), stats, ServerStats::acksReceived, null);

    // recovery
    counter(registry, "recovery.attempts", "CONNECTs that asked for connection state recovery", Tags.empty(),
        stats, ServerStats::recoveryAttempts, null);
    counter(registry, "recovery.successes", "Sockets connection state recovery restored", Tags.empty(), stats,
        ServerStats::recoveries, null);

    // the Engine.IO layer
    counter(registry, "engine.received.packets", "Engine.IO packets received from clients", Tags.empty(), engine,
        EngineStats::packetsReceived, "packets");
    counter(registry, "engine.received.bytes", "Bytes of the Engine.IO packets received (payloads, no framing)",
        Tags.empty(), engine, EngineStats::bytesReceived, "bytes");
    counter(registry, "engine.sent.packets", "Engine.IO packets handed to the transports for clients",
        Tags.empty(), engine, EngineStats::packetsSent, "packets");
    counter(registry, "engine.sent.bytes", "Bytes of the Engine.IO packets sent (payloads, no framing)",
        Tags.empty(), engine, EngineStats::bytesSent, "bytes");
    counter(registry, "engine.dropped.packets", "Volatile packets not sent because the client was busy",
        Tags.empty(), engine, EngineStats::droppedPackets, "packets");
    counter(registry, "engine.slow.consumers", "Connections closed because too many bytes waited for them",
        Tags.empty(), engine, EngineStats::slowConsumerDisconnects, null);
    counter(registry, "engine.input.pauses", "Times reading from a client paused because its handlers were behind",
        Tags.empty(), engine, EngineStats::inputPauses, null);
    for (EngineError error : EngineError.values()) {
      counter(registry, "engine.requests.refused", "Requests refused before a session existed, by error",
          Tags.of("error", tagValue(error)), engine, e -> e.requestsRefused(error), null);
    }

    // the cluster adapter (zero, and reachable, with the in-memory adapter)
    counter(registry, "adapter.requests", "Requests the adapters sent to the other servers of the cluster",
        Tags.empty(), io, s -> sumClusterAdapters(s, ClusterAdapter::requestsSent), null);
    counter(registry, "adapter.request.timeouts", "Cluster requests some server did not answer in time",
        Tags.empty(), io, s -> sumClusterAdapters(s, ClusterAdapter::requestTimeouts), null);
    counter(registry, "adapter.outages", "Outages of the cluster backend (Redis) the main namespace's adapter saw",
        Tags.empty(), io, s -> s.sockets().adapter() instanceof ClusterAdapter c ? c.outages() : 0, null);
    gauge(registry, "adapter.reachable", "1 when the cluster backend (Redis) answers, 0 during an outage",
        Tags.empty(), io, s -> s.sockets().adapter() instanceof ClusterAdapter c && !c.backendReachable() ? 0 : 1,
        null);

    if (ackRoundTrip) {
      Timer timer = Timer.builder(PREFIX + "ack.round.trip")
          .description("Time from an emit with an ack to the client's answer")
          .tags(tags)
          .register(registry);
      meters.add(timer);
      Timer[] next = Arrays.copyOf(ackTimers, ackTimers.length + 1);
      next[next.length - 1] = timer;
      ackTimers = next;
    }
    if ((ackRoundTrip || socketsByNamespace) && observer == null) {
      observer = new Observer();
      io.observe(observer);
    }
  }

  /**
   * Removes this binder's observer from the server and its meters from every registry it was bound
   * to. The server's own counters go on.
   */
  @Override
  public synchronized void close() {
    if (observer != null) {
      io.unobserve(observer);
      observer = null;
    }
    ackTimers = new Timer[0];
    for (MeterRegistry registry : registries) {
      for (Meter m : meters) {
        registry.remove(m);
      }
    }
    meters.clear();
    registries.clear();
    namespaceGauges.clear();
  }

  private static double sumClusterAdapters(SocketIoServer io, java.util.function.ToLongFunction<ClusterAdapter> f) {
    long sum = 0;
    for (Namespace nsp : io.namespaces()) {
      Adapter a = nsp.adapter();
      if (a instanceof ClusterAdapter c) {
        sum += f.applyAsLong(c);
      }
    }
    return sum;
  }

  /** A tag value for an enum constant: its name in lower case ({@code PING_TIMEOUT} is {@code ping_timeout}). */
  static String tagValue(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private void namespaceGauge(MeterRegistry registry, Namespace nsp) {
    NamespaceSockets holder = namespaceGauges.computeIfAbsent(nsp.name(), k -> new NamespaceSockets(nsp));
    meters.add(Gauge.builder(PREFIX + "sockets.connected", holder, NamespaceSockets::count)
        .description("Sockets connected now, by namespace")
        .tags(tags)
        .tag("namespace", nsp.name())
        .strongReference(true)
        .register(registry));
  }

  private synchronized void discovered(Namespace nsp) {
    if (observer == null || namespaceGauges.containsKey(nsp.name())) {
      return;
    }
    for (MeterRegistry registry : registries) {
      namespaceGauge(registry, nsp);
    }
  }

  /**
   * The namespace a {@code parley.sockets.connected} gauge reads, weakly held: a child of a dynamic
   * namespace that was removed reads 0, and one created again under the same name takes its place
   * when its first socket connects.
   */
  private static final class NamespaceSockets {
    private volatile WeakReference<Namespace> namespace;

    NamespaceSockets(Namespace nsp) {
      this.namespace = new WeakReference<>(nsp);
    }

    boolean holds(Namespace nsp) {
      return namespace.get() == nsp;
    }

    void replace(Namespace nsp) {
      namespace = new WeakReference<>(nsp);
    }

    double count() {
      Namespace nsp = namespace.get();
      return nsp == null ? 0 : nsp.sockets().size();
    }
  }

  private <T> void gauge(MeterRegistry registry, String name, String description, Tags extra, T obj,
      ToDoubleFunction<T> f, String unit) {
    meters.add(Gauge.builder(PREFIX + name, obj, f)
        .description(description)
        .tags(tags)
        .tags(extra)
        .baseUnit(unit)
        .register(registry));
  }

  private <T> void counter(MeterRegistry registry, String name, String description, Tags extra, T obj,
      ToDoubleFunction<T> f, String unit) {
    meters.add(FunctionCounter.builder(PREFIX + name, obj, f)
        .description(description)
        .tags(tags)
        .tags(extra)
        .baseUnit(unit)
        .register(registry));
  }

  /** Times acks and notices namespaces created after binding; every call is cheap and lock-free. */
  private final class Observer implements ServerObserver {
    @Override
    public void onSocketConnected(Socket socket) {
      if (socketsByNamespace) {
        Namespace nsp = socket.namespace();
        NamespaceSockets known = namespaceGauges.get(nsp.name());
        if (known == null) {
          discovered(nsp);
        } else if (!known.holds(nsp)) {
          known.replace(nsp); // a removed child namespace created again
        }
      }
    }

    @Override
    public void onAck(Socket socket, long roundTripNanos) {
      for (Timer t : ackTimers) {
        t.record(roundTripNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Builds a {@link ParleyMetrics}; every setter is optional. */
  public static final class Builder {
    private final SocketIoServer io;
    private Tags tags = Tags.empty();
    private boolean ackRoundTrip = true;
    private boolean socketsByNamespace = true;

    private Builder(SocketIoServer io) {
      this.io = Objects.requireNonNull(io, "io == null");
    }

    /**
     * Tags added to every meter, e.g. {@code server=chat} when one application runs two servers.
     *
     * @param tags the tags
     * @return this builder
     */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = Tags.of(Objects.requireNonNull(tags, "tags == null"));
      return this;
    }

    /**
     * Whether to time acknowledgement round trips ({@code parley.ack.round.trip}); default true.
     *
     * @param on true to time them
     * @return this builder
     */
    public Builder ackRoundTrip(boolean on) {
      this.ackRoundTrip = on;
      return this;
    }

    /**
     * Whether to keep a {@code parley.sockets.connected} gauge per namespace; default true. Turn it
     * off for a server with many dynamic namespaces (one gauge each): {@code parley.sockets.connected}
     * is then one gauge, without a {@code namespace} tag, for every namespace together.
     *
     * @param on true for a gauge per namespace
     * @return this builder
     */
    public Builder socketsByNamespace(boolean on) {
      this.socketsByNamespace = on;
      return this;
    }

    /** The binder. */
    public ParleyMetrics build() {
      return new ParleyMetrics(this);
    }
  }
}
