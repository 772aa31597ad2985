package dev.parley.transport.jetty;

import dev.parley.SocketIoServer;
import dev.parley.engine.EngineServer;
import java.util.Objects;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one-line embedded start: a Jetty server of its own that serves only Parley.
 *
 * <pre>{@code
 * try (ParleyJetty.Running running = ParleyJetty.listen(io, 3000)) {
 *   System.out.println("listening on " + running.port());
 *   running.join();
 * }
 * }</pre>
 *
 * To share a port with an application, mount a {@link ParleyHandler} into your own {@link Server}.
 */
public final class ParleyJetty {
  private ParleyJetty() {}

  /** Starts a Socket.IO server on all interfaces; port 0 picks a free port. */
  public static Running listen(SocketIoServer io, int port) {
    return listen(io, null, port);
  }

  /** Starts a Socket.IO server on {@code host} (null for all interfaces); port 0 picks a free port. */
  public static Running listen(SocketIoServer io, String host, int port) {
    Objects.requireNonNull(io, "io == null");
    return start(io.engine(), io, host, port);
  }

  /** Starts a bare Engine.IO server on all interfaces; port 0 picks a free port. */
  public static Running listen(EngineServer engine, int port) {
    return listen(engine, null, port);
  }

  /** Starts a bare Engine.IO server on {@code host} (null for all interfaces). */
  public static Running listen(EngineServer engine, String host, int port) {
    Objects.requireNonNull(engine, "engine == null");
    return start(engine, engine, host, port);
  }

  private static Running start(EngineServer engine, AutoCloseable owner, String host, int port) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("parley-jetty");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new ParleyHandler(engine));
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // the start failure is what matters
      }
      throw new IllegalStateException("could not start Jetty on port " + port + ": " + e.getMessage(), e);
    }
    return new Running(owner, server, connector);
  }

  /** A started server: its port, and {@link #close()} to stop it and the engine. */
  public static final class Running implements AutoCloseable {
    private final AutoCloseable owner;
    private final Server server;
    private final ServerConnector connector;

    private Running(AutoCloseable owner, Server server, ServerConnector connector) {
      this.owner = owner;
      this.server = server;
      this.connector = connector;
    }

    /** The port actually bound. */
    public int port() {
      return connector.getLocalPort();
    }

    /** The Jetty server, for inspection. */
    public Server server() {
      return server;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
      server.join();
    }

    /**
     * Graceful shutdown: refuses new clients, lets every connection deliver what is queued and its
     * close for up to {@code drainTimeout}, then stops Jetty and its threads.
     */
    public void close(java.time.Duration drainTimeout) {
      try {
        if (owner instanceof SocketIoServer) {
          ((SocketIoServer) owner).close(drainTimeout);
        } else if (owner instanceof EngineServer) {
          ((EngineServer) owner).close(drainTimeout);
        } else {
          owner.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException("server did not close cleanly", e);
      } finally {
        stopJetty();
      }
    }

    /** Closes every session (clients see the close), then stops Jetty and its threads. */
    @Override
    public void close() {
      try {
        owner.close();
      } catch (Exception e) {
        throw new IllegalStateException("server did not close cleanly", e);
      } finally {
        stopJetty();
      }
    }

    private void stopJetty() {
      try {
        server.stop();
      } catch (Exception e) {
        throw new IllegalStateException("Jetty did not stop cleanly", e);
      }
    }
  }
}
