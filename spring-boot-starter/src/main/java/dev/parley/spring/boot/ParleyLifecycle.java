package dev.parley.spring.boot;

import dev.parley.SocketIoServer;
import java.time.Duration;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the Socket.IO server when the application stops, before the web server's graceful shutdown
 * begins (a phase above {@link WebServerApplicationContext#GRACEFUL_SHUTDOWN_PHASE}): handshakes are
 * refused, every socket disconnects with {@code "server shutting down"} (clients see
 * {@code "io server disconnect"} and, with recovery on, may recover on another server), and each
 * connection delivers what is queued within the drain timeout. Held long-polling requests are thus
 * answered before Boot waits for active requests to finish.
 */
public class ParleyLifecycle implements SmartLifecycle, DisposableBean {
  /** The phase: the server closes before the web server's graceful shutdown. */
  public static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 512;

  private final SocketIoServer io;
  private final Duration drainTimeout;
  private volatile boolean running;

  /**
   * A lifecycle for {@code io}.
   *
   * @param io the server to close on stop
   * @param drainTimeout how long connections get to deliver what is queued and their close
   */
  public ParleyLifecycle(SocketIoServer io, Duration drainTimeout) {
    this.io = io;
    this.drainTimeout = drainTimeout;
  }

  /** The drain timeout used when the server closes. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public synchronized void stop() {
    if (running) {
      running = false;
      if (!io.engine().isClosed()) {
        io.close(drainTimeout);
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Closes the server if the context never started or stopped it. */
  @Override
  public synchronized void destroy() {
    if (!io.engine().isClosed()) {
      running = false;
      io.close(drainTimeout);
    }
  }
}
