package dev.parley.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Read back-pressure for one session: the bytes of received messages that the listener queued and
 * has not handled yet. While more than {@link #limit} waits, the transport stops reading from the
 * client (a WebSocket is not read, a polling POST is not answered), so a client that sends faster
 * than its handlers run is held back by TCP instead of filling the heap; reading resumes once the
 * backlog is down to half the limit.
 *
 * <p>Threads: {@link #queued} on the session's lane (the listener counts what it hands to a worker),
 * {@link #handled} on whichever thread finished that work, {@link #pause} and {@link #overLimit} on
 * the transport's reading thread. All lock-free: the backlog is a counter, and the resume callback is
 * handed over with a compare-and-set so it runs exactly once.
 *
 * <p>The two fields change through {@link VarHandle}s rather than being {@code Atomic*} objects, for
 * the reason {@link Outbox} gives (an object per field per connection).
 */
final class InputGate {
  private final long limit;
  private volatile long backlog;
  /** Set while the transport has stopped reading: run once when the backlog is down to half the limit. */
  private volatile Runnable resume;

  /** A gate that closes past {@code limit} bytes waiting (the session uses twice {@code maxHttpBufferSize}). */
  InputGate(long limit) {
    this.limit = limit;
  }

  /** The listener queued {@code bytes} of a received message to handle later. */
  void queued(long bytes) {
    long unused = (long) BACKLOG.getAndAdd(this, bytes);
  }

  /** The listener handled what it counted with {@link #queued}; resumes reading once enough is handled. */
  void handled(long bytes) {
    long left = (long) BACKLOG.getAndAdd(this, -bytes) - bytes;
    if (resume != null && left <= limit / 2) {
      Runnable r = (Runnable) RESUME.getAndSet(this, (Runnable) null);
      if (r != null) {
        r.run();
      }
    }
  }

  /** Bytes queued and not yet handled. */
  long backlog() {
    return backlog;
  }

  /** Whether the backlog is past the limit now; keeps nothing. */
  boolean overLimit() {
    return backlog > limit;
  }

  /**
   * The transport asks, after handing over what it read, whether to read on: true means stop, and
   * {@code resume} will run once (on the thread that handles the backlog down) to start again.
   */
  boolean pause(Runnable resumeReading) {
    if (!overLimit()) {
      return false;
    }
    RESUME.setVolatile(this, resumeReading);
    // handled down meanwhile, before the resume was seen: take it back and read on
    return !(backlog <= limit / 2 && RESUME.compareAndSet(this, resumeReading, (Runnable) null));
  }

  private static final VarHandle BACKLOG =
      VarHandles.field(MethodHandles.lookup(), InputGate.class, "backlog", long.class);
  private static final VarHandle RESUME =
      VarHandles.field(MethodHandles.lookup(), InputGate.class, "resume", Runnable.class);
}
