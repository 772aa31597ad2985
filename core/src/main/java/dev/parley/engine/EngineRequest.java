package dev.parley.engine;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a transport host tells the engine about one HTTP request (a polling request or a WebSocket
 * upgrade): method, path, query, headers and peer. Header names are case-insensitive. Immutable.
 *
 * <pre>{@code
 * EngineRequest request = EngineRequest.builder()
 *     .method("GET")
 *     .uri("/engine.io/?EIO=4&transport=polling")
 *     .header("Origin", "https://app.example.com")
 *     .remoteAddress("127.0.0.1")
 *     .build();
 * request.query("transport"); // "polling"
 * }</pre>
 */
public final class EngineRequest {
  private final String method;
  private final String path;
  private final String rawQuery;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final String remoteAddress;
  private final boolean secure;
  private final boolean upgrade;

  private EngineRequest(Builder b) {
    this.method = b.method;
    this.path = b.path;
    this.rawQuery = b.rawQuery;
    this.query = parseQuery(b.rawQuery);
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    this.headers = Collections.unmodifiableMap(h);
    this.remoteAddress = b.remoteAddress;
    this.secure = b.secure;
    this.upgrade = b.upgrade;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The HTTP method, upper case. */
  public String method() {
    return method;
  }

  /** The request path without the query string. */
  public String path() {
    return path;
  }

  /** The raw query string without {@code ?}, or {@code ""}. */
  public String rawQuery() {
    return rawQuery;
  }

  /** The request URL as the client sent it: path plus query. */
  public String url() {
    return rawQuery.isEmpty() ? path : path + "?" + rawQuery;
  }

  /** The first value of a query parameter, or {@code null}. */
  public String query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** All query parameters, decoded, in order of appearance. */
  public Map<String, List<String>> queryParameters() {
    return query;
  }

  /** The first value of a header, or {@code null}; the name is case-insensitive. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** All headers; the map's keys are case-insensitive. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The peer's IP address as text. */
  public String remoteAddress() {
    return remoteAddress;
  }

  /** True for HTTPS / WSS. */
  public boolean secure() {
    return secure;
  }

  /** True for a WebSocket upgrade request. */
  public boolean upgrade() {
    return upgrade;
  }

  @Override
  public String toString() {
    return method + " " + url();
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw.isEmpty()) {
      return Collections.unmodifiableMap(out);
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(out);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a malformed escape is kept as it came
    }
  }

  /** Builds an {@link EngineRequest}; {@code method} and {@code uri} are required. */
  public static final class Builder {
    private String method;
    private String path;
    private String rawQuery = "";
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private String remoteAddress = "";
    private boolean secure;
    private boolean upgrade;

    private Builder() {}

    public Builder method(String method) {
      this.method = Objects.requireNonNull(method, "method == null");
      return this;
    }

    /** Path and optional query, e.g. {@code /socket.io/?EIO=4&transport=polling}. */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri == null");
      int q = uri.indexOf('?');
      this.path = q < 0 ? uri : uri.substring(0, q);
      this.rawQuery = q < 0 ? "" : uri.substring(q + 1);
      return this;
    }

    public Builder header(String name, String value) {
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    public Builder remoteAddress(String remoteAddress) {
      this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress == null");
      return this;
    }

    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    public Builder upgrade(boolean upgrade) {
      this.upgrade = upgrade;
      return this;
    }

    public EngineRequest build() {
      Objects.requireNonNull(method, "method == null");
      Objects.requireNonNull(path, "uri == null");
      return new EngineRequest(this);
    }
  }
}
