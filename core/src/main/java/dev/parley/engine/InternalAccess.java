package dev.parley.engine;

import dev.parley.internal.engine.EngineInternals;
import java.util.function.Consumer;

/**
 * The engine's side of {@link EngineInternals}: package-private operations of the session and the
 * server, handed to Parley's other layers through that non-exported package. Installed once, when
 * {@link EngineServer} is initialised; it holds nothing of any server.
 */
final class InternalAccess implements EngineInternals.Access {
  @Override
  public void cork(EngineSession session) {
    session.cork();
  }

  @Override
  public void uncork(EngineSession session) {
    session.uncork();
  }

  @Override
  public void inputQueued(EngineSession session, long bytes) {
    session.input().queued(bytes);
  }

  @Override
  public void inputHandled(EngineSession session, long bytes) {
    session.input().handled(bytes);
  }

  @Override
  public void sendTogether(EngineServer server, Runnable sends) {
    server.broadcasts().sendTogether(sends);
  }

  @Override
  public Transport transport(EngineSession session) {
    return session.transport();
  }

  @Override
  public void claimConnections(EngineServer server, Consumer<EngineSession> handler) {
    server.claimConnections(handler);
  }
}
