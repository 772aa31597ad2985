package dev.parley.internal.engine;

import dev.parley.engine.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * A log a client cannot flood: the first occurrence of each <em>kind</em> of problem is logged in
 * full, with its stack trace; later occurrences of the same kind within an interval are only counted,
 * and each interval that had any ends with one line giving the count. A kind is a short key chosen by
 * the caller, such as the event and the exception type; at most {@value #MAX_KINDS} kinds are kept
 * apart, later ones share one count.
 *
 * <p>With a {@link Scheduler} the count of an interval is logged when the interval ends; without one,
 * by the next occurrence after it. Parley logs handler errors (the default {@code ErrorHandler}),
 * failing lane tasks and timer tasks through one of these, so a flood of 20,000 failing events writes
 * one stack trace and a few lines of counts instead of 20,000 traces. Thread-safe.
 *
 * <pre>{@code
 * RateLimitedLog errors = new RateLimitedLog(log, Duration.ofSeconds(10), engine.scheduler());
 * errors.error("handler \"save\" threw " + e.getClass().getName(),
 *     "handler for \"save\" on socket " + socket.id() + " threw", e);
 * }</pre>
 */
public final class RateLimitedLog {
  /** Kinds kept apart; past this many, new kinds share one count (the map cannot grow without bound). */
  public static final int MAX_KINDS = 256;
  private static final String OTHER = "(other kinds, past " + MAX_KINDS + ")";

  private final Logger logger;
  private final long intervalMillis;
  private final Scheduler scheduler;
  private final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();

  /** Counts of one kind; guarded by itself. */
  private static final class Kind {
    final String key;
    boolean seen;
    boolean error;
    long windowStart;
    long count;
    boolean reportScheduled;

    Kind(String key) {
      this.key = key;
    }
  }

  /**
   * @param interval how long later occurrences of a kind are counted before one line reports them
   * @param scheduler reports the count when an interval ends (its clock is used too); {@code null}:
   *     the system clock, and the count is reported by the next occurrence after the interval
   */
  public RateLimitedLog(Logger logger, Duration interval, Scheduler scheduler) {
    this.logger = Objects.requireNonNull(logger, "logger == null");
    Objects.requireNonNull(interval, "interval == null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.intervalMillis = interval.toMillis();
    this.scheduler = scheduler;
  }

  /** The interval over which repeats of one kind are counted. */
  public Duration interval() {
    return Duration.ofMillis(intervalMillis);
  }

  /** Logs at ERROR: in full the first time {@code kind} is seen, counted afterwards. */
  public void error(String kind, String message, Throwable error) {
    record(true, kind, message, error);
  }

  /** Logs at WARN: in full the first time {@code kind} is seen, counted afterwards. */
  public void warn(String kind, String message, Throwable error) {
    record(false, kind, message, error);
  }

  private void record(boolean isError, String key, String message, Throwable error) {
    Kind kind = kinds.get(key);
    if (kind == null) {
      kind = kinds.size() >= MAX_KINDS ? kinds.computeIfAbsent(OTHER, Kind::new) : kinds.computeIfAbsent(key, Kind::new);
    }
    long now = now();
    boolean first;
    long report = 0;
    synchronized (kind) {
      first = !kind.seen;
      kind.seen = true;
      kind.error = isError;
      if (first) {
        kind.windowStart = now;
      } else {
        kind.count++;
        if (now - kind.windowStart >= intervalMillis) {
          report = kind.count;
          kind.count = 0;
          kind.windowStart = now;
        } else if (scheduler != null && !kind.reportScheduled) {
          kind.reportScheduled = true;
          Kind k = kind;
          scheduler.schedule(() -> reportNow(k), kind.windowStart + intervalMillis - now);
        }
      }
    }
    if (first) {
      write(isError, message, error);
    } else if (report > 0) {
      write(isError, message + " [" + report + (report == 1 ? " time" : " times") + " of \"" + kind.key
          + "\" since the last report; the first was logged with its stack trace]", null);
    }
  }

  private void reportNow(Kind kind) {
    long count;
    boolean isError;
    synchronized (kind) {
      kind.reportScheduled = false;
      count = kind.count;
      isError = kind.error;
      kind.count = 0;
      kind.windowStart = now();
    }
    if (count > 0) {
      write(isError, "\"" + kind.key + "\": " + count + (count == 1 ? " more time" : " more times") + " in the last "
          + seconds() + " (the first was logged with its stack trace)", null);
    }
  }

  private String seconds() {
    return intervalMillis % 1000 == 0 ? intervalMillis / 1000 + " s" : intervalMillis + " ms";
  }

  private long now() {
    return scheduler != null ? scheduler.nowMillis() : System.currentTimeMillis();
  }

  private void write(boolean isError, String message, Throwable error) {
    try {
      if (isError) {
        logger.error(message, error);
      } else {
        logger.warn(message, error);
      }
    } catch (RuntimeException | StackOverflowError e) {
      // a logging back end that fails (or an exception whose toString recurses) must not stop the caller
    }
  }
}
