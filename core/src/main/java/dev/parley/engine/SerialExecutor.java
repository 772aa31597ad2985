package dev.parley.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the per-session "actor" that
 * gives in-order handling without a thread per connection. After a batch of tasks it yields the
 * thread so one busy session cannot starve the others.
 *
 * <p>{@link #executeInline} runs a task on the calling thread when the lane is idle instead of handing
 * it to the pool: a thread hand-off costs more than most engine tasks (a flush, a decoded packet).
 * Mutual exclusion and order are those of the queue: the lane is taken with the same flag a pool run
 * takes, and only when nothing is queued. A thread runs at most one lane inline at a time, so inline
 * runs never nest.
 *
 * <p>Every connection has two of these, so the lane flag is a plain volatile field changed through a
 * {@link VarHandle} rather than an {@code AtomicBoolean}, and the executor is itself the drain task it
 * hands to the pool: no object per lane beyond the executor and its queue.
 */
final class SerialExecutor implements Executor, Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 64;
  /** Whether the current thread is running some lane inline (then it queues instead of nesting). */
  private static final ThreadLocal<boolean[]> INLINE = ThreadLocal.withInitial(() -> new boolean[1]);

  private final Executor delegate;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Whether the lane is taken: a drain is queued or running, or a task runs inline. */
  private volatile boolean scheduled;
  private volatile Thread runner;

  private static final VarHandle SCHEDULED;

  static {
    try {
      SCHEDULED = MethodHandles.lookup().findVarHandle(SerialExecutor.class, "scheduled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    schedule();
  }

  /**
   * Runs {@code task} now, on the calling thread, if the lane is idle (nothing queued, nothing
   * running) and this thread is not already running a lane inline; otherwise queues it like
   * {@link #execute}. Tasks queued meanwhile run after it on this thread, up to one batch. Only for
   * tasks that never block: the caller may be an I/O thread.
   */
  void executeInline(Runnable task) {
    boolean[] inline = INLINE.get();
    if (inline[0] || !tasks.isEmpty() || !SCHEDULED.compareAndSet(this, false, true)) {
      execute(task);
      return;
    }
    inline[0] = true;
    runner = Thread.currentThread();
    try {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("uncaught exception in session task", t);
      }
      for (int i = 1; i < BATCH; i++) {
        Runnable next = tasks.poll();
        if (next == null) {
          break;
        }
        try {
          next.run();
        } catch (Throwable t) {
          log.error("uncaught exception in session task", t);
        }
      }
    } finally {
      inline[0] = false;
      runner = null;
      scheduled = false;
      if (!tasks.isEmpty()) {
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
        scheduled = false;
        tasks.clear(); // the server is shutting down: nothing will run any more
      }
    }
  }

  /** The drain: runs up to one batch of queued tasks on a pool thread. Only ever handed to the delegate. */
  @Override
  public void run() {
    runner = Thread.currentThread();
    try {
      for (int i = 0; i < BATCH; i++) {
        Runnable task = tasks.poll();
        if (task == null) {
          break;
        }
        try {
          task.run();
        } catch (Throwable t) {
          log.error("uncaught exception in session task", t);
        }
      }
    } finally {
      runner = null;
      scheduled = false;
      if (!tasks.isEmpty()) {
        schedule();
      }
    }
  }
}
