package dev.parley.engine;

import dev.parley.internal.engine.RateLimitedLog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the per-session "actor" that
 * gives in-order handling without a thread per connection. After a batch of tasks ({@value #BATCH}
 * tasks, or {@value #SLICE_MILLIS} ms of work, whichever comes first; a task is never interrupted) it
 * yields the thread, so one busy connection cannot starve the others, nor hold an I/O thread it ran
 * on inline.
 *
 * <p>{@link #executeInline} runs a task on the calling thread when the lane is idle instead of handing
 * it to the pool: a thread hand-off costs more than most engine tasks (a flush, a decoded packet).
 * Mutual exclusion and order are those of the queue: the lane is taken with the same flag a pool run
 * takes, and only when nothing is queued. A thread runs at most one lane inline at a time, so inline
 * runs never nest.
 *
 * <p>A task that throws is logged (rate-limited: one stack trace per kind of failure, then counts) and
 * the lane goes on. If the shared executor cannot take the lane (it is shut down, or failed to start
 * a thread), the lane is released rather than left marked as running: a later submission tries again.
 *
 * <p>Every connection has two of these, so the lane flag is a plain volatile field changed through a
 * {@link VarHandle} rather than an {@code AtomicBoolean}, the executor is itself the drain task it
 * hands to the pool, and the queue is two fields of its own rather than a queue object with a
 * sentinel node: an idle lane is this one object. Submitters push onto a lock-free stack (newest
 * first); whoever holds the lane takes the whole stack at once and reverses it into a list only the
 * lane touches, so tasks still run in submission order.
 */
final class SerialExecutor implements Executor, Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  /** Failures of lane tasks: one stack trace per kind, then counts (a bug hit per packet must not flood the log). */
  private static final RateLimitedLog failures = new RateLimitedLog(log, java.time.Duration.ofSeconds(10), null);
  /** Most tasks run in one go before the lane yields its thread. */
  static final int BATCH = 64;
  /** Most time one go may take (checked after each task) before the lane yields its thread. */
  static final long SLICE_MILLIS = 2;
  private static final long SLICE_NANOS = SLICE_MILLIS * 1_000_000;
  /** Whether the current thread is running some lane inline (then it queues instead of nesting). */
  private static final ThreadLocal<boolean[]> INLINE = ThreadLocal.withInitial(() -> new boolean[1]);

  private final Executor delegate;
  /** Tasks submitted and not yet taken by the lane, newest first. */
  private volatile Node submitted;
  /**
   * Lane only (read by others only as a hint): tasks taken from {@link #submitted}, oldest first,
   * not yet run. Handed from one holder of the lane to the next through {@link #scheduled}.
   */
  private Node taken;
  /** Whether the lane is taken: a drain is queued or running, or a task runs inline. */
  private volatile boolean scheduled;
  private volatile Thread runner;

  private static final VarHandle SUBMITTED =
      VarHandles.field(MethodHandles.lookup(), SerialExecutor.class, "submitted", Node.class);
  private static final VarHandle SCHEDULED =
      VarHandles.field(MethodHandles.lookup(), SerialExecutor.class, "scheduled", boolean.class);

  /** A queued task. */
  private static final class Node {
    final Runnable task;
    Node next;

    Node(Runnable task) {
      this.task = task;
    }
  }

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    Node n = new Node(task);
    Node head;
    do {
      head = submitted;
      n.next = head;
    } while (!SUBMITTED.compareAndSet(this, head, n));
    schedule();
  }

  /** Lane only: the oldest task not yet run, or null when none is queued. */
  private Runnable poll() {
    Node n = taken;
    if (n == null) {
      if (submitted == null) {
        return null; // a plain read: the usual case after the last task, no atomic exchange
      }
      Node stack = (Node) SUBMITTED.getAndSet(this, (Node) null);
      // newest first -> oldest first; no submitter touches these nodes any more
      while (stack != null) {
        Node next = stack.next;
        stack.next = n;
        n = stack;
        stack = next;
      }
    }
    taken = n.next;
    return n.task;
  }

  /** Whether tasks are queued; exact for the lane's holder, a hint for anyone else. */
  private boolean hasQueued() {
    return taken != null || submitted != null;
  }

  /**
   * Runs {@code task} now, on the calling thread, if the lane is idle (nothing queued, nothing
   * running) and this thread is not already running a lane inline; otherwise queues it like
   * {@link #execute}. Tasks queued meanwhile run after it on this thread, up to one batch (what is
   * left then goes to the shared executor, so an I/O thread is held for one short batch at most).
   * Only for tasks that never block: the caller may be an I/O thread.
   */
  void executeInline(Runnable task) {
    boolean[] inline = INLINE.get();
    if (inline[0] || !SCHEDULED.compareAndSet(this, false, true)) {
      execute(task);
      return;
    }
    if (hasQueued()) { // checked holding the lane, so what the last holder left is seen
      scheduled = false;
      execute(task); // behind what is queued
      return;
    }
    inline[0] = true;
    runner = Thread.currentThread();
    long start = System.nanoTime();
    try {
      runTask(task);
      for (int i = 1; i < BATCH && System.nanoTime() - start < SLICE_NANOS; i++) {
        Runnable next = poll();
        if (next == null) {
          break;
        }
        runTask(next);
      }
    } finally {
      inline[0] = false;
      runner = null;
      scheduled = false;
      if (hasQueued()) {
        schedule();
      }
    }
  }

  /** True when the calling thread is running one of this executor's tasks. */
  boolean inExecutor() {
    return runner == Thread.currentThread();
  }

  private void schedule() {
    if (SCHEDULED.compareAndSet(this, false, true)) {
      try {
        delegate.execute(this);
      } catch (RejectedExecutionException e) {
        // the server is shutting down: nothing will run any more (cleared while holding the lane)
        taken = null;
        SUBMITTED.setVolatile(this, (Node) null);
        scheduled = false;
      } catch (Throwable t) {
        // the executor could not take the lane (e.g. OutOfMemoryError: unable to create a thread).
        // Release it, or it would stay marked as running and never run again: the tasks stay queued
        // and the next submission tries again.
        scheduled = false;
        failures.error("lane not scheduled: " + t.getClass().getName(),
            "a connection's lane could not be handed to its executor; its tasks wait for the next submission", t);
      }
    }
  }

  private static void runTask(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      FAILED_TASKS.increment();
      failures.error("lane task threw " + t.getClass().getName(), "uncaught exception in session task", t);
    }
  }

  /** Tasks that threw, all lanes (see {@link ParleyExecutors#failedLaneTasks()}). */
  static final java.util.concurrent.atomic.LongAdder FAILED_TASKS = new java.util.concurrent.atomic.LongAdder();

  /**
   * The drain: runs up to one batch of queued tasks on a pool thread (at least one task, then more
   * while the batch is under {@link #BATCH} tasks and {@link #SLICE_MILLIS} ms). Only ever handed to
   * the delegate.
   */
  @Override
  public void run() {
    runner = Thread.currentThread();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < BATCH && (i == 0 || System.nanoTime() - start < SLICE_NANOS); i++) {
        Runnable task = poll();
        if (task == null) {
          break;
        }
        runTask(task);
      }
    } finally {
      runner = null;
      scheduled = false;
      if (hasQueued()) {
        schedule();
      }
    }
  }
}
