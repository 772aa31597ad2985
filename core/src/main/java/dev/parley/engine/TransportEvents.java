package dev.parley.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one transport of a session reports, routed by whether that transport is the session's active
 * one, the WebSocket of an upgrade under way (the probe), or stale (replaced by an upgrade, or a probe
 * whose upgrade was aborted): the active transport drives the session's state machine, the probe
 * drives its {@link UpgradeProbe}, and a stale one is ignored. Each transport gets its own instance
 * when it is bound.
 *
 * <p>Threads: the transport calls every method but {@link #pauseInput} and {@link #inputBacklogged}
 * through the executor it was bound with, so they run on the session's lane; those two are asked on
 * the transport's reading thread and only read the {@link InputGate}.
 */
final class TransportEvents implements Transport.Listener {
  private static final Logger log = LoggerFactory.getLogger(EngineSession.class); // as before the split

  private final EngineSession session;
  private final Transport source;

  TransportEvents(EngineSession session, Transport source) {
    this.session = session;
    this.source = source;
  }

  private boolean isActive() {
    return source == session.transport();
  }

  private boolean isProbe() {
    UpgradeProbe p = session.probe();
    return p != null && p.transport() == source;
  }

  @Override
  public void onPacket(EnginePacket packet) {
    if (isActive()) {
      session.onPacket(packet);
    } else if (isProbe()) {
      session.probe().onPacket(packet);
    }
  }

  @Override
  public boolean pauseInput(Runnable resume) {
    if (!isActive() || !session.input().pause(resume)) {
      return false;
    }
    session.server().stats().inputPaused();
    return true;
  }

  @Override
  public boolean inputBacklogged() {
    return isActive() && session.input().overLimit();
  }

  @Override
  public void onDrain() {
    if (isActive()) {
      session.onDrain();
    }
  }

  @Override
  public void onClose() {
    if (isActive()) {
      session.finish("transport close");
    } else if (isProbe()) {
      session.abortUpgrade();
    }
  }

  @Override
  public void onParseError(String detail) {
    if (isActive()) {
      log.debug("session {}: parse error: {}", session.id(), detail);
      session.finish("parse error");
    } else if (isProbe()) {
      session.abortUpgrade();
    }
  }

  @Override
  public void onError(String detail, Throwable cause) {
    if (isActive()) {
      log.debug("session {}: transport error: {}", session.id(), detail, cause);
      session.finish("transport error");
    } else if (isProbe()) {
      session.abortUpgrade();
    }
  }
}
