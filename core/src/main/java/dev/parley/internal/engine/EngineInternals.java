package dev.parley.internal.engine;

import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.engine.Transport;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The engine operations that Parley's own layers use and applications must not: holding a session's
 * writes back, counting its input backlog, a server's broadcast scope, a session's transport, and
 * claiming a server's connections for Socket.IO. The session operations were public methods of
 * {@link EngineSession} before issue 18; misused (a cork never removed, an input count never handed
 * back, a write past the outbox) they stall or break a session, so they are not part of
 * {@code dev.parley.engine}'s API.
 *
 * <p>Not API: this package is not exported to applications ({@code dev.parley.core}'s module-info
 * exports it only to Parley's transport modules). Who uses what: the Socket.IO layer ({@code dev.parley.Client},
 * {@code BroadcastOperator}) corks, counts input and broadcasts; the polling host
 * ({@code EngineHttpHandler}) reaches a session's polling transport.
 *
 * <p>The engine package provides the implementation when {@link EngineServer} is loaded (the pattern
 * of OkHttp's {@code Internal} and the JDK's {@code SharedSecrets}): a function table, no state of
 * any server. A session or server passed here always comes from a loaded {@link EngineServer}.
 *
 * <pre>{@code
 * EngineInternals.cork(session);
 * try {
 *   session.send(connect);
 *   runConnectionHandlers(); // their packets follow the CONNECT, in one write
 * } finally {
 *   EngineInternals.uncork(session);
 * }
 * }</pre>
 */
public final class EngineInternals {
  private static volatile Access access;

  private EngineInternals() {}

  /**
   * Holds writing back until {@link #uncork}: packets sent meanwhile (from any thread) are queued and
   * leave together, in order, when the last cork is removed. Socket.IO uses it so a client cannot see
   * its CONNECT before the application's connection handler has run (joined rooms, emitted a
   * welcome), as on Node's single thread. Keep it short: heartbeats wait too. From any thread.
   */
  public static void cork(EngineSession session) {
    access().cork(session);
  }

  /** Removes one {@link #cork}; the last one flushes what was queued. From any thread. */
  public static void uncork(EngineSession session) {
    access().uncork(session);
  }

  /**
   * Counts {@code bytes} of a received message that the listener has queued to handle later (on a
   * thread of its own), until {@link #inputHandled} with the same count. While more than twice
   * {@code maxHttpBufferSize} is queued, the transport stops reading from the client (a WebSocket is
   * not read, a polling POST is not answered), so a client that sends faster than its handlers run is
   * held back by TCP instead of filling the heap; reading resumes once half of it is handled.
   */
  public static void inputQueued(EngineSession session, long bytes) {
    access().inputQueued(session, bytes);
  }

  /** The listener has handled a message counted by {@link #inputQueued}; may resume reading. */
  public static void inputHandled(EngineSession session, long bytes) {
    access().inputHandled(session, bytes);
  }

  /**
   * Runs {@code sends} (which queues packets for many sessions of {@code server}: a broadcast) and
   * then flushes every session it queued to: a few on this thread, many split into tasks on the
   * server's pool, so the writes of a large broadcast proceed on every core while the caller goes on.
   * Each server has its own flusher; nested calls join the outermost one.
   */
  public static void sendTogether(EngineServer server, Runnable sends) {
    access().sendTogether(server, sends);
  }

  /**
   * The transport in use now; changes from polling to WebSocket on upgrade. For hosts (a polling
   * request must reach the session's polling transport); writing to it directly bypasses the outbox.
   */
  public static Transport transport(EngineSession session) {
    return access().transport(session);
  }

  /**
   * Sets {@code server}'s connection handler for good: {@link EngineServer#onConnection} throws from
   * then on. A {@code SocketIoServer} claims its engine's connections, so that code holding
   * {@code io.engine()} cannot cut new connections off from Socket.IO. The handler may be an
   * {@link EngineServer.NonBlockingConnectionHandler}.
   *
   * @throws IllegalStateException when {@code server}'s connections are already claimed
   */
  public static void claimConnections(EngineServer server, Consumer<EngineSession> handler) {
    access().claimConnections(server, handler);
  }

  private static Access access() {
    Access a = access;
    if (a == null) {
      throw new IllegalStateException("dev.parley.engine has not installed its internals");
    }
    return a;
  }

  /**
   * Called once by {@code dev.parley.engine} when {@link EngineServer} is initialised.
   *
   * @throws IllegalStateException when called again
   */
  public static synchronized void install(Access implementation) {
    Objects.requireNonNull(implementation, "implementation == null");
    if (access != null) {
      throw new IllegalStateException("already installed");
    }
    access = implementation;
  }

  /** What {@code dev.parley.engine} implements; see the static methods of the same names. */
  public interface Access {
    /** See {@link EngineInternals#cork}. */
    void cork(EngineSession session);

    /** See {@link EngineInternals#uncork}. */
    void uncork(EngineSession session);

    /** See {@link EngineInternals#inputQueued}. */
    void inputQueued(EngineSession session, long bytes);

    /** See {@link EngineInternals#inputHandled}. */
    void inputHandled(EngineSession session, long bytes);

    /** See {@link EngineInternals#sendTogether}. */
    void sendTogether(EngineServer server, Runnable sends);

    /** See {@link EngineInternals#transport}. */
    Transport transport(EngineSession session);

    /** See {@link EngineInternals#claimConnections}. */
    void claimConnections(EngineServer server, Consumer<EngineSession> handler);
  }
}
