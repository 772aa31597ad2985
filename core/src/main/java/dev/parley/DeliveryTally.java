package dev.parley;

/**
 * Counts the sockets of this server one emitted packet is handed to, without an atomic operation per
 * recipient. The adapter hands a broadcast to its local recipients in a loop on the thread that called
 * it; that thread {@link #open opens} the tally before the call and {@link #close closes} it after, and
 * in between each delivery on it is a plain increment. A delivery on another thread, or after the
 * close (an adapter that delivers later, such as the Redis streams adapter with recovery on), is not
 * counted here: {@link #add} says so, and the caller counts it in the shared counter instead.
 *
 * <p>{@code count} is written and read on the owner's thread only. Another thread reads
 * {@code owner}, sees that it is not itself, and touches nothing else; the close drops the owner, so
 * a packet kept for recovery does not keep its sender's thread reachable.
 */
final class DeliveryTally {
  /**
   * The tally of an emit to one socket sent through the adapter (connection state recovery gives it
   * an offset there): its delivery is the emit itself, already counted, so it is never counted again.
   */
  static final DeliveryTally SINGLE_EMIT = new DeliveryTally();

  private Thread owner;
  private int count;

  /** Makes the calling thread the one whose deliveries are counted here. */
  void open() {
    owner = Thread.currentThread();
  }

  /** Counts one delivery if it happens on the owner's thread before the close; false otherwise. */
  boolean add() {
    if (owner != Thread.currentThread()) {
      return false;
    }
    count++;
    return true;
  }

  /** Owner only: stops counting and returns the deliveries counted. */
  int close() {
    owner = null;
    return count;
  }
}
