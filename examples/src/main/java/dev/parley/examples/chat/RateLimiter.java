package dev.parley.examples.chat;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (the user name): {@code burst} tokens at most, refilled at {@code perSecond};
 * each message takes one. Kept per node: with two nodes a user spread over both gets each node's
 * allowance.
 */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  public RateLimiter(double perSecond, int burst) {
    this(perSecond, burst, System::nanoTime);
  }

  RateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
  }

  /** Takes one token for {@code key}; false when its bucket is empty. */
  public boolean tryAcquire(String key) {
    long now = nanoTime.getAsLong();
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.last) / 1e9 * perSecond);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  /** Milliseconds until {@code key} has a token again (0 when it has one). */
  public long retryAfterMillis(String key) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return 0;
    }
    synchronized (b) {
      return b.tokens >= 1 ? 0 : (long) Math.ceil((1 - b.tokens) / perSecond * 1000);
    }
  }
}
