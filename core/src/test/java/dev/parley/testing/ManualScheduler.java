package dev.parley.testing;

import dev.parley.engine.Scheduler;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} with a hand-driven clock. Nothing runs until {@link #advance}; tasks due by the new
 * time run in deadline order (ties in scheduling order), and while a task runs {@link #nowMillis()} is
 * its deadline, so a task that schedules another does so relative to when it fired. Single-threaded:
 * drive it from the test thread only.
 */
public final class ManualScheduler implements Scheduler {
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(Comparator.comparingLong((Task t) -> t.deadline).thenComparingLong(t -> t.seq));
  private long now;
  private long seq;
  private boolean closed;

  @Override
  public Cancellable schedule(Runnable task, long delayMillis) {
    if (closed) {
      return Cancellable.NONE;
    }
    Task t = new Task(now + Math.max(0, delayMillis), seq++, task);
    queue.add(t);
    return () -> queue.remove(t);
  }

  @Override
  public long nowMillis() {
    return now;
  }

  /** Moves the clock forward by {@code millis}, running every task that falls due, in deadline order. */
  public void advance(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("millis < 0: " + millis);
    }
    long target = now + millis;
    Task t;
    while ((t = queue.peek()) != null && t.deadline <= target) {
      queue.poll();
      now = t.deadline;
      t.task.run();
    }
    now = target;
  }

  /** Timers scheduled and neither fired nor cancelled. */
  public int pendingCount() {
    return queue.size();
  }

  /** The deadline of the next timer, or -1 when none is pending. */
  public long nextDeadline() {
    Task t = queue.peek();
    return t == null ? -1 : t.deadline;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }

  private static final class Task {
    final long deadline;
    final long seq;
    final Runnable task;

    Task(long deadline, long seq, Runnable task) {
      this.deadline = deadline;
      this.seq = seq;
      this.task = task;
    }
  }
}
