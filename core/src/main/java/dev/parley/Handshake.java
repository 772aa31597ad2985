package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the client sent when it connected to a namespace: the HTTP request of its Engine.IO handshake
 * (headers with case-insensitive names, query, address, URL, TLS) and the auth payload of its CONNECT
 * packet ({@code {}} when it sent none).
 *
 * <pre>{@code
 * io.use((socket, next) -> {
 *   Handshake h = socket.handshake();
 *   log.info("{} from {} with token {}", h.url(), h.address(), h.auth().path("token").asText());
 *   next.proceed();
 * });
 * }</pre>
 */
public record Handshake(
    Map<String, List<String>> headers,
    Map<String, List<String>> query,
    JsonNode auth,
    String address,
    Instant time,
    String url,
    boolean secure) {

  /** The first value of a header, or {@code null}; the name is case-insensitive. */
  public String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The first value of a query parameter, or {@code null}. */
  public String query(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  @Override
  public String toString() {
    // auth may hold secrets: never print it
    return "Handshake{url=" + url + ", address=" + address + ", time=" + time + ", secure=" + secure + "}";
  }
}
