package dev.parley.engine;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One offered upgrade from polling to WebSocket, while it lasts: the new WebSocket (the probe), whether
 * it has been probed ({@code 2probe} answered {@code 3probe}), the upgrade timeout, and the 100 ms noop
 * that releases the client's pending GET so its poll loop can pause. The session creates one per
 * {@link EngineServer#offerUpgrade offer} and drops it when the upgrade completes or is aborted; a
 * session that never upgrades has none.
 *
 * <p>The protocol: {@code 2probe} on the probe is answered {@code 3probe} and starts the noops (every
 * 100 ms, the first one 100 ms later, as the reference's check interval);
 * {@code 5} after that completes the upgrade ({@link EngineSession#completeUpgrade}); anything else
 * on the probe, its failure, or the timeout aborts it ({@link EngineSession#abortUpgrade}) and
 * polling carries on.
 *
 * <p>Threads: created and used on the session's lane only; timers hop onto the lane. Plain fields.
 */
final class UpgradeProbe {
  private static final Logger log = LoggerFactory.getLogger(EngineSession.class); // as before the split
  static final long NOOP_INTERVAL_MILLIS = 100;

  private final EngineSession session;
  private final Transport webSocket;
  private boolean probed;
  private Scheduler.Cancellable upgradeTimer = Scheduler.Cancellable.NONE;
  private Scheduler.Cancellable noopTimer = Scheduler.Cancellable.NONE;

  UpgradeProbe(EngineSession session, Transport webSocket) {
    this.session = session;
    this.webSocket = webSocket;
  }

  /** The WebSocket on probation. */
  Transport transport() {
    return webSocket;
  }

  /** Lane: starts the upgrade timeout. */
  void start() {
    upgradeTimer = session.scheduler().schedule(() -> session.lane().execute(() -> {
      if (session.probe() == this) {
        log.debug("session {}: upgrade timed out", session.id());
        session.abortUpgrade();
      }
    }), session.options().upgradeTimeoutMillis());
  }

  /** Lane: a packet arrived on the probe. */
  void onPacket(EnginePacket packet) {
    if (packet.type() == EnginePacketType.PING && "probe".equals(packet.text()) && !probed) {
      probed = true;
      webSocket.send(List.of(EnginePacket.PONG_PROBE));
      // as the reference (a 100 ms setInterval): the first noop after one interval, not at once, so a
      // GET's answer that is under way reaches the client before its poll is released
      scheduleNoop();
    } else if (packet.type() == EnginePacketType.UPGRADE && probed) {
      session.completeUpgrade(this);
    } else {
      log.debug("session {}: unexpected {} on probe transport; upgrade aborted", session.id(), packet);
      session.abortUpgrade();
    }
  }

  /** While upgrading, a pending long-poll GET is answered with a noop so the client can pause. */
  private void releasePendingPoll() {
    noopTimer.cancel();
    if (session.probe() != this) {
      return;
    }
    session.noopPendingPoll();
    scheduleNoop();
  }

  private void scheduleNoop() {
    noopTimer = session.scheduler().schedule(() -> session.lane().execute(this::releasePendingPoll),
        NOOP_INTERVAL_MILLIS);
  }

  /** Lane: the upgrade completed or was aborted; no timer may outlive it. */
  void stop() {
    upgradeTimer.cancel();
    noopTimer.cancel();
  }
}
