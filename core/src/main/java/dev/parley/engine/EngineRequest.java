package dev.parley.engine;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
  /** Header names and values, alternating, in the order received: compact, as every session keeps its request. */
  private final String[] headerPairs;
  private final Map<String, List<String>> headers = new HeaderMap();
  private final Map<String, List<String>> query = new QueryMap();
  private final String remoteAddress;
  private final boolean secure;
  private final boolean upgrade;

  private EngineRequest(Builder b) {
    this.method = b.method;
    this.path = b.path;
    this.rawQuery = b.rawQuery;
    this.headerPairs = b.headers.toArray(new String[0]);
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
    Map<String, List<String>> parsed = ((QueryMap) query).parsed;
    if (parsed != null) {
      List<String> values = parsed.get(name);
      return values == null ? null : values.get(0);
    }
    // without building the map: the engine reads EIO, transport and sid of every request
    int from = 0;
    int n = rawQuery.length();
    while (from < n) {
      int amp = rawQuery.indexOf('&', from);
      int end = amp < 0 ? n : amp;
      int eq = rawQuery.indexOf('=', from);
      int keyEnd = eq < 0 || eq > end ? end : eq;
      if (keyEnd > from && keyMatches(from, keyEnd, name)) {
        return keyEnd == end ? "" : decode(rawQuery.substring(keyEnd + 1, end));
      }
      from = end + 1;
    }
    return null;
  }

  private boolean keyMatches(int from, int to, String name) {
    boolean plain = true;
    for (int i = from; i < to; i++) {
      char c = rawQuery.charAt(i);
      if (c == '%' || c == '+') {
        plain = false;
        break;
      }
    }
    return plain
        ? to - from == name.length() && rawQuery.startsWith(name, from)
        : decode(rawQuery.substring(from, to)).equals(name);
  }

  /** All query parameters, decoded, in order of appearance (parsed on first use). */
  public Map<String, List<String>> queryParameters() {
    return query;
  }

  /** The first value of a header, or {@code null}; the name is case-insensitive. */
  public String header(String name) {
    String[] h = headerPairs;
    for (int i = 0; i < h.length; i += 2) {
      if (h[i].equalsIgnoreCase(name)) {
        return h[i + 1];
      }
    }
    return null;
  }

  /**
   * All headers, in the order received; the map's keys are case-insensitive, and a header sent more
   * than once has all its values. A read-only view of the request.
   */
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

  /** The headers as a map, computed from {@link #headerPairs} when asked (sessions keep only the array). */
  private final class HeaderMap extends AbstractMap<String, List<String>> {
    @Override
    public List<String> get(Object key) {
      if (!(key instanceof String)) {
        return null;
      }
      String name = (String) key;
      String[] h = headerPairs;
      String first = null;
      List<String> more = null;
      for (int i = 0; i < h.length; i += 2) {
        if (h[i].equalsIgnoreCase(name)) {
          if (first == null) {
            first = h[i + 1];
          } else {
            if (more == null) {
              more = new ArrayList<>();
              more.add(first);
            }
            more.add(h[i + 1]);
          }
        }
      }
      return first == null ? null : more == null ? List.of(first) : List.copyOf(more);
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String && header((String) key) != null;
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
      TreeMap<String, List<String>> grouped = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      Map<String, List<String>> ordered = new LinkedHashMap<>();
      String[] h = headerPairs;
      for (int i = 0; i < h.length; i += 2) {
        List<String> values = grouped.get(h[i]);
        if (values == null) {
          values = new ArrayList<>(1);
          grouped.put(h[i], values);
          ordered.put(h[i], values);
        }
        values.add(h[i + 1]);
      }
      ordered.replaceAll((k, v) -> List.copyOf(v));
      return Collections.unmodifiableMap(ordered).entrySet();
    }
  }

  /** The query as a map, parsed on first use and kept. */
  private final class QueryMap extends AbstractMap<String, List<String>> {
    private volatile Map<String, List<String>> parsed;

    private Map<String, List<String>> parsed() {
      Map<String, List<String>> p = parsed;
      if (p == null) {
        p = parseQuery(rawQuery);
        parsed = p;
      }
      return p;
    }

    @Override
    public List<String> get(Object key) {
      return parsed().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return parsed().containsKey(key);
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
      return parsed().entrySet();
    }
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
    private final List<String> headers = new ArrayList<>();
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
      headers.add(Objects.requireNonNull(name, "name == null"));
      headers.add(Objects.requireNonNull(value, "value == null"));
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
