package dev.parley.engine;


/**
 * One session's heartbeat, Engine.IO v4's direction: the server sends a ping every
 * {@code pingInterval}; a client that does not answer with a pong within {@code pingTimeout} ends
 * the session with "ping timeout". The next ping is scheduled when the pong arrives, so pings stay
 * one interval apart whatever the client's latency.
 *
 * <p>Threads: everything here runs on the session's lane. The timers fire on the shared
 * {@link Scheduler}'s thread and only hop onto the lane ({@code lane.execute}), where this class's
 * fields are read and written; so they are plain fields.
 */
final class Heartbeat {
  private final EngineSession session;
  private Scheduler.Cancellable pingTimer = Scheduler.Cancellable.NONE;
  private Scheduler.Cancellable pingTimeoutTimer = Scheduler.Cancellable.NONE;
  /** Counts pings: a timeout task of an earlier ping that fires late must not end the session. */
  private long pingSeq;
  private boolean awaitingPong;

  Heartbeat(EngineSession session) {
    this.session = session;
  }

  /** Lane: schedules the next ping one interval from now. */
  void start() {
    pingTimer.cancel();
    pingTimer = session.scheduler().schedule(() -> session.lane().execute(this::sendPing),
        session.options().pingIntervalMillis());
  }

  private void sendPing() {
    if (!session.isOpen()) {
      return;
    }
    pingTimer = Scheduler.Cancellable.NONE; // it fired: let its task go while the pong is awaited
    long seq = ++pingSeq;
    awaitingPong = true;
    session.send(EnginePacket.PING);
    pingTimeoutTimer.cancel();
    pingTimeoutTimer = session.scheduler().schedule(() -> session.lane().execute(() -> {
      if (awaitingPong && seq == pingSeq) {
        session.finish("ping timeout");
      }
    }), session.options().pingTimeoutMillis());
  }

  /** Lane: the client answered; a pong nobody asked for changes nothing. */
  void onPong() {
    if (!awaitingPong) {
      return;
    }
    awaitingPong = false;
    pingTimeoutTimer.cancel();
    pingTimeoutTimer = Scheduler.Cancellable.NONE; // a cancelled future kept per idle session is garbage
    start();
  }

  /** Lane: the session ended; no timer may outlive it. */
  void stop() {
    pingTimer.cancel();
    pingTimeoutTimer.cancel();
  }
}
