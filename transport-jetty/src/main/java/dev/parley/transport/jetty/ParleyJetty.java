package dev.parley.transport.jetty;

import dev.parley.SocketIoServer;
import dev.parley.engine.EngineServer;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
 * To share a port with an application, mount a {@link ParleyHandler} into your own {@link Server};
 * the connector limits of {@link Options} are then your connector's own settings.
 */
public final class ParleyJetty {
  private ParleyJetty() {}

  /** Starts a Socket.IO server on all interfaces; port 0 picks a free port. */
  public static Running listen(SocketIoServer io, int port) {
    return listen(io, null, port);
  }

  /** Starts a Socket.IO server on {@code host} (null for all interfaces); port 0 picks a free port. */
  public static Running listen(SocketIoServer io, String host, int port) {
    return listen(io, host, port, Options.defaults());
  }

  /**
   * Starts a Socket.IO server on {@code host} (null for all interfaces) with the given connector
   * limits; port 0 picks a free port.
   *
   * <pre>{@code
   * ParleyJetty.listen(io, null, 3000, ParleyJetty.Options.builder()
   *     .idleTimeout(Duration.ofSeconds(10))
   *     .maxRequestHeaderSize(8 * 1024)
   *     .build());
   * }</pre>
   */
  public static Running listen(SocketIoServer io, String host, int port, Options options) {
    Objects.requireNonNull(io, "io == null");
    return start(io.engine(), io, host, port, options);
  }

  /** Starts a bare Engine.IO server on all interfaces; port 0 picks a free port. */
  public static Running listen(EngineServer engine, int port) {
    return listen(engine, null, port);
  }

  /** Starts a bare Engine.IO server on {@code host} (null for all interfaces). */
  public static Running listen(EngineServer engine, String host, int port) {
    return listen(engine, host, port, Options.defaults());
  }

  /** Starts a bare Engine.IO server on {@code host} (null for all interfaces) with the given connector limits. */
  public static Running listen(EngineServer engine, String host, int port, Options options) {
    Objects.requireNonNull(engine, "engine == null");
    return start(engine, engine, host, port, options);
  }

