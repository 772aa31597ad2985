package dev.parley.admin;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions kept in this server's memory (the default): fine for one server; a cluster needs a shared
 * store ({@link RedisSessionStore}). A session lasts 24 hours unless told otherwise; expired ones are
 * dropped when looked up or when the next session is saved.
 *
 * <pre>{@code
 * SessionStore store = new InMemorySessionStore(Duration.ofHours(8));
 * }</pre>
 */
public final class InMemorySessionStore implements SessionStore {
  private final ConcurrentHashMap<String, Long> expiries = new ConcurrentHashMap<>();
  private final long durationMillis;

  /** Sessions that last 24 hours, as the reference's Redis store keeps them. */
  public InMemorySessionStore() {
    this(Duration.ofHours(24));
  }

  /**
   * Sessions that last {@code duration}.
   *
   * @param duration how long a session id stays valid after the login that made it
   */
  public InMemorySessionStore(Duration duration) {
    this.durationMillis = Objects.requireNonNull(duration, "duration == null").toMillis();
    if (durationMillis <= 0) {
      throw new IllegalArgumentException("duration must be positive: " + duration);
    }
  }

  @Override
  public CompletionStage<Boolean> exists(String sessionId) {
    Long expiry = expiries.get(sessionId);
    if (expiry == null) {
      return CompletableFuture.completedFuture(false);
    }
    if (expiry < System.currentTimeMillis()) {
      expiries.remove(sessionId, expiry);
      return CompletableFuture.completedFuture(false);
    }
    return CompletableFuture.completedFuture(true);
  }

  @Override
  public void save(String sessionId) {
    long now = System.currentTimeMillis();
    expiries.values().removeIf(expiry -> expiry < now);
    expiries.put(sessionId, now + durationMillis);
  }
}
