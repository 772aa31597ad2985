package dev.parley.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a broadcast after its loop: {@link #sendTogether} runs the broadcast (which queues a packet
 * on every recipient's outbox), collecting the sessions that need a flush instead of flushing each
 * as it is queued, then flushes them: up to {@value #INLINE_FLUSHES} on the calling thread, a bigger
 * room split into tasks on the pool so its writes run on every core while the broadcaster goes on
 * (its ack, its next event). A session whose flush has not run yet when the next broadcast comes
 * takes both packets in one write: under load the cost of a write is shared by several messages.
 * While earlier broadcasts' flush tasks still run, a new broadcast gets only as many tasks as there
 * are cores not busy with them (at least one), so its writes trail the queues and more sessions have
 * several frames waiting when their turn comes (docs/performance.md, "A broadcast writes after the
 * loop"). Past {@code 8 × cores} tasks in flight the broadcaster flushes itself, which slows it down
 * rather than letting outboxes grow.
 *
 * <p>One per {@link EngineServer}, never shared: each has its own pool, its own count of tasks in
 * flight, and its own record of which threads are inside {@link #sendTogether} (a {@link ThreadLocal}
 * held by this instance), so a broadcast on one server neither defers nor is slowed by another's.
 *
 * <p>Threads: {@link #sendTogether} and {@link #defer} on the broadcasting thread (any thread);
 * {@link #defer} is called by a session on that same thread, from inside the broadcast. The flush
 * tasks run on the pool; each hands the flush to its session's lane ({@link EngineSession#flushNow}).
 */
final class BroadcastFlusher {
  /** Up to this many sessions a broadcast flushes on the calling thread; more are split over the pool. */
  static final int INLINE_FLUSHES = 64;
  /** Recipients per flush task: big enough to amortise the hand-off, small enough to spread. */
  static final int FLUSHES_PER_TASK = 256;

  private final Executor pool;
  private final int cores;
  private final int maxTasks;
  /** The sessions queued to by the {@link #sendTogether} running on this thread; unset outside one. */
  private final ThreadLocal<List<EngineSession>> collecting = new ThreadLocal<>();
  /** Flush tasks handed to the pool and not finished: this server's only. */
  private final AtomicInteger tasks = new AtomicInteger();

  BroadcastFlusher(Executor pool) {
    this(pool, Runtime.getRuntime().availableProcessors());
  }

  BroadcastFlusher(Executor pool, int cores) {
    this.pool = pool;
    this.cores = cores;
    this.maxTasks = 8 * cores;
  }

  /**
   * Runs {@code sends} (which queues packets for many sessions) and then flushes every session it
   * queued to, as the class describes. A call inside another on the same thread joins the outer one.
   */
  void sendTogether(Runnable sends) {
    if (collecting.get() != null) {
      sends.run();
      return;
    }
    List<EngineSession> sessions = new ArrayList<>();
    collecting.set(sessions);
    try {
      sends.run();
    } finally {
      collecting.remove();
      flushAll(sessions);
    }
  }

  /**
   * A session that needs a flush asks first: true when this thread is inside {@link #sendTogether},
   * which then flushes the session after the loop; false means flush it now.
   */
  boolean defer(EngineSession session) {
    List<EngineSession> sessions = collecting.get();
    if (sessions == null) {
      return false;
    }
    sessions.add(session);
    return true;
  }

  /** Flush tasks in flight (tests). */
  int tasksInFlight() {
    return tasks.get();
  }

  private void flushAll(List<EngineSession> sessions) {
    int n = sessions.size();
    if (n <= INLINE_FLUSHES) {
      flushEach(sessions);
      return;
    }
    // enough tasks to keep every core writing, no more: each hand-off costs. While earlier
    // broadcasts are still being written (they overlap: the server is saturated), only as many as
    // there are cores not busy with them, at least one: the writes then trail the queues, more
    // sessions have several frames waiting when their turn comes, and each gets them in one write
    int wanted = Math.min((n + FLUSHES_PER_TASK - 1) / FLUSHES_PER_TASK, 2 * cores);
    int busy = tasks.get();
    int count = busy == 0 ? wanted : Math.max(1, Math.min(wanted, cores - busy));
    int size = (n + count - 1) / count;
    for (int from = 0; from < n; from += size) {
      List<EngineSession> part = sessions.subList(from, Math.min(n, from + size));
      if (tasks.incrementAndGet() > maxTasks) {
        tasks.decrementAndGet();
        flushEach(part);
        continue;
      }
      try {
        pool.execute(() -> {
          try {
            flushEach(part);
          } finally {
            tasks.decrementAndGet();
          }
        });
      } catch (RejectedExecutionException e) {
        tasks.decrementAndGet();
        flushEach(part); // shutting down: no pool any more
      }
    }
  }

  private static void flushEach(List<EngineSession> sessions) {
    for (int i = 0, n = sessions.size(); i < n; i++) {
      sessions.get(i).flushNow();
    }
  }
}
