package dev.parley.engine;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Engine.IO settings, with the reference server's defaults: ping every 25 s, 20 s to answer, 10 s to
 * finish an upgrade, 1 MB per HTTP body or WebSocket message, path {@code /engine.io/}, both
 * transports, upgrades allowed, no CORS, no cookie, every request admitted, permessage-deflate off.
 *
 * <pre>{@code
 * EngineOptions options = EngineOptions.builder()
 *     .path("/socket.io/")
 *     .pingInterval(Duration.ofSeconds(10))
 *     .transports(TransportKind.WEBSOCKET)
 *     .cors(CorsOptions.builder().allowOrigin("https://app.example.com").build())
 *     .build();
 * }</pre>
 */
public final class EngineOptions {
  private final long pingIntervalMillis;
  private final long pingTimeoutMillis;
  private final long upgradeTimeoutMillis;
  private final long closeTimeoutMillis;
  private final int maxHttpBufferSize;
  private final String path;
  private final Set<TransportKind> transports;
  private final boolean allowUpgrades;
  private final CorsOptions cors;
  private final CookieOptions cookie;
  private final AdmissionHook admission;
  private final AsyncAdmissionHook admissionAsync;
  private final boolean perMessageDeflate;
  private final long maxBufferedBytes;
  private final int maxConnectionsPerIp;
  private final long requestBodyTimeoutMillis;

  private EngineOptions(Builder b) {
    this.pingIntervalMillis = b.pingInterval.toMillis();
    this.pingTimeoutMillis = b.pingTimeout.toMillis();
    this.upgradeTimeoutMillis = b.upgradeTimeout.toMillis();
    this.closeTimeoutMillis = b.closeTimeout.toMillis();
    this.maxHttpBufferSize = b.maxHttpBufferSize;
    this.path = b.path;
    this.transports = Set.copyOf(b.transports);
    this.allowUpgrades = b.allowUpgrades;
    this.cors = b.cors;
    this.cookie = b.cookie;
    this.admission = b.admission;
    this.admissionAsync = b.admissionAsync;
    this.perMessageDeflate = b.perMessageDeflate;
    this.maxBufferedBytes = b.maxBufferedBytes;
    this.maxConnectionsPerIp = b.maxConnectionsPerIp;
    this.requestBodyTimeoutMillis = b.requestBodyTimeout.toMillis();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults. */
  public static EngineOptions defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.pingInterval = Duration.ofMillis(pingIntervalMillis);
    b.pingTimeout = Duration.ofMillis(pingTimeoutMillis);
    b.upgradeTimeout = Duration.ofMillis(upgradeTimeoutMillis);
    b.closeTimeout = Duration.ofMillis(closeTimeoutMillis);
    b.maxHttpBufferSize = maxHttpBufferSize;
    b.path = path;
    b.transports = EnumSet.copyOf(transports);
    b.allowUpgrades = allowUpgrades;
    b.cors = cors;
    b.cookie = cookie;
    b.admission = admission;
    b.admissionAsync = admissionAsync;
    b.perMessageDeflate = perMessageDeflate;
    b.maxBufferedBytes = maxBufferedBytes;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.requestBodyTimeout = Duration.ofMillis(requestBodyTimeoutMillis);
    return b;
  }

  public long pingIntervalMillis() {
    return pingIntervalMillis;
  }

  public long pingTimeoutMillis() {
    return pingTimeoutMillis;
  }

  public long upgradeTimeoutMillis() {
    return upgradeTimeoutMillis;
  }

  /** How long a closing polling session waits for a GET to carry its close packet. */
  public long closeTimeoutMillis() {
    return closeTimeoutMillis;
  }

  /** The largest POST body or WebSocket message accepted, in bytes; sent to clients as {@code maxPayload}. */
  public int maxHttpBufferSize() {
    return maxHttpBufferSize;
  }

  /** The request path prefix, with leading and trailing slash, e.g. {@code /socket.io/}. */
  public String path() {
    return path;
  }

  public Set<TransportKind> transports() {
    return transports;
  }

  public boolean allowUpgrades() {
    return allowUpgrades;
  }

  /** The CORS settings, or {@code null} when CORS is off. */
  public CorsOptions cors() {
    return cors;
  }

  /** The sticky-session cookie settings, or {@code null} when no cookie is set. */
  public CookieOptions cookie() {
    return cookie;
  }

  public AdmissionHook admission() {
    return admission;
  }

  /** The admission check that answers later, or {@code null} (the default: none). */
  public AsyncAdmissionHook admissionAsync() {
    return admissionAsync;
  }

  public boolean perMessageDeflate() {
    return perMessageDeflate;
  }

  /**
   * The most bytes queued for one client that cannot keep up before it is disconnected with reason
   * {@code "slow consumer"}; default 8 MiB.
   */
  public long maxBufferedBytes() {
    return maxBufferedBytes;
  }

  /** The most open sessions one remote address may have (0: no limit, the default). */
  public int maxConnectionsPerIp() {
    return maxConnectionsPerIp;
  }

