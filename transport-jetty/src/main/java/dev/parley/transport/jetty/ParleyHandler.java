package dev.parley.transport.jetty;

import dev.parley.engine.CookieOptions;
import dev.parley.engine.EngineOptions;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineServer;
import dev.parley.transport.polling.EngineHttpHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Jetty 12 {@link Handler} serving an Engine.IO server on its path: long-polling requests and
 * WebSocket upgrades alike, so Parley shares the application's port. Requests outside the path are
 * left to the next handler. It works mounted at the root or inside a {@code ContextHandler}, where
 * the path is relative to the context.
 *
 * <pre>{@code
 * Server jetty = new Server(8080);
 * ContextHandler realtime = new ContextHandler(new ParleyHandler(engine), "/rt");
 * jetty.setHandler(new Handler.Sequence(realtime, myAppHandler));
 * jetty.start(); // clients connect with path "/rt/engine.io/"
 * }</pre>
 *
 * <p>WebSocket connections take one of two paths ({@link WebSocketPath}): Jetty's WebSocket API, or
 * Parley's own frame layer where a check at start-up shows it can run. {@link Options} chooses, and
 * bounds the frames of one WebSocket message and the time to finish one.
 */
public final class ParleyHandler extends Handler.Abstract.NonBlocking {
  private static final Logger log = LoggerFactory.getLogger(ParleyHandler.class);

  private final EngineServer engine;
  private final EngineHttpHandler http;
  private final Options options;
  /** Jetty's handshaker (the public path): every upgrade the fast path does not take. */
  private final Handshaker handshaker = Handshaker.newInstance();
  /** The fast path's upgrade, or null on the public path (chosen at start). */
  private volatile FastUpgrade fast;
  private volatile WebSocketComponents components;
  /** The limits of every WebSocket connection of this handler. */
  private final JettyWebSocketTransport.Limits limits;

  /** Serves a Socket.IO server (on its path, {@code /socket.io/} by default). */
  public ParleyHandler(dev.parley.SocketIoServer io) {
    this(io, Options.defaults());
  }

  /**
   * Serves a Socket.IO server with the given WebSocket options.
   *
   * <pre>{@code
   * new ParleyHandler(io, ParleyHandler.Options.builder()
   *     .webSocketPath(WebSocketPath.PUBLIC)      // Jetty's WebSocket API only
   *     .maxFramesPerMessage(64)
   *     .build());
   * }</pre>
   */
  public ParleyHandler(dev.parley.SocketIoServer io, Options options) {
    this(Objects.requireNonNull(io, "io == null").engine(), options);
  }

  /** Serves a bare Engine.IO server. */
  public ParleyHandler(EngineServer engine) {
    this(engine, Options.defaults());
  }

  /** Serves a bare Engine.IO server with the given WebSocket options. */
  public ParleyHandler(EngineServer engine, Options options) {
    this.engine = Objects.requireNonNull(engine, "engine == null");
    this.options = Objects.requireNonNull(options, "options == null");
    this.http = new EngineHttpHandler(engine);
    EngineOptions o = engine.options();
    long heartbeat = o.pingIntervalMillis() + o.pingTimeoutMillis();
    Duration messageTime = options.maxMessageTime() != null ? options.maxMessageTime() : Duration.ofMillis(heartbeat);
    this.limits = new JettyWebSocketTransport.Limits(o.maxHttpBufferSize(), options.maxFramesPerMessage(),
        messageTime.toNanos(), Duration.ofMillis(heartbeat + 10_000));
  }

  /** The engine this handler serves. */
  public EngineServer engine() {
    return engine;
  }

  /** The options this handler was made with. */
  public Options options() {
    return options;
  }

  /**
   * The path this handler's WebSocket connections take, {@link WebSocketPath#FAST} or
   * {@link WebSocketPath#PUBLIC}, once started; null before.
   */
  public WebSocketPath webSocketPath() {
    return !isStarted() ? null : fast != null ? WebSocketPath.FAST : WebSocketPath.PUBLIC;
  }

