package dev.parley.examples.chat;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a user name, a client address): {@code burst} tokens at most, refilled at
 * {@code perSecond}; each message or login attempt takes one. Kept per node: with two nodes a user spread
 * over both gets each node's allowance.
 *
 * <p>The keys may come from strangers (login names), so the buckets are bounded: past {@code maxKeys}, the
 * buckets that have filled up again (and so hold nothing worth keeping) are dropped, and while that
 * leaves too many, a new key is refused.
 */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final int maxKeys;
  private long lastSweep;
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
    this(perSecond, burst, 100_000, System::nanoTime);
  }

  RateLimiter(double perSecond, int burst, int maxKeys, LongSupplier nanoTime) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.maxKeys = maxKeys;
    this.lastSweep = nanoTime.getAsLong();
  }

  /** Takes one token for {@code key}; false when its bucket is empty. */
  public boolean tryAcquire(String key) {
    long now = nanoTime.getAsLong();
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() >= maxKeys && (sweep(now) || buckets.size() >= maxKeys)) {
        return false;
      }
      b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    }
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

  /** Drops the buckets that are full again; true when it did not run (it runs once a second at most). */
  private synchronized boolean sweep(long now) {
    if (now - lastSweep < 1_000_000_000L) {
      return buckets.size() >= maxKeys;
    }
    lastSweep = now;
    long refill = (long) (burst / perSecond * 1e9);
    buckets.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return now - e.getValue().last >= refill;
      }
    });
    return false;
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
