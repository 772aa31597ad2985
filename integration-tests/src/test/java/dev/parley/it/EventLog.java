package dev.parley.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * An append-only record of what a client or the server saw, filled from other threads or processes,
 * with waits that end as soon as the awaited events are there and otherwise fail with the whole
 * history. Nothing is consumed: every wait looks at the full history, so tests never lose an event
 * they skipped. Shared by every integration-test package.
 */
public final class EventLog<T> {
  /** How long any wait lasts before it fails; only waits use it, never an assertion on timing. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<T> events = new ArrayList<>();
  private volatile Supplier<String> diagnostics = () -> "";

  public EventLog(String name) {
    this.name = name;
  }

  /** Extra text for failure messages (e.g. a process's stderr). */
  public void diagnostics(Supplier<String> diagnostics) {
    this.diagnostics = diagnostics;
  }

  public void add(T event) {
    lock.lock();
    try {
      events.add(event);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public List<T> snapshot() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /** The events so far matching {@code p}, in arrival order (no waiting). */
  public List<T> matching(Predicate<? super T> p) {
    return snapshot().stream().filter(p).collect(Collectors.toList());
  }

  public T awaitFirst(Predicate<? super T> p, String what) {
    return awaitCount(p, 1, TIMEOUT, what).get(0);
  }

  /** The first event (in arrival order) matching {@code p}, waiting up to {@code timeout} for it. */
  public T awaitFirst(Predicate<? super T> p, Duration timeout, String what) {
    return awaitCount(p, 1, timeout, what).get(0);
  }

  public List<T> awaitCount(Predicate<? super T> p, int n, String what) {
    return awaitCount(p, n, TIMEOUT, what);
  }

  /** The first {@code n} events matching {@code p}, in arrival order, waiting up to {@code timeout}. */
  public List<T> awaitCount(Predicate<? super T> p, int n, Duration timeout, String what) {
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
  public String describe() {
    List<T> all = snapshot();
    StringBuilder sb = new StringBuilder("  ").append(name).append(" events (").append(all.size()).append("):\n");
    int from = Math.max(0, all.size() - 80);
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

  /** Waits for a condition no event announces, checking every few milliseconds until {@link #TIMEOUT}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, condition, () -> "");
  }

  public static void until(String what, BooleanSupplier condition, Supplier<String> detail) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + TIMEOUT.toMillis() + " ms waiting until " + what + "\n"
            + detail.get());
      }
      LockSupport.parkNanos(5_000_000);
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }
}