  @Override
  protected void doStart() throws Exception {
    components = WebSocketServerComponents.ensureWebSocketComponents(getServer());
    WebSocketPath requested = options.webSocketPath();
    String source = "ParleyHandler.Options";
    if (requested == WebSocketPath.AUTO) {
      requested = WebSocketPath.fromSystemProperty();
      source = "-D" + WebSocketPath.PROPERTY;
    }
    fast = FastPathCheck.select(requested, source).upgrade();
    super.doStart();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    EngineOptions options = engine.options();
    String path = Request.getPathInContext(request);
    if (path == null || !path.startsWith(options.path())) {
      return false;
    }
    try {
      boolean upgrade = isWebSocketUpgrade(request);
      EngineRequest engineRequest = toEngineRequest(request, path, upgrade);
      if (upgrade && "websocket".equals(engineRequest.query("transport"))) {
        upgrade(engineRequest, request, response, callback);
      } else {
        http.handle(new JettyHttpExchange(request, response, callback, engineRequest,
            options.requestBodyTimeoutMillis()));
      }
    } catch (RuntimeException e) {
      log.error("request {} failed", request.getHttpURI(), e);
      if (!response.isCommitted()) {
        Response.writeError(request, response, callback, 500);
      } else {
        callback.failed(e);
      }
    }
    return true;
  }

  private void upgrade(EngineRequest engineRequest, Request request, Response response, Callback callback) {
    if (engineRequest.query("sid") == null && engine.options().admissionAsync() != null) {
      // a handshake that an asynchronous admission hook decides: the request stays open, no thread waits
      engine.verify(engineRequest, rejection -> {
        try {
          upgrade(engineRequest, request, response, callback, rejection);
        } catch (RuntimeException e) {
          log.error("WebSocket handshake {} failed after its admission", engineRequest, e);
          if (!response.isCommitted()) {
            Response.writeError(request, response, callback, 500);
          } else {
            callback.failed(e);
          }
        }
      });
      return;
    }
    upgrade(engineRequest, request, response, callback, engine.verify(engineRequest));
  }

