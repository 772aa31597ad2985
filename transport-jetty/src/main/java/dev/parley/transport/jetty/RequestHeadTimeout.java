package dev.parley.transport.jetty;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A deadline for a complete request head on the embedded server's HTTP/1.1 connections, as Node's
 * {@code headersTimeout}: from a connection's opening, or from the end of its previous response, to the
 * end of the next request's headers. Jetty's idle timeout does not end a head dribbled a byte at a time
 * (each byte is activity); this does, by closing the connection without an answer.
 *
 * <p>It listens to the connections its connection factory makes (opened, closed) and wraps the server's
 * handler to see when a head is complete (a request is handed to the handler) and when its response
 * ends. One task sweeps the connections waiting for a head, about four times per deadline (at most once
 * a second), so a connection may live up to a quarter of the deadline (a second at most) longer. A
 * connection upgraded to WebSocket is closed as an HTTP connection and leaves the sweep.
 */
final class RequestHeadTimeout extends Handler.Wrapper implements Connection.Listener {
  private final long timeoutNanos;
  private final long sweepMillis;
  private final Map<Connection, Waiting> connections = new ConcurrentHashMap<>();
  private volatile Scheduler.Task sweep;

  RequestHeadTimeout(Handler handler, Duration timeout) {
    super(handler);
    this.timeoutNanos = timeout.toNanos();
    this.sweepMillis = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
  }

  /** A connection's state: since when it waits for a head, unless a request is being handled. */
  private static final class Waiting {
    volatile long since;
    volatile boolean handling;

    Waiting(long since) {
      this.since = since;
    }

    void handled() {
      since = System.nanoTime();
      handling = false;
    }
  }

  @Override
  public void onOpened(Connection connection) {
    connections.put(connection, new Waiting(System.nanoTime()));
  }

  @Override
  public void onClosed(Connection connection) {
    connections.remove(connection);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Waiting w = connections.get(request.getConnectionMetaData().getConnection());
    if (w == null) {
      return super.handle(request, response, callback); // not one of ours (HTTP/2, a test connector)
    }
    w.handling = true;
    boolean handled = false;
    try {
      handled = super.handle(request, response, new Callback.Nested(callback) {
        @Override
        public void succeeded() {
          w.handled();
          super.succeeded();
        }

        @Override
        public void failed(Throwable cause) {
          w.handled();
          super.failed(cause);
        }
      });
      return handled;
    } finally {
      if (!handled) {
        w.handled(); // Jetty answers 404 itself; the next head's time starts now
      }
    }
  }

  @Override
  protected void doStart() throws Exception {
    super.doStart();
    schedule();
  }

  @Override
  protected void doStop() throws Exception {
    Scheduler.Task t = sweep;
    if (t != null) {
      t.cancel();
    }
    super.doStop();
  }

  private void schedule() {
    if (isRunning()) {
      sweep = getServer().getScheduler().schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    try {
      long now = System.nanoTime();
      for (Map.Entry<Connection, Waiting> e : connections.entrySet()) {
        Waiting w = e.getValue();
        if (!w.handling && now - w.since > timeoutNanos) {
          connections.remove(e.getKey());
          e.getKey().getEndPoint().close();
        }
      }
    } finally {
      schedule();
    }
  }
}
