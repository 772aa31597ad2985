package dev.parley.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One session's outbox: the packets queued for the client and not yet handed to its transport, their
 * wire size in bytes, whether a flush is scheduled, and the corks that hold writing back.
 *
 * <p>Threads: {@link #add}, {@link #claimFlush}, {@link #cork} and {@link #uncork} are called from any
 * thread (whoever emits) and are lock-free; {@link #takeBatch}, {@link #flushStarted} and
 * {@link #clear} only on the session's lane, the one consumer. The session decides where a flush
 * runs ({@link EngineSession}); this class only keeps the queue and its counters.
 *
 * <p>The four mutable fields are volatile fields changed through {@link VarHandle}s, not
 * {@code Atomic*} objects: every connection has an outbox, and the atomics would be four objects of
 * their own (part of the 0.4 KiB per idle connection that session 4 measured, docs/performance.md,
 * "Heap per idle connection"). Every call is exact (the result cast, arguments of the field's type):
 * an inexact VarHandle call is adapted through {@code asType} at run time.
 *
 * <p>Not final only so that a test can reach into {@link #uncork()} ({@link #beforeUncorkWrite}); no
 * subclass exists in the library, so the JIT inlines the empty call away.
 */
class Outbox {
  private final ConcurrentLinkedQueue<EnginePacket> queue = new ConcurrentLinkedQueue<>();
  /** Wire bytes queued: added when a packet is queued, subtracted when its batch goes to the transport. */
  private volatile long bytes;
  /** Set once, the first time {@link #bytes} passes the limit: the session ends as a slow consumer. */
  private volatile boolean overflowed;
  /** A flush task is queued or handed to a broadcast's flusher and has not started yet. */
  private volatile boolean flushScheduled;
  /** While above zero, packets are queued but not written ({@link #cork()}). Never below zero. */
  private volatile int corks;

  /**
   * Queues a packet (any thread). Returns true the first time the queued bytes pass {@code limit}:
   * the caller then ends the session ("slow consumer"); later calls return false.
   */
  boolean add(EnginePacket packet, long limit) {
    queue.add(packet);
    return account(packet.wireSize(), limit);
  }

  /** Queues several packets, in order (any thread); returns as {@link #add}. */
  boolean addAll(List<EnginePacket> packets, long limit) {
    queue.addAll(packets);
    long n = 0;
    for (int i = 0, size = packets.size(); i < size; i++) {
      n += packets.get(i).wireSize();
    }
    return account(n, limit);
  }

  /** Queues a packet of the session's own (OPEN, CLOSE): counted, never refused, never an overflow. */
  void addInternal(EnginePacket packet) {
    queue.add(packet);
    long unused = (long) BYTES.getAndAdd(this, (long) packet.wireSize());
  }

  private boolean account(long n, long limit) {
    return (long) BYTES.getAndAdd(this, n) + n > limit && OVERFLOWED.compareAndSet(this, false, true);
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Bytes queued and not yet handed to the transport. */
  long bytes() {
    return bytes;
  }

  /** Lane only: drops everything (the session ended). */
  void clear() {
    queue.clear();
    bytes = 0;
  }

  // ---------------------------------------------------------------- flush scheduling

  /**
   * Any thread: true when the caller must see to a flush (none is scheduled and no cork holds writing
   * back); at most one caller gets true until {@link #flushStarted}.
   */
  boolean claimFlush() {
    return corks == 0 && FLUSH_SCHEDULED.compareAndSet(this, false, true);
  }

  /** Lane only: the scheduled flush starts; a packet queued from now on claims the next one. */
  void flushStarted() {
    flushScheduled = false;
  }

  // ---------------------------------------------------------------- corks

  /** Holds writing back until the matching {@link #uncork()} (any thread). */
  void cork() {
    int unused = (int) CORKS.getAndAdd(this, 1); // an exact call site: (int) and an int argument
  }

  /**
   * Removes one cork (any thread). Returns true when it was the last one and packets wait: the caller
   * schedules a flush. An uncork without a cork is ignored.
   *
   * <p>One compare-and-set, never a plain store: a {@link #cork()} from another thread between the
   * read and the write makes the write fail and the loop read again, so no cork is lost (an earlier
   * {@code getAndAdd(-1)} followed by {@code corks = 0} lost one that came between the two).
   */
  boolean uncork() {
    int c;
    do {
      c = corks;
      if (c <= 0) {
        return false;
      }
      beforeUncorkWrite();
    } while (!CORKS.compareAndSet(this, c, c - 1));
    return c == 1 && !queue.isEmpty();
  }

  /** True while a cork holds writing back. */
  boolean corked() {
    return corks > 0;
  }

  // ---------------------------------------------------------------- batches (lane only)

  /**
   * Lane only: takes everything queued as one batch, oldest first, and subtracts its bytes; null when
   * nothing is queued. With {@code stopAtClose} (the session has queued its CLOSE) the batch ends with
   * the first {@link EnginePacket#CLOSE}, which stays last. A batch of more than one packet is a
   * mutable list (the session may hold the close back for the next poll).
   */
  List<EnginePacket> takeBatch(boolean stopAtClose) {
    EnginePacket first = queue.poll();
    if (first == null) {
      return null;
    }
    long n = first.wireSize();
    List<EnginePacket> batch;
    if ((stopAtClose && first == EnginePacket.CLOSE) || queue.peek() == null) {
      batch = List.of(first); // the common case of a broadcast: one packet, no list to grow
    } else {
      batch = new ArrayList<>();
      batch.add(first);
      EnginePacket p;
      while ((p = queue.poll()) != null) {
        batch.add(p);
        n += p.wireSize();
        if (stopAtClose && p == EnginePacket.CLOSE) {
          break;
        }
      }
    }
    long unused = (long) BYTES.getAndAdd(this, -n);
    return batch;
  }

  /**
   * Called inside {@link #uncork()} after it read the count and before it writes the new one, the
   * window where another thread's {@link #cork()} was once lost. Empty; a test overrides it to cork
   * from there.
   */
  void beforeUncorkWrite() {}

  private static final VarHandle BYTES =
      VarHandles.field(MethodHandles.lookup(), Outbox.class, "bytes", long.class);
  private static final VarHandle OVERFLOWED =
      VarHandles.field(MethodHandles.lookup(), Outbox.class, "overflowed", boolean.class);
  private static final VarHandle FLUSH_SCHEDULED =
      VarHandles.field(MethodHandles.lookup(), Outbox.class, "flushScheduled", boolean.class);
  private static final VarHandle CORKS =
      VarHandles.field(MethodHandles.lookup(), Outbox.class, "corks", int.class);
}
