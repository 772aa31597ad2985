package dev.parley.adapter;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ClusterAdapter} for a backend that cannot count its subscribers, as socket.io-adapter's
 * {@code ClusterAdapterWithHeartbeat}: the servers count each other. Each adapter announces itself
 * when it starts ({@link ClusterMessage.InitialHeartbeat}, which the others answer with a
 * {@link ClusterMessage.Heartbeat}), publishes a heartbeat when it has published nothing for
 * {@code heartbeatInterval}, and says goodbye when it closes ({@link ClusterMessage.AdapterClose}).
 * A server not heard from for {@code heartbeatTimeout} is gone. {@link #serverCount} is one plus the
 * servers heard from, and a request waits for an answer from each of them by uid (and stops waiting
 * for one that goes).
 *
 * <p>A backend calls {@code super.init()} once it is subscribed (that publishes the first heartbeat)
 * and {@code super.closing()} before it unsubscribes (that publishes the goodbye).
 *
 * <pre>{@code
 * final class PostgresAdapter extends ClusterAdapterWithHeartbeat {
 *   PostgresAdapter(AdapterContext context, Notifier notifier) {
 *     super(context, notifier.scheduler(), DEFAULT_REQUESTS_TIMEOUT,
 *         DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT);
 *     ...
 *   }
 *   @Override public void init() { notifier.listen(channel, this::receive); super.init(); }
 *   // doPublish, doPublishResponse: NOTIFY; no serverCount to write
 * }
 * }</pre>
 */
public abstract class ClusterAdapterWithHeartbeat extends ClusterAdapter {
  /** Node's default: a heartbeat after 5 s without publishing. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
  /** Node's default: a server not heard from for 10 s is gone. */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  /** The uid an emitter (a process with no server) publishes with: it is not a server. */
  static final String EMITTER_UID = "emitter";

  private final long intervalNanos;
  private final long timeoutNanos;
  /** uid of each other server -> when it was last heard from (System.nanoTime). */
  private final Map<String, Long> servers = new ConcurrentHashMap<>();
  private volatile long lastPublished = System.nanoTime();
  private volatile ScheduledFuture<?> ticker;

  /**
   * An adapter that publishes a heartbeat after {@code heartbeatInterval} without publishing and
   * counts a server gone after {@code heartbeatTimeout} without hearing from it.
   */
  protected ClusterAdapterWithHeartbeat(AdapterContext context, ScheduledExecutorService scheduler,
      Duration requestsTimeout, Duration heartbeatInterval, Duration heartbeatTimeout) {
    super(context, scheduler, requestsTimeout);
    this.intervalNanos = positive(heartbeatInterval, "heartbeatInterval").toNanos();
    this.timeoutNanos = positive(heartbeatTimeout, "heartbeatTimeout").toNanos();
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name + " == null");
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " <= 0");
    }
    return d;
  }

  /** Announces this server and starts the heartbeat; a backend calls it once subscribed. */
  @Override
  public void init() {
    super.init();
    publish(new ClusterMessage.InitialHeartbeat());
    long period = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(intervalNanos) / 2, 1000));
    ticker = scheduler().scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  /** Says goodbye and stops the heartbeat; a backend calls it before it unsubscribes. */
  @Override
  protected void closing() {
    super.closing();
    ScheduledFuture<?> t = ticker;
    if (t != null) {
      t.cancel(false);
    }
    publish(new ClusterMessage.AdapterClose());
  }

  private void tick() {
    long now = System.nanoTime();
    if (now - lastPublished >= intervalNanos) {
      publish(new ClusterMessage.Heartbeat());
    }
    for (Map.Entry<String, Long> e : servers.entrySet()) {
      if (now - e.getValue() > timeoutNanos) {
        remove(e.getKey());
      }
    }
  }

  @Override
  protected CompletionStage<String> publish(ClusterMessage message) {
    lastPublished = System.nanoTime(); // any message tells the others this server is alive
    return super.publish(message);
  }

  /** Notes that the sender is alive, answers its first heartbeat, forgets it when it closes. */
  @Override
  protected void onMessage(String senderUid, ClusterMessage message, String offset) {
    if (senderUid == null || senderUid.equals(uid()) || senderUid.equals(EMITTER_UID)) {
      super.onMessage(senderUid, message, offset);
      return;
    }
    servers.put(senderUid, System.nanoTime());
    if (message instanceof ClusterMessage.InitialHeartbeat) {
      publish(new ClusterMessage.Heartbeat());
    } else if (message instanceof ClusterMessage.AdapterClose) {
      remove(senderUid);
    } else {
      super.onMessage(senderUid, message, offset);
    }
  }

  private void remove(String serverUid) {
    servers.remove(serverUid);
    serverLeft(serverUid);
  }

  /** One plus the other servers heard from within the heartbeat timeout. */
  @Override
  public int serverCount() {
    return 1 + servers.size();
  }

  /** The other servers heard from: a request waits for an answer from each. */
  @Override
  protected Set<String> expectedResponders() {
    return new HashSet<>(servers.keySet());
  }

  /** Node's message: {@code timeout reached: missing N responses}. */
  @Override
  protected String timeoutMessage(RequestType type, int received, int missing) {
    return "timeout reached: missing " + missing + " responses";
  }
}
