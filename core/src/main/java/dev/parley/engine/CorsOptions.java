package dev.parley.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Cross-origin settings for the HTTP requests of the long-polling transport, with the behaviour of
 * the {@code cors} middleware the reference server uses. CORS is off unless configured (as in
 * socket.io 3+): browsers on another origin are then refused by their own CORS check.
 *
 * <pre>{@code
 * CorsOptions cors = CorsOptions.builder()
 *     .allowOrigin("https://app.example.com")
 *     .allowCredentials(true)
 *     .build();
 * CorsOptions open = CorsOptions.builder().allowAnyOrigin().build(); // Access-Control-Allow-Origin: *
 * }</pre>
 */
public final class CorsOptions {
  private final Predicate<String> origins;
  private final boolean anyOrigin;
  private final boolean allowCredentials;
  private final String methods;
  private final String allowedHeaders;
  private final String exposedHeaders;
  private final Duration maxAge;

  private CorsOptions(Builder b) {
    this.anyOrigin = b.anyOrigin;
    Set<String> fixed = Set.copyOf(b.fixedOrigins);
    Predicate<String> p = fixed::contains;
    if (b.originPredicate != null) {
      p = p.or(b.originPredicate);
    }
    this.origins = p;
    this.allowCredentials = b.allowCredentials;
    this.methods = String.join(",", b.methods);
    this.allowedHeaders = b.allowedHeaders == null ? null : String.join(",", b.allowedHeaders);
    this.exposedHeaders = b.exposedHeaders.isEmpty() ? null : String.join(",", b.exposedHeaders);
    this.maxAge = b.maxAge;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The CORS response headers for a request from {@code origin} (may be null).
   *
   * @param preflight true for an {@code OPTIONS} preflight, which also gets methods and headers
   * @param requestedHeaders the preflight's {@code Access-Control-Request-Headers}, reflected when no
   *     fixed header list is configured
   */
  public Map<String, String> responseHeaders(String origin, boolean preflight, String requestedHeaders) {
    Map<String, String> h = new LinkedHashMap<>();
    if (anyOrigin && !allowCredentials) {
      h.put("Access-Control-Allow-Origin", "*");
    } else if (origin != null && (anyOrigin || origins.test(origin))) {
      h.put("Access-Control-Allow-Origin", origin);
      h.put("Vary", "Origin");
    } else {
      return h; // not an allowed origin: no CORS headers, the browser refuses
    }
    if (allowCredentials) {
      h.put("Access-Control-Allow-Credentials", "true");
    }
    if (preflight) {
      h.put("Access-Control-Allow-Methods", methods);
      if (allowedHeaders != null) {
        h.put("Access-Control-Allow-Headers", allowedHeaders);
      } else if (requestedHeaders != null && !requestedHeaders.isEmpty()) {
        h.put("Access-Control-Allow-Headers", requestedHeaders);
        h.merge("Vary", "Access-Control-Request-Headers", (a, b) -> a + ", " + b);
      }
      if (maxAge != null) {
        h.put("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
      }
    } else if (exposedHeaders != null) {
      h.put("Access-Control-Expose-Headers", exposedHeaders);
    }
    return h;
  }

  /** Builds {@link CorsOptions}. With nothing set, no origin is allowed. */
  public static final class Builder {
    private boolean anyOrigin;
    private final List<String> fixedOrigins = new ArrayList<>();
    private Predicate<String> originPredicate;
    private boolean allowCredentials;
    private List<String> methods = List.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE");
    private List<String> allowedHeaders;
    private List<String> exposedHeaders = List.of();
    private Duration maxAge;

    private Builder() {}

    /** Allows every origin ({@code *}, or the request's origin when credentials are allowed). */
    public Builder allowAnyOrigin() {
      this.anyOrigin = true;
      return this;
    }

    /** Allows one exact origin such as {@code https://app.example.com}; may be called many times. */
    public Builder allowOrigin(String origin) {
      fixedOrigins.add(Objects.requireNonNull(origin, "origin == null"));
      return this;
    }

    /** Allows the origins a predicate accepts (for patterns); combined with fixed origins. */
    public Builder allowOrigin(Predicate<String> predicate) {
      Objects.requireNonNull(predicate, "predicate == null");
      this.originPredicate = originPredicate == null ? predicate : originPredicate.or(predicate);
      return this;
    }

    /** Sends {@code Access-Control-Allow-Credentials: true} (needed for {@code withCredentials}). */
    public Builder allowCredentials(boolean allow) {
      this.allowCredentials = allow;
      return this;
    }

    /** Methods listed on preflight; default GET, HEAD, PUT, PATCH, POST, DELETE. */
    public Builder allowMethods(String... methods) {
      this.methods = List.of(methods);
      return this;
    }

    /** Headers listed on preflight; by default the requested headers are reflected. */
    public Builder allowHeaders(String... headers) {
      this.allowedHeaders = List.of(headers);
      return this;
    }

    /** Response headers exposed to scripts. */
    public Builder exposeHeaders(String... headers) {
      this.exposedHeaders = List.of(headers);
      return this;
    }

    /** How long a browser may cache a preflight answer. */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = Objects.requireNonNull(maxAge, "maxAge == null");
      return this;
    }

    public CorsOptions build() {
      return new CorsOptions(this);
    }
  }
}
