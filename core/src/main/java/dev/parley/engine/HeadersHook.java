package dev.parley.engine;

import java.util.List;
import java.util.Map;

/**
 * Adds headers to the HTTP responses of the engine, seeing the request: the reference server's
 * {@code io.engine.on("initial_headers", (headers, req) => ...)} and {@code on("headers", ...)}.
 * Register it with {@link EngineServer#onInitialHeaders} (the handshake's response only: the first
 * polling request or the WebSocket upgrade that opens a session) or {@link EngineServer#onHeaders}
 * (every polling response of a session and every WebSocket upgrade, the handshake's included).
 *
 * <p>{@code headers} is the map of headers the hooks add, by name, in order; put a list to send a header
 * more than once (cookies). On a handshake it holds Parley's {@code io} cookie, when that is configured,
 * under {@code Set-Cookie} already, as the reference does: put the key again to replace it, or add to the
 * list to keep it. It runs on the request's thread, before the response: it must not block.
 *
 * <pre>{@code
 * engine.onInitialHeaders((headers, request) ->
 *     headers.computeIfAbsent("Set-Cookie", k -> new ArrayList<>()).add("session=" + newId() + "; Path=/; HttpOnly"));
 * engine.onHeaders((headers, request) -> headers.put("X-Served-By", List.of(nodeName)));
 * }</pre>
 */
@FunctionalInterface
public interface HeadersHook {
  /**
   * Adds to, or changes, the headers of the response to {@code request}.
   *
   * @param headers the headers the response gets beyond Parley's own (mutable, in order; the lists too)
   * @param request the request being answered
   */
  void onHeaders(Map<String, List<String>> headers, EngineRequest request);
}
