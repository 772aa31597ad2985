package dev.parley.it;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition that no event announces, checking every few milliseconds until a deadline. */
final class Await {
  private Await() {}

  static void until(String what, BooleanSupplier condition, Duration timeout) {
    until(what, condition, timeout, () -> "");
  }

  static void until(String what, BooleanSupplier condition, Duration timeout, Supplier<String> detail) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what
            + "\n" + detail.get());
      }
      LockSupport.parkNanos(5_000_000);
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }
}
