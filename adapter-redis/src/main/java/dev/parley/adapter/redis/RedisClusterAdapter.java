package dev.parley.adapter.redis;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.ClusterAdapter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Redis adapters (classic, Streams, sharded) share on top of {@link ClusterAdapter}: the server's bus (its
 * connections, the thread that handles incoming messages in order and runs the request timers, and
 * the one warning per outage), its options, subscribing when the namespace starts, unsubscribing when it closes,
 * and counting the servers with {@code PUBSUB NUMSUB}. A subclass says which channels, and speaks its
 * wire dialect.
 *
 * <pre>{@code
 * final class MyRedisAdapter extends RedisClusterAdapter<MyBus, MyOptions> {
 *   void subscribe() { bus.subscribe(this, channel); }
 *   void unsubscribe() { bus.unsubscribe(channel); }
 *   long subscribers() { return bus.numsub(channel); }
 *   // doPublish, doPublishResponse
 * }
 * }</pre>
 */
abstract class RedisClusterAdapter<B extends SharedBus, O> extends ClusterAdapter {
  /** What {@code doPublish} returns when the bus reports the outcome itself (and there is no offset). */
  static final CompletionStage<String> SENT = CompletableFuture.completedFuture(null);
  final B bus;
  final O options;
  final String nsp;

  RedisClusterAdapter(AdapterContext context, B bus, O options, Duration requestsTimeout, Supplier<String> ids) {
    super(context, bus.executor(), requestsTimeout, ids);
    this.bus = bus;
    this.options = options;
    this.nsp = context.namespace();
  }

  /** The adapter's logger (named after the concrete class). */
  final Logger log = LoggerFactory.getLogger(getClass());

  /** Subscribes this namespace's channels and waits for Redis to confirm; throws when it cannot. */
  abstract void subscribe();

  /** Unsubscribes this namespace's channels; the bus closes with the last namespace. */
  abstract void unsubscribe();

  /** {@code PUBSUB NUMSUB} of the channel every server of the namespace subscribes once, or -1. */
  abstract long subscribers();

  /**
   * What {@code decode} makes of a message that came on {@code where}, or null when it throws (a
   * malformed message is logged at debug level and otherwise ignored).
   */
  final <T> T decoded(Supplier<T> decode, String where) {
    try {
      return decode.get();
    } catch (RuntimeException e) {
      log.debug("ignored a malformed message on {}", where, e);
      return null;
    }
  }

  String namespace() {
    return nsp;
  }

  /**
   * Outages of this server's Redis connections so far: one per time Redis became unreachable, counted
   * once per server (every namespace's adapter shares the connections and reports the same count).
   */
  @Override
  public long outages() {
    return bus.outages();
  }

  /** Whether Redis answers now: false from a reported failure until Redis answers again. */
  @Override
  public boolean backendReachable() {
    return !bus.down();
  }

  /** For the factory: a closed adapter's namespace may be served again. */
  boolean closed() {
    return isClosed();
  }

  /**
   * Subscribes to this namespace's channels and waits for Redis to confirm, so that this server is
   * counted by the others before the namespace is used.
   *
   * @throws IllegalStateException when Redis cannot be reached
   */
  @Override
  public final void init() {
    try {
      subscribe();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Unsubscribes; the connections close with the last adapter of the server. */
  @Override
  protected final void closing() {
    super.closing();
    unsubscribe();
  }

  /**
   * The number of servers of the namespace ({@code PUBSUB NUMSUB} of its counting channel), read
   * fresh on each call; 1 while Redis is unreachable. Blocks for at most the request timeout.
   */
  @Override
  public final int serverCount() {
    long n = subscribers();
    return n < 1 ? 1 : (int) Math.min(Integer.MAX_VALUE, n);
  }

  /**
   * Outages of Redis are reported once per server by the bus, which sees every command; this logs
   * only a failure the bus did not see (a message that could not even be encoded).
   */
  @Override
  protected final void outageStarted(Throwable cause) {
    if (!bus.down()) {
      log.warn("namespace {}: could not publish a message (nothing more is logged until one is published)", nsp, cause);
    }
  }

  @Override
  protected final void outageEnded() {}
}
