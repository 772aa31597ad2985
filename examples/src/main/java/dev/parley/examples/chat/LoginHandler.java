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
 * {@code POST /login} with {@code {"name": .., "password": ..}}: 200 {@code {"token", "name"}}, or 400/401
 * {@code {"error"}}. A new name is registered by its first login.
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
    if (!"/login".equals(Request.getPathInContext(request))) {
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
    Auth.Result r = auth.login(body.path("name").asText(null), body.path("password").asText(null));
    if (r.token() != null) {
      reply(response, callback, 200, Map.of("token", r.token(), "name", r.name()));
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
