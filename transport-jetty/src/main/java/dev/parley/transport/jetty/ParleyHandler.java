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
 */
public final class ParleyHandler extends Handler.Abstract.NonBlocking {
  private static final Logger log = LoggerFactory.getLogger(ParleyHandler.class);

  private final EngineServer engine;
  private final EngineHttpHandler http;
  /** HTTP/1.1 upgrades, with reads Jetty may run on its selecting thread. */
  private final NonBlockingHandshaker handshaker = new NonBlockingHandshaker();
  /** Jetty's own, for the rest (WebSocket over HTTP/2). */
  private final Handshaker fallback = Handshaker.newInstance();
  private volatile WebSocketComponents components;

  /** Serves a Socket.IO server (on its path, {@code /socket.io/} by default). */
  public ParleyHandler(dev.parley.SocketIoServer io) {
    this(Objects.requireNonNull(io, "io == null").engine());
  }

  /** Serves a bare Engine.IO server. */
  public ParleyHandler(EngineServer engine) {
    this.engine = Objects.requireNonNull(engine, "engine == null");
    this.http = new EngineHttpHandler(engine);
  }

  /** The engine this handler serves. */
  public EngineServer engine() {
    return engine;
  }

  @Override
  protected void doStart() throws Exception {
    components = WebSocketServerComponents.ensureWebSocketComponents(getServer());
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
    EngineServer.Rejection rejection = engine.verify(engineRequest);
    if (rejection != null) {
      // the reference refuses a WebSocket upgrade with 400 and the message as plain text
      refuse(response, rejection.message(), callback);
      return;
    }
    EngineOptions options = engine.options();
    String sid = engineRequest.query("sid");
    Duration idle = Duration.ofMillis(options.pingIntervalMillis() + options.pingTimeoutMillis() + 10_000);
    int maxMessage = options.maxHttpBufferSize();
    boolean deflate = options.perMessageDeflate();
    WebSocketNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
      @Override
      public FrameHandler negotiate(ServerUpgradeRequest upgradeRequest, ServerUpgradeResponse upgradeResponse,
          Callback upgradeCallback) {
        if (!deflate) {
          upgradeResponse.setExtensions(List.of());
        }
        if (sid == null) {
          return new JettyWebSocketTransport(maxMessage, idle, t -> engine.handshake(t, engineRequest));
        }
        return new JettyWebSocketTransport(maxMessage, idle, t -> {
          if (!engine.offerUpgrade(sid, t)) {
            t.abort(); // already upgraded, upgrading, or gone: closed right after the 101
          }
        });
      }
    };
    try {
      boolean upgraded = handshaker.upgradeRequest(negotiator, request, response, callback, components, null)
          || !response.isCommitted() && fallback.upgradeRequest(negotiator, request, response, callback, components, null);
      if (!upgraded) {
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
}
