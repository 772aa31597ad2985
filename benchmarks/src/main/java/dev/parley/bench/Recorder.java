package dev.parley.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Latency samples in microseconds, bounded in count (later samples are counted but not kept). */
final class Recorder {
  private final int[] samples;
  private final AtomicInteger next = new AtomicInteger();
  final AtomicLong count = new AtomicLong();
  volatile long lastNanos;

  Recorder(int capacity) {
    samples = new int[capacity];
  }

  void record(long micros) {
    count.incrementAndGet();
    lastNanos = System.nanoTime();
    int i = next.getAndIncrement();
    if (i < samples.length) {
      samples[i] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, micros));
    }
  }

  /** p50, p90, p99, max in milliseconds (NaN with no samples). */
  double[] percentilesMillis() {
    int n = Math.min(next.get(), samples.length);
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    }
    int[] s = Arrays.copyOf(samples, n);
    Arrays.sort(s);
    return new double[] {at(s, 0.50), at(s, 0.90), at(s, 0.99), s[n - 1] / 1000.0};
  }

  private static double at(int[] s, double q) {
    int i = (int) Math.min(s.length - 1, Math.ceil(q * s.length) - 1);
    return s[Math.max(0, i)] / 1000.0;
  }
}
