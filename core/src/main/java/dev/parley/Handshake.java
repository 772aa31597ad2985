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

  /**
   * The handshake as the reference server's {@code socket.handshake} object, field for field and in its
   * order, the shape {@code fetchSockets} sends to the other nodes of a cluster:
   *
   * <ul>
   *   <li>{@code headers}: names lower-cased, one string value each, as Node's {@code IncomingMessage}
   *       joins a repeated header ({@code ", "}; {@code "; "} for {@code cookie}; the first value only
   *       for the headers Node keeps once, such as {@code host} or {@code user-agent});
   *   <li>{@code time}: JavaScript's {@code Date.toString()} in the JVM's time zone, e.g.
   *       {@code Sun Dec 06 2026 00:31:00 GMT+0000 (Coordinated Universal Time)};
   *   <li>{@code address}, {@code xdomain} (a non-empty {@code Origin}), {@code secure},
   *       {@code issued} (milliseconds since the epoch), {@code url};
   *   <li>{@code query}: one string per parameter, the last one when repeated
   *       ({@code Object.fromEntries(searchParams)});
   *   <li>{@code auth}: the CONNECT payload as plain values.
   * </ul>
   *
   * <pre>{@code
   * socket.on("whoami", (args, ack) -> ack.send(socket.handshake().toNodeObject()));
   * }</pre>
   *
   * @return a new mutable map (nested maps and lists of strings, numbers, booleans and nulls)
   */
  public Map<String, Object> toNodeObject() {
    Map<String, Object> node = new java.util.LinkedHashMap<>();
    Map<String, Object> nodeHeaders = new java.util.LinkedHashMap<>();
    headers.forEach((name, values) -> {
      String key = name.toLowerCase(java.util.Locale.ROOT);
      Object previous = nodeHeaders.get(key);
      String joined = NodeShape.joinHeader(key, previous == null ? null : previous.toString(), values);
      nodeHeaders.put(key, joined);
    });
    Map<String, Object> nodeQuery = new java.util.LinkedHashMap<>();
    query.forEach((k, v) -> nodeQuery.put(k, v.isEmpty() ? "" : v.get(v.size() - 1)));
    String origin = header("Origin");
    node.put("headers", nodeHeaders);
    node.put("time", NodeShape.dateToString(time));
    node.put("address", address);
    node.put("xdomain", origin != null && !origin.isEmpty());
    node.put("secure", secure);
    node.put("issued", time.toEpochMilli());
    node.put("url", url);
    node.put("query", nodeQuery);
    node.put("auth", Wire.toPlain(auth));
    return node;
  }

  @Override
  public String toString() {
    // auth may hold secrets: never print it
    return "Handshake{url=" + url + ", address=" + address + ", time=" + time + ", secure=" + secure + "}";
  }
}
