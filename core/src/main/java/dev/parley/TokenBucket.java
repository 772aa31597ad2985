package dev.parley;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} saved up. Used per socket, on its
 * lane, so it needs no synchronisation of its own.
 */
final class TokenBucket {
  private final double ratePerMilli;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(double ratePerSecond, int burst, long nowMillis) {
    this.ratePerMilli = ratePerSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowMillis;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowMillis) {
    if (nowMillis > last) {
      tokens = Math.min(burst, tokens + (nowMillis - last) * ratePerMilli);
      last = nowMillis;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