  private static Running start(EngineServer engine, AutoCloseable owner, String host, int port, Options options) {
    Objects.requireNonNull(options, "options == null");
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("parley-jetty");
    // Jetty's default lets one idle thread go per idle timeout: after a burst of 200 threads the pool
    // would take hours to shrink. Let every thread that idled that long go.
    threads.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, options.threadIdleTimeout().toMillis()));
    threads.setMaxEvictCount(Integer.MAX_VALUE);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(options.maxRequestHeaderSize());
    ParleyHandler handler = new ParleyHandler(engine, options.handler());
    RequestHeadTimeout heads = new RequestHeadTimeout(handler, options.requestHeadTimeout());
    HttpConnectionFactory factory = new HttpConnectionFactory(http) {
      @Override
      public Connection newConnection(Connector connector, EndPoint endPoint) {
        Connection c = super.newConnection(connector, endPoint);
        c.addEventListener(heads); // HTTP/1.1 connections only: their heads have a deadline
        return c;
      }
    };
    ServerConnector connector;
    if (options.tls() != null) {
      // HTTPS and wss:// on this port: TLS first, then HTTP/1.1 (WebSocket upgrades included)
      http.addCustomizer(new SecureRequestCustomizer());
      connector = new ServerConnector(server, new SslConnectionFactory(options.tls(), factory.getProtocol()), factory);
    } else {
      connector = new ServerConnector(server, factory);
    }
    connector.setIdleTimeout(options.idleTimeout().toMillis());
    connector.setAcceptQueueSize(options.acceptQueueSize());
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(heads);
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
    return new Running(owner, server, connector, handler);
  }

  /**
   * The connector limits of the embedded server: what protects it from hostile HTTP before Parley
   * sees a request. Held long-poll GETs and WebSockets are bounded by the heartbeat instead, and a
   * polling POST body by {@code EngineOptions.requestBodyTimeout}. Also the options of its
   * {@link ParleyHandler} (the WebSocket path, the bounds on one WebSocket message).
   *
   * <pre>{@code
   * ParleyJetty.Options limits = ParleyJetty.Options.builder()
   *     .idleTimeout(Duration.ofSeconds(20))       // silent connections
   *     .requestHeadTimeout(Duration.ofSeconds(10)) // heads dribbled a byte at a time
   *     .maxRequestHeaderSize(8 * 1024)            // larger heads get 431
   *     .handler(ParleyHandler.Options.builder().webSocketPath(WebSocketPath.PUBLIC).build())
   *     .build();
   * ParleyJetty.Running running = ParleyJetty.listen(io, "0.0.0.0", 3000, limits);
   * }</pre>
   */
  public static final class Options {
    private static final Options DEFAULTS = builder().build();

    private final Duration idleTimeout;
    private final Duration requestHeadTimeout;
    private final Duration threadIdleTimeout;
    private final int maxRequestHeaderSize;
    private final int acceptQueueSize;
    private final ParleyHandler.Options handler;
    private final SslContextFactory.Server tls;

    private Options(Builder b) {
      this.idleTimeout = b.idleTimeout;
      this.requestHeadTimeout = b.requestHeadTimeout;
      this.threadIdleTimeout = b.threadIdleTimeout;
      this.maxRequestHeaderSize = b.maxRequestHeaderSize;
      this.acceptQueueSize = b.acceptQueueSize;
      this.handler = b.handler;
      this.tls = b.tls;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
      return new Builder();
    }

    /**
     * Idle timeout 30 s (Jetty's default), a request head within 30 s, request headers up to 16 KiB
     * (Node's default), an accept queue of 511 (Node's), and {@link ParleyHandler.Options#defaults()}.
     */
    public static Options defaults() {
      return DEFAULTS;
    }

    /**
     * How long a connection may stay silent (nothing received, nothing sent) before it is closed:
     * a request whose headers never finish, a stalled body, an idle keep-alive connection.
     */
    public Duration idleTimeout() {
      return idleTimeout;
    }

    /**
     * How long a request head (request line and headers) may take, from the connection's opening or
     * the end of the previous response on it; past it the connection is closed without an answer.
     */
    public Duration requestHeadTimeout() {
      return requestHeadTimeout;
    }

    /** How long a thread of the server's pool may idle before it ends (beyond the pool's 8 minimum threads). */
    public Duration threadIdleTimeout() {
      return threadIdleTimeout;
    }

    /** The most bytes of request line and headers; a larger request is answered 431 and closed. */
    public int maxRequestHeaderSize() {
      return maxRequestHeaderSize;
    }

    /** The listening socket's backlog: connections the kernel completes before the server accepts them. */
    public int acceptQueueSize() {
      return acceptQueueSize;
    }

    /** The options of the server's {@link ParleyHandler}. */
    public ParleyHandler.Options handler() {
      return handler;
    }

    /** The TLS settings when the server speaks HTTPS and {@code wss://}, or null for plain HTTP. */
    public SslContextFactory.Server tls() {
      return tls;
    }

    /** Builds {@link Options}; every setter is optional. */
    public static final class Builder {
      private Duration idleTimeout = Duration.ofSeconds(30);
      private Duration requestHeadTimeout = Duration.ofSeconds(30);
      private Duration threadIdleTimeout = Duration.ofSeconds(60);
      private int maxRequestHeaderSize = 16 * 1024;
      private int acceptQueueSize = 511;
      private ParleyHandler.Options handler = ParleyHandler.Options.defaults();
      private SslContextFactory.Server tls;

      private Builder() {}

      /**
       * Serves HTTPS and {@code wss://} instead of plain HTTP, with Jetty's TLS settings: key store,
       * protocols, cipher suites (Jetty's defaults exclude the weak ones). Clients then connect to
       * {@code https://host:port}. To offer both HTTP and HTTPS, or HTTP/2, mount a
       * {@link ParleyHandler} into your own {@link Server} with the connectors you want
       * ({@code docs/tls.md}).
       *
       * <pre>{@code
       * SslContextFactory.Server tls = new SslContextFactory.Server();
       * tls.setKeyStorePath("/etc/parley/keystore.p12");   // PKCS#12 with the key and its chain
       * tls.setKeyStorePassword(System.getenv("KEYSTORE_PASSWORD"));
       * ParleyJetty.listen(io, null, 443, ParleyJetty.Options.builder().tls(tls).build());
       * }</pre>
       */
      public Builder tls(SslContextFactory.Server tls) {
        this.tls = Objects.requireNonNull(tls, "tls == null");
        return this;
      }

      /** Silence after which a connection is closed (default 30 s). */
      public Builder idleTimeout(Duration d) {
        Objects.requireNonNull(d, "idleTimeout == null");
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("idleTimeout must be positive: " + d);
        }
        this.idleTimeout = d;
        return this;
      }

      /**
       * The deadline for a complete request head (default 30 s), as Node's {@code headersTimeout} (60 s
       * there): the idle timeout ends a silent connection, but not one whose head comes a byte at a
       * time. It counts from the connection's opening, or from the end of the previous response on a
       * kept-alive connection (so an idle kept-alive connection is closed after it too).
       */
      public Builder requestHeadTimeout(Duration d) {
        Objects.requireNonNull(d, "requestHeadTimeout == null");
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("requestHeadTimeout must be positive: " + d);
        }
        this.requestHeadTimeout = d;
        return this;
      }

      /**
       * How long a thread of the server's pool may idle before it ends (default 60 s, Jetty's). Every
       * thread that idled that long ends, not one per period as Jetty's default would have it, so the pool
       * comes back to its size within about this time after a burst (many slow clients at once).
       */
      public Builder threadIdleTimeout(Duration d) {
        Objects.requireNonNull(d, "threadIdleTimeout == null");
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("threadIdleTimeout must be positive: " + d);
        }
        this.threadIdleTimeout = d;
        return this;
      }

      /** The options of the server's {@link ParleyHandler} (default {@link ParleyHandler.Options#defaults()}). */
      public Builder handler(ParleyHandler.Options options) {
        this.handler = Objects.requireNonNull(options, "handler == null");
        return this;
      }

      /** Largest request line plus headers in bytes (default 16 KiB, as Node's {@code maxHeaderSize}). */
      public Builder maxRequestHeaderSize(int bytes) {
        if (bytes < 1024) {
          throw new IllegalArgumentException("maxRequestHeaderSize must be at least 1024: " + bytes);
        }
        this.maxRequestHeaderSize = bytes;
        return this;
      }

      /**
       * The listening socket's backlog (default 511, Node's): how many connections the kernel completes
       * and holds before the server accepts them; the kernel caps it at {@code net.core.somaxconn}. When
       * it is full, new connections wait for the client's retransmission (a second or more): a burst of
       * clients, above all on a server still starting, is where that shows. (Before it was set, the JDK's
       * 50 applied.)
       */
      public Builder acceptQueueSize(int connections) {
        if (connections < 1) {
          throw new IllegalArgumentException("acceptQueueSize must be positive: " + connections);
        }
        this.acceptQueueSize = connections;
        return this;
      }

      /** The options. */
      public Options build() {
        return new Options(this);
      }
    }
  }

  /** A started server: its port, and {@link #close()} to stop it and the engine. */
  public static final class Running implements AutoCloseable {
    private final AutoCloseable owner;
    private final Server server;
    private final ServerConnector connector;
    private final ParleyHandler handler;

    private Running(AutoCloseable owner, Server server, ServerConnector connector, ParleyHandler handler) {
      this.owner = owner;
      this.server = server;
      this.connector = connector;
      this.handler = handler;
    }

    /** The server's {@link ParleyHandler}: {@link ParleyHandler#webSocketPath()} tells which path its WebSockets take. */
    public ParleyHandler handler() {
      return handler;
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
