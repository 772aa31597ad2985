package dev.parley.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * An append-only record of events from another thread or process, with waits that end as soon as
 * the awaited events are there (or fail with the whole history in the message). Nothing is
 * consumed: every wait looks at the full history, so tests never lose an event they skipped.
 */
final class EventLog<T> {
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<T> events = new ArrayList<>();
  private volatile Supplier<String> diagnostics = () -> "";

  EventLog(String name) {
    this.name = name;
  }

  /** Extra text for failure messages (e.g. a process's stderr). */
  void diagnostics(Supplier<String> diagnostics) {
    this.diagnostics = diagnostics;
  }

  void add(T event) {
    lock.lock();
    try {
      events.add(event);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  List<T> snapshot() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /** The first event (in arrival order) matching {@code p}, waiting up to {@code timeout} for it. */
  T awaitFirst(Predicate<? super T> p, Duration timeout, String what) {
    return awaitCount(p, 1, timeout, what).get(0);
  }

  /** The first {@code n} events matching {@code p}, in arrival order, waiting up to {@code timeout}. */
  List<T> awaitCount(Predicate<? super T> p, int n, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<T> matching = events.stream().filter(p).limit(n).collect(Collectors.toList());
        if (matching.size() == n) {
          return matching;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + ": timed out after " + timeout.toMillis() + " ms waiting for " + n
              + " x " + what + " (have " + matching.size() + ")\n" + describe());
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(name + ": interrupted waiting for " + what, e);
    } finally {
      lock.unlock();
    }
  }

  /** The history and diagnostics, for assertion messages. */
  String describe() {
    List<T> all = snapshot();
    StringBuilder sb = new StringBuilder("  ").append(name).append(" events (").append(all.size()).append("):\n");
    int from = Math.max(0, all.size() - 60);
    if (from > 0) {
      sb.append("    ... ").append(from).append(" earlier events\n");
    }
    for (int i = from; i < all.size(); i++) {
      sb.append("    ").append(all.get(i)).append('\n');
    }
    String extra = diagnostics.get();
    if (!extra.isEmpty()) {
      sb.append("  ").append(name).append(" diagnostics:\n").append(extra);
    }
    return sb.toString();
  }
}