  /**
   * The longest a polling POST body may take to arrive, from the start of reading it; default 300 s
   * (Node's {@code requestTimeout}, under which the reference runs).
   */
  public long requestBodyTimeoutMillis() {
    return requestBodyTimeoutMillis;
  }

  /** Builds {@link EngineOptions}; every setter is optional. */
  public static final class Builder {
    private Duration pingInterval = Duration.ofMillis(25_000);
    private Duration pingTimeout = Duration.ofMillis(20_000);
    private Duration upgradeTimeout = Duration.ofMillis(10_000);
    private Duration closeTimeout = Duration.ofMillis(30_000);
    private int maxHttpBufferSize = 1_000_000;
    private String path = "/engine.io/";
    private Set<TransportKind> transports = EnumSet.allOf(TransportKind.class);
    private boolean allowUpgrades = true;
    private CorsOptions cors;
    private CookieOptions cookie;
    private AdmissionHook admission = AdmissionHook.ALLOW_ALL;
    private AsyncAdmissionHook admissionAsync;
    private boolean perMessageDeflate;
    private long maxBufferedBytes = 8L << 20;
    private int maxConnectionsPerIp;
    private Duration requestBodyTimeout = Duration.ofSeconds(300);

    private Builder() {}

    /** Time between server pings. */
    public Builder pingInterval(Duration d) {
      this.pingInterval = positive(d, "pingInterval");
      return this;
    }

    /** Time a client has to answer a ping before the session closes with "ping timeout". */
    public Builder pingTimeout(Duration d) {
      this.pingTimeout = positive(d, "pingTimeout");
      return this;
    }

    /** Time a client has to complete an upgrade after opening the WebSocket. */
    public Builder upgradeTimeout(Duration d) {
      this.upgradeTimeout = positive(d, "upgradeTimeout");
      return this;
    }

    /** Time a closing polling session waits for a GET to deliver its close packet (default 30 s). */
    public Builder closeTimeout(Duration d) {
      this.closeTimeout = positive(d, "closeTimeout");
      return this;
    }

    /** Largest accepted POST body or WebSocket message in bytes (default 1,000,000). */
    public Builder maxHttpBufferSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxHttpBufferSize must be positive: " + bytes);
      }
      this.maxHttpBufferSize = bytes;
      return this;
    }

    /** The path prefix; a missing leading or trailing slash is added. */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path == null");
      String p = path.startsWith("/") ? path : "/" + path;
      this.path = p.endsWith("/") ? p : p + "/";
      return this;
    }

    /** The enabled transports (at least one). */
    public Builder transports(TransportKind first, TransportKind... rest) {
      this.transports = EnumSet.of(first, rest);
      return this;
    }

    /** Whether polling sessions may upgrade to WebSocket (default true). */
    public Builder allowUpgrades(boolean allow) {
      this.allowUpgrades = allow;
      return this;
    }

    /** CORS for polling requests, or {@code null} (default) for none. */
    public Builder cors(CorsOptions cors) {
      this.cors = cors;
      return this;
    }

    /** The sticky-session cookie, or {@code null} (default) for none. */
    public Builder cookie(CookieOptions cookie) {
      this.cookie = cookie;
      return this;
    }

    /** Admission check run on every handshake before a session exists. */
    public Builder admission(AdmissionHook hook) {
      this.admission = Objects.requireNonNull(hook, "admission == null");
      return this;
    }

    /**
     * An admission check that answers later (Node's {@code allowRequest} calling back after a lookup),
     * run on every handshake after {@link #admission(AdmissionHook)} allowed it; {@code null} removes it.
     * No thread waits for it: the request is answered when its stage completes.
     */
    public Builder admissionAsync(AsyncAdmissionHook hook) {
      this.admissionAsync = hook;
      return this;
    }

    /** Whether WebSocket permessage-deflate may be negotiated (default false). */
    public Builder perMessageDeflate(boolean enabled) {
      this.perMessageDeflate = enabled;
      return this;
    }

    /**
     * The most bytes that may wait for one slow client (default 8 MiB). Past it the client is
     * disconnected with reason {@code "slow consumer"}; others are unaffected.
     */
    public Builder maxBufferedBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBufferedBytes must be positive: " + bytes);
      }
      this.maxBufferedBytes = bytes;
      return this;
    }

    /**
     * The most open sessions one remote address may have; a handshake past it is refused with 403
     * {@code {"code":4,"message":"Too many connections"}}. Off by default (as in the reference). Behind
     * a proxy every client has the proxy's address: raise it accordingly, or leave it off.
     */
    public Builder maxConnectionsPerIp(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnectionsPerIp must be at least 1: " + max);
      }
      this.maxConnectionsPerIp = max;
      return this;
    }

    /**
     * The longest a polling POST body may take to arrive, from the start of reading it (default
     * 300 s, Node's {@code requestTimeout}). A body still incomplete then (a client dribbling one
     * byte at a time, which no idle timeout catches) fails as an aborted POST does: the request is
     * answered 400, its connection closed, and the session closed.
     */
    public Builder requestBodyTimeout(Duration d) {
      this.requestBodyTimeout = positive(d, "requestBodyTimeout");
      return this;
    }

    public EngineOptions build() {
      return new EngineOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
