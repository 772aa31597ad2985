package dev.parley.transport.polling;

import dev.parley.engine.CookieOptions;
import dev.parley.engine.CorsOptions;
import dev.parley.engine.EngineError;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.engine.Transport;
import dev.parley.internal.engine.EngineInternals;
import dev.parley.internal.engine.LogText;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every plain HTTP request under the engine path: CORS preflights, request checks with the
 * reference server's error answers, polling handshakes, and the GETs and POSTs of polling sessions.
 * WebSocket upgrades are the host's business (they need the host's WebSocket stack); the host checks
 * them with {@link EngineServer#verify} and hands the new socket to the engine.
 *
 * <pre>{@code
 * EngineHttpHandler http = new EngineHttpHandler(engine);
 * // in the host, for each request under engine.options().path() that is not a WebSocket upgrade:
 * http.handle(exchange);
 * }</pre>
 */
public final class EngineHttpHandler {
  private final EngineServer engine;

  /** The logger of connects, refusals and disconnects (docs/logging.md). */
  private static final Logger connections = LoggerFactory.getLogger("dev.parley.connections");

  public EngineHttpHandler(EngineServer engine) {
    this.engine = Objects.requireNonNull(engine, "engine == null");
  }

  public EngineServer engine() {
    return engine;
  }

  /** Handles one request; the exchange is always completed, now or later. Never throws. */
  public void handle(HttpExchange exchange) {
    EngineRequest request = exchange.request();
    CorsOptions cors = engine.options().cors();
    if (cors != null) {
      boolean preflight = "OPTIONS".equals(request.method());
      Map<String, String> headers = cors.responseHeaders(request.header("Origin"), preflight,
          request.header("Access-Control-Request-Headers"));
      headers.forEach(exchange::setHeader);
      String origin = request.header("Origin");
      if (headers.isEmpty() && origin != null && (preflight || request.query("sid") == null)
          && connections.isDebugEnabled()) {
        connections.debug("origin {} is not allowed by the CORS options: {} {} from {} gets no CORS headers "
            + "(a browser refuses the answer)", LogText.clip(origin), request.method(), preflight ? "preflight" : "handshake",
            request.remoteAddress());
      }
      if (preflight) {
        exchange.respond(204, null, new byte[0]);
        return;
      }
    }
    exchange.setHeader("Cache-Control", "no-store");
    EngineServer.Rejection rejection = engine.verify(request);
    if (rejection != null) {
      respond(exchange, rejection);
      return;
    }
    String sid = request.query("sid");
    if (sid == null) {
      PollingTransport polling = new PollingTransport(engine.options().maxHttpBufferSize());
      EngineSession session = engine.handshake(polling, request);
      CookieOptions cookie = engine.options().cookie();
      if (cookie != null) {
        exchange.setHeader("Set-Cookie", cookie.headerValue(session.id()));
      }
      polling.onRequest(exchange);
      return;
    }
    EngineSession session = engine.session(sid);
    if (session == null) {
      respond(exchange, new EngineServer.Rejection(EngineError.SESSION_ID_UNKNOWN));
      return;
    }
    Transport transport = EngineInternals.transport(session);
    if (!(transport instanceof PollingTransport)) {
      respond(exchange, new EngineServer.Rejection(EngineError.BAD_REQUEST)); // upgraded meanwhile
      return;
    }
    ((PollingTransport) transport).onRequest(exchange);
  }

  /** Sends a rejection the way the reference does for HTTP requests: JSON, 400 or 403. */
  public static void respond(HttpExchange exchange, EngineServer.Rejection rejection) {
    exchange.respond(rejection.error().httpStatus(), PollingTransport.JSON,
        rejection.json().getBytes(StandardCharsets.UTF_8));
  }
}
