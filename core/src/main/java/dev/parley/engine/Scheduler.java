package dev.parley.engine;

/**
 * The one timer service of a server: heartbeats, upgrade and connect timeouts and ack timeouts all go
 * through it, so there is never a thread per connection. Timers run their task on the scheduler's own
 * thread; sessions hop onto their executor from there, so a task must be short.
 *
 * <p>The default is {@link #system()}: one daemon thread with nanosecond-resolution deadlines. Tests
 * pass a manual scheduler to drive time by hand.
 *
 * <pre>{@code
 * Scheduler scheduler = Scheduler.system();
 * Scheduler.Cancellable timer = scheduler.schedule(() -> log.info("late"), 500);
 * timer.cancel();
 * scheduler.close();
 * }</pre>
 */
public interface Scheduler extends AutoCloseable {
  /** Runs {@code task} once after {@code delayMillis} milliseconds. */
  Cancellable schedule(Runnable task, long delayMillis);

  /** Milliseconds on this scheduler's clock (wall clock for the system scheduler). */
  long nowMillis();

  /** Stops the scheduler's thread; pending timers never fire. */
  @Override
  void close();

  /** A scheduled task that can be cancelled; cancelling a fired or cancelled timer does nothing. */
  interface Cancellable {
    /** A handle that is already cancelled, for fields that must never be null. */
    Cancellable NONE = () -> {};

    void cancel();
  }

  /** A scheduler backed by one daemon thread named {@code parley-scheduler}. */
  static Scheduler system() {
    return new SystemScheduler();
  }
}
