package dev.parley.engine;

import dev.parley.internal.engine.RateLimitedLog;

import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Scheduler#system()}: one daemon thread with nanosecond-resolution deadlines; a cancelled
 * timer leaves the queue at once.
 *
 * <p>Every idle connection has a heartbeat timer pending, so a timer is kept small: its task goes to
 * the pool as a {@link Callable} that is also the handle returned, instead of a {@code Runnable} the
 * pool would wrap in an adapter plus a lambda holding the future to cancel.
 *
 * <p>A timer task that throws is logged (rate-limited), not left in its future where nobody would
 * see it; the thread goes on with the other timers. Should the thread die anyway, that is logged too
 * and the pool starts another for the next timer.
 */
final class SystemScheduler implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(SystemScheduler.class);
  private static final RateLimitedLog failures = new RateLimitedLog(log, java.time.Duration.ofSeconds(10), null);
  private final ScheduledThreadPoolExecutor executor;

  SystemScheduler() {
    executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "parley-scheduler");
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(ParleyExecutors.LOG_DEATH);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayMillis) {
    Timer timer = new Timer(task);
    try {
      timer.future = executor.schedule(timer, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return Cancellable.NONE; // shutting down: the timer would never matter
    }
    return timer;
  }

  @Override
  public long nowMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** The scheduled task and its handle in one object. */
  private static final class Timer implements Callable<Void>, Cancellable {
    private final Runnable task;
    /** Set before the handle is returned, so every cancel() sees it. */
    private volatile Future<?> future;

    Timer(Runnable task) {
      this.task = task;
    }

    @Override
    public Void call() {
      try {
        task.run();
      } catch (Throwable t) {
        failures.error("timer task threw " + t.getClass().getName(), "a timer task threw; the scheduler goes on", t);
      }
      return null;
    }

    @Override
    public void cancel() {
      future.cancel(false);
    }
  }
}
