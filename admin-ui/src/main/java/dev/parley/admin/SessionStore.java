package dev.parley.admin;

import java.util.concurrent.CompletionStage;

/**
 * Where the admin UI's login sessions live. After a password login the server makes a session id,
 * saves it here and sends it to the page ({@code session} event); the page reconnects with that id
 * instead of the password. Servers of one cluster must share the store, or a page that reconnects to
 * another server has to log in again: {@link RedisSessionStore} is the shared one (and the one a Node
 * server's {@code RedisStore} reads), {@link InMemorySessionStore} the default.
 *
 * <pre>{@code
 * AdminUi.instrument(io, AdminUiOptions.builder()
 *     .basicAuth("admin", hash)
 *     .store(new RedisSessionStore(redisConnection))
 *     .build());
 * }</pre>
 *
 * <p>Implementations are called from server threads and must not block: answer {@link #exists}
 * with a stage that completes later when the look-up needs I/O.
 */
public interface SessionStore {
  /**
   * Whether a session id was saved and has not expired.
   *
   * @param sessionId the id the page sent in its {@code auth.sessionId}
   * @return a stage completed with the answer (a failed stage counts as "no")
   */
  CompletionStage<Boolean> exists(String sessionId);

  /**
   * Saves a new session id; it is valid for the store's session duration.
   *
   * @param sessionId 16 hexadecimal characters
   */
  void save(String sessionId);
}
