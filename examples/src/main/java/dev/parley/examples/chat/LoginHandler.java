package dev.parley.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /signup} and {@code POST /login}, each with {@code {"name": .., "password": ..}}: 200
 * {@code {"token", "name"}}; or {@code {"error"}} with 400 (bad input), 401 (login: {@code "wrong name or
 * password"}, for an unknown name too), 409 (sign-up: the name is taken) or 429 (too many attempts, with
 * {@code retryAfterMs} and a {@code Retry-After} header).
 */
final class LoginHandler extends Handler.Abstract {
  private static final int MAX_BODY = 4096;
  private final Auth auth;
  private final ObjectMapper mapper;

  LoginHandler(Auth auth, ObjectMapper mapper) {
    this.auth = auth;
    this.mapper = mapper;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (!"/login".equals(path) && !"/signup".equals(path)) {
      return false;
    }
    if (!"POST".equals(request.getMethod())) {
      reply(response, callback, 405, Map.of("error", "use POST"));
      return true;
    }
    if (request.getLength() > MAX_BODY) {
      reply(response, callback, 413, Map.of("error", "request too large"));
      return true;
    }
    JsonNode body;
    try {
      String text = Content.Source.asString(request, StandardCharsets.UTF_8);
      if (text.length() > MAX_BODY) {
        reply(response, callback, 413, Map.of("error", "request too large"));
        return true;
      }
      body = mapper.readTree(text);
    } catch (Exception e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      reply(response, callback, 400, Map.of("error", "send JSON {\"name\": ..., \"password\": ...}"));
      return true;
    }
    String name = body.path("name").isTextual() ? body.path("name").asText() : null;
    String password = body.path("password").isTextual() ? body.path("password").asText() : null;
    String address = Request.getRemoteAddr(request);
    Auth.Result r = "/signup".equals(path) ? auth.signUp(name, password, address) : auth.login(name, password, address);
    if (r.token() != null) {
      reply(response, callback, 200, Map.of("token", r.token(), "name", r.name()));
    } else if (r.status() == 429) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString((r.retryAfterMs() + 999) / 1000));
      reply(response, callback, 429, Map.of("error", r.error(), "retryAfterMs", r.retryAfterMs()));
    } else {
      reply(response, callback, r.status(), Map.of("error", r.error()));
    }
    return true;
  }

  private void reply(Response response, Callback callback, int status, Object body) throws Exception {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(body)), callback);
  }
}