  private void upgrade(EngineRequest engineRequest, Request request, Response response, Callback callback,
      EngineServer.Rejection rejection) {
    if (rejection != null) {
      // the reference refuses a WebSocket upgrade with 400 and the message as plain text
      refuse(response, rejection.message(), callback);
      return;
    }
    boolean deflate = engine.options().perMessageDeflate();
    // the headers hooks (Node's initial_headers and headers): on the 101, on either path
    engine.responseHeaders(engineRequest, java.util.Map.of()).forEach((name, values) -> {
      for (String value : values) {
        response.getHeaders().add(name, value);
      }
    });
    try {
      FastUpgrade f = fast;
      if (f != null && f.accepts(request, deflate)) {
        f.upgrade(request, response, callback, newTransport(engineRequest));
        return;
      }
      WebSocketNegotiator.AbstractNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
        @Override
        public FrameHandler negotiate(ServerUpgradeRequest upgradeRequest, ServerUpgradeResponse upgradeResponse,
            Callback upgradeCallback) {
          if (!deflate) {
            upgradeResponse.setExtensions(List.of());
          }
          return newTransport(engineRequest);
        }
      };
      // Jetty's frame limit (64 KiB by default) would refuse single frames Parley accepts: the message
      // size is Parley's to check (maxHttpBufferSize, 1009), frame by frame as they come
      negotiator.setMaxFrameSize(limits.maxMessageSize());
      if (!handshaker.upgradeRequest(negotiator, request, response, callback, components, null)) {
        refuse(response, "Bad request", callback);
      }
    } catch (Throwable t) {
      if (!response.isCommitted()) {
        refuse(response, "Bad request", callback);
      } else {
        callback.failed(t);
      }
    }
  }

  /** The transport of one WebSocket: a new session's, or the upgrade of the session {@code sid} names. */
  private JettyWebSocketTransport newTransport(EngineRequest engineRequest) {
    String sid = engineRequest.query("sid");
    // as the reference: any non-empty b64 asks for binary as base64 text
    String b64 = engineRequest.query("b64");
    boolean base64 = b64 != null && !b64.isEmpty();
    if (sid == null) {
      return new JettyWebSocketTransport(limits, base64, t -> engine.handshake(t, engineRequest));
    }
    return new JettyWebSocketTransport(limits, base64, t -> {
      if (!engine.offerUpgrade(sid, t)) {
        t.abort(); // already upgraded, upgrading, or gone: closed right after the 101
      }
    });
  }

  private static void refuse(Response response, String message, Callback callback) {
    response.setStatus(400);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html");
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    Content.Sink.write(response, true, message, callback);
  }

  private static boolean isWebSocketUpgrade(Request request) {
    String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  private static EngineRequest toEngineRequest(Request request, String pathInContext, boolean upgrade) {
    String query = request.getHttpURI().getQuery();
    EngineRequest.Builder b = EngineRequest.builder()
        .method(request.getMethod())
        .uri(query == null ? pathInContext : pathInContext + "?" + query)
        .remoteAddress(Request.getRemoteAddr(request))
        .secure(request.isSecure())
        .upgrade(upgrade);
    for (HttpField field : request.getHeaders()) {
      b.header(field.getName(), field.getValue());
    }
    return b.build();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The WebSocket options of a {@link ParleyHandler}: which path its connections take, and the bounds
   * on one message beyond {@code maxHttpBufferSize}.
   *
   * <pre>{@code
   * ParleyHandler.Options options = ParleyHandler.Options.builder()
   *     .webSocketPath(WebSocketPath.AUTO)          // the default
   *     .maxFramesPerMessage(1024)                 // the default
   *     .maxMessageTime(Duration.ofSeconds(30))    // default: pingInterval + pingTimeout
   *     .build();
   * }</pre>
   */
  public static final class Options {
    private static final Options DEFAULTS = builder().build();

    private final WebSocketPath webSocketPath;
    private final int maxFramesPerMessage;
    private final Duration maxMessageTime;

    private Options(Builder b) {
      this.webSocketPath = b.webSocketPath;
      this.maxFramesPerMessage = b.maxFramesPerMessage;
      this.maxMessageTime = b.maxMessageTime;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
      return new Builder();
    }

    /** Every option at its default. */
    public static Options defaults() {
      return DEFAULTS;
    }

    /** The WebSocket path asked for; {@link WebSocketPath#AUTO} leaves it to {@value WebSocketPath#PROPERTY} and the check. */
    public WebSocketPath webSocketPath() {
      return webSocketPath;
    }

    /** The most frames one WebSocket message may come in (1024 by default); more close the connection with 1008. */
    public int maxFramesPerMessage() {
      return maxFramesPerMessage;
    }

    /**
     * How long a WebSocket message may take from its first frame to its last, or null for the default,
     * {@code pingInterval + pingTimeout}; longer closes the connection with 1008.
     */
    public Duration maxMessageTime() {
      return maxMessageTime;
    }

    /** Builds {@link Options}; every setter is optional. */
    public static final class Builder {
      private WebSocketPath webSocketPath = WebSocketPath.AUTO;
      private int maxFramesPerMessage = 1024;
      private Duration maxMessageTime;

      private Builder() {}

      /**
       * Which path WebSocket connections take (default {@link WebSocketPath#AUTO}: the fast path where the
       * start-up check passes, unless {@value WebSocketPath#PROPERTY} says otherwise).
       */
      public Builder webSocketPath(WebSocketPath path) {
        this.webSocketPath = Objects.requireNonNull(path, "webSocketPath == null");
        return this;
      }

      /**
       * The most frames one WebSocket message may come in, its first frame included (default 1024). The
       * official clients send every message in one frame; a message split into more frames, zero-length
       * ones included, closes the connection with 1008 (policy violation). The bytes of a message are
       * bounded by {@code maxHttpBufferSize} either way.
       */
      public Builder maxFramesPerMessage(int frames) {
        if (frames < 1) {
          throw new IllegalArgumentException("maxFramesPerMessage must be at least 1: " + frames);
        }
        this.maxFramesPerMessage = frames;
        return this;
      }

      /**
       * How long a message split into several frames may take from its first frame to its last (default
       * {@code pingInterval + pingTimeout}, 45 s with the engine's defaults: the heartbeat cannot go on
       * in the middle of a message anyway). Checked as its frames come; a message past it closes the
       * connection with 1008.
       */
      public Builder maxMessageTime(Duration d) {
        Objects.requireNonNull(d, "maxMessageTime == null");
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("maxMessageTime must be positive: " + d);
        }
        this.maxMessageTime = d;
        return this;
      }

      /** The options. */
      public Options build() {
        return new Options(this);
      }
    }
  }
}
