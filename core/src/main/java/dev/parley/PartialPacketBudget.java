package dev.parley;

import dev.parley.internal.engine.RateLimitedLog;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One server's budget for what all its connections hold of packets not complete yet (a binary
 * event's header and the attachments received so far). A connection that would take the budget past
 * its limit is refused and closed, however little it holds itself: twenty-five clients announcing
 * ten attachments and sending nine of 900 KB each once ran a 256 MB heap out of memory. Thread-safe.
 */
final class PartialPacketBudget {
  private final long limit;
  private final long perConnection;
  private final AtomicLong used = new AtomicLong();
  private final RateLimitedLog log;

  /**
   * @param limit what all connections together may hold ({@code partialPacketBudget})
   * @param perConnection what one connection may hold ({@code maxPartialPacketBytes})
   */
  PartialPacketBudget(long limit, long perConnection, RateLimitedLog log) {
    this.limit = limit;
    this.perConnection = perConnection;
    this.log = log;
  }

  /** The default limit: an eighth of the heap the JVM may grow to. */
  static long defaultLimit() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  /** Takes {@code bytes} from the budget; false (and nothing taken) when that would pass the limit. */
  boolean tryReserve(long bytes, String connection) {
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        log.warn("partial packet budget reached",
            "partial packets of all connections hold " + now + " bytes, near the server's budget of " + limit
                + " (partialPacketBudget); closing connection " + connection + ", which asked for " + bytes + " more",
            null);
        return false;
      }
    } while (!used.compareAndSet(now, now + bytes));
    return true;
  }

  void release(long bytes) {
    if (bytes > 0) {
      used.addAndGet(-bytes);
    }
  }

  /** Bytes held now, all connections. */
  long used() {
    return used.get();
  }

  long limit() {
    return limit;
  }

  /** What one connection may hold ({@code maxPartialPacketBytes}). */
  long perConnection() {
    return perConnection;
  }
}
