package dev.parley.spring.boot;

import dev.parley.engine.TransportKind;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DataSizeUnit;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * The {@code parley.*} settings of the Socket.IO server the starter builds. Durations take Boot's
 * forms ({@code 25s}, {@code 2m}, ISO-8601); a plain number means milliseconds, as in socket.io's
 * options. Sizes take {@code 1MB}, {@code 512KB}; a plain number means bytes.
 *
 * <pre>{@code
 * parley.path=/socket.io/
 * parley.ping-interval=25s
 * parley.cors.allowed-origins=https://app.example.com
 * parley.recovery.enabled=true
 * parley.adapter=redis
 * }</pre>
 */
@ConfigurationProperties("parley")
public class ParleyProperties {
  /** Whether to start a Socket.IO server on the application's port. */
  private boolean enabled = true;

  /**
   * The request path clients connect to (socket.io-client's "path" option). Absolute: it is not under
   * the servlet context path.
   */
  private String path = "/socket.io/";

  /** How often the server pings each client. A plain number is milliseconds. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration pingInterval = Duration.ofSeconds(25);

  /** How long a client has to answer a ping before it is disconnected. A plain number is milliseconds. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration pingTimeout = Duration.ofSeconds(20);

  /** How long a new connection has to join a namespace. A plain number is milliseconds. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration connectTimeout = Duration.ofSeconds(45);

  /** Largest accepted HTTP body or WebSocket message. A plain number is bytes. */
  @DataSizeUnit(DataUnit.BYTES)
  private DataSize maxHttpBufferSize = DataSize.ofBytes(1_000_000);

  /** The transports clients may use, in order of preference. */
  private List<TransportKind> transports = new ArrayList<>(List.of(TransportKind.POLLING, TransportKind.WEBSOCKET));

  /** Whether a polling connection may upgrade to WebSocket. */
  private boolean allowUpgrades = true;

  /** Which adapter carries broadcasts and rooms: this server only, or a Redis cluster. */
  private AdapterKind adapter = AdapterKind.MEMORY;

  /**
   * How long connections get, when the application stops, to deliver what is queued and their close
   * (a polling client that no longer polls holds the shutdown this long). Default: Boot's
   * spring.lifecycle.timeout-per-shutdown-phase with server.shutdown=graceful, 1s with immediate.
   */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration drainTimeout;

  private final Cors cors = new Cors();
  private final Recovery recovery = new Recovery();
  private final Redis redis = new Redis();
  private final Metrics metrics = new Metrics();

  /** Whether the starter starts a Socket.IO server. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether the starter starts a Socket.IO server. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The request path, {@code /socket.io/} by default. */
  public String getPath() {
    return path;
  }

  /** Sets the request path. */
  public void setPath(String path) {
    this.path = path;
  }

  /** The ping interval, 25 s by default. */
  public Duration getPingInterval() {
    return pingInterval;
  }

  /** Sets the ping interval. */
  public void setPingInterval(Duration pingInterval) {
    this.pingInterval = pingInterval;
  }

  /** The ping timeout, 20 s by default. */
  public Duration getPingTimeout() {
    return pingTimeout;
  }

  /** Sets the ping timeout. */
  public void setPingTimeout(Duration pingTimeout) {
    this.pingTimeout = pingTimeout;
  }

  /** The time a new connection has to join a namespace, 45 s by default. */
  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  /** Sets the time a new connection has to join a namespace. */
  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  /** The largest HTTP body or WebSocket message, 1,000,000 bytes by default. */
  public DataSize getMaxHttpBufferSize() {
    return maxHttpBufferSize;
  }

  /** Sets the largest HTTP body or WebSocket message. */
  public void setMaxHttpBufferSize(DataSize maxHttpBufferSize) {
    this.maxHttpBufferSize = maxHttpBufferSize;
  }

  /** The transports clients may use, polling and WebSocket by default. */
  public List<TransportKind> getTransports() {
    return transports;
  }

  /** Sets the transports clients may use. */
  public void setTransports(List<TransportKind> transports) {
    this.transports = transports;
  }

  /** Whether polling connections may upgrade to WebSocket, true by default. */
  public boolean isAllowUpgrades() {
    return allowUpgrades;
  }

  /** Sets whether polling connections may upgrade to WebSocket. */
  public void setAllowUpgrades(boolean allowUpgrades) {
    this.allowUpgrades = allowUpgrades;
  }

  /** The adapter, {@link AdapterKind#MEMORY} by default. */
  public AdapterKind getAdapter() {
    return adapter;
  }

  /** Sets the adapter. */
  public void setAdapter(AdapterKind adapter) {
    this.adapter = adapter;
  }

  /** The shutdown drain timeout, or null for Boot's shutdown settings. */
  public Duration getDrainTimeout() {
    return drainTimeout;
  }

  /** Sets the shutdown drain timeout. */
  public void setDrainTimeout(Duration drainTimeout) {
    this.drainTimeout = drainTimeout;
  }

  /** The CORS settings of polling requests. */
  public Cors getCors() {
    return cors;
  }

  /** The connection state recovery settings. */
  public Recovery getRecovery() {
    return recovery;
  }

  /** The Redis adapter settings. */
  public Redis getRedis() {
    return redis;
  }

  /** The metrics settings. */
  public Metrics getMetrics() {
    return metrics;
  }

  /** Which adapter a server uses. */
  public enum AdapterKind {
    /** Rooms and broadcasts of this server only (the default). */
    MEMORY,
    /** Redis pub/sub, wire-compatible with {@code @socket.io/redis-adapter}; needs parley-adapter-redis. */
    REDIS,
    /**
     * Redis Streams, wire-compatible with {@code @socket.io/redis-streams-adapter}, and the adapter for
     * connection state recovery across a cluster; needs parley-adapter-redis.
     */
    REDIS_STREAMS
  }

  /** CORS for polling requests from pages of other origins ({@code parley.cors.*}). */
  public static class Cors {
    /** Origins allowed to connect over polling, e.g. https://app.example.com; "*" allows any. None by default. */
    private List<String> allowedOrigins = new ArrayList<>();

    /** Whether cross-origin requests may carry cookies (socket.io-client's withCredentials). */
    private boolean allowCredentials;

    /** The allowed origins, none by default. */
    public List<String> getAllowedOrigins() {
      return allowedOrigins;
    }

    /** Sets the allowed origins; {@code "*"} allows any. */
    public void setAllowedOrigins(List<String> allowedOrigins) {
      this.allowedOrigins = allowedOrigins;
    }

    /** Whether credentials are allowed, false by default. */
    public boolean isAllowCredentials() {
      return allowCredentials;
    }

    /** Sets whether credentials are allowed. */
    public void setAllowCredentials(boolean allowCredentials) {
      this.allowCredentials = allowCredentials;
    }
  }

  /** Connection state recovery ({@code parley.recovery.*}), socket.io's connectionStateRecovery. */
  public static class Recovery {
    /** Whether a client that lost its connection gets its id, rooms and missed events back. */
    private boolean enabled;

    /** How long a disconnected session and the events it misses are kept. A plain number is milliseconds. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration maxDisconnectionDuration = Duration.ofMinutes(2);

    /** Whether a recovered socket connects without running the connect middlewares. */
    private boolean skipMiddlewares = true;

    /** Whether recovery is on, false by default. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether recovery is on. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** How long sessions are kept, 2 minutes by default. */
    public Duration getMaxDisconnectionDuration() {
      return maxDisconnectionDuration;
    }

    /** Sets how long sessions are kept. */
    public void setMaxDisconnectionDuration(Duration maxDisconnectionDuration) {
      this.maxDisconnectionDuration = maxDisconnectionDuration;
    }

    /** Whether recovered sockets skip the connect middlewares, true by default. */
    public boolean isSkipMiddlewares() {
      return skipMiddlewares;
    }

    /** Sets whether recovered sockets skip the connect middlewares. */
    public void setSkipMiddlewares(boolean skipMiddlewares) {
      this.skipMiddlewares = skipMiddlewares;
    }
  }

  /**
   * The Redis adapters ({@code parley.redis.*}). Without a URL, the connection comes from Boot's own
   * {@code spring.data.redis.*} settings (url, or host, port, username, password, database, ssl).
   */
  public static class Redis {
    /** The Redis URI, e.g. redis://:secret@redis.internal:6379/0. Default: from spring.data.redis.*. */
    private String url;

    /** The key prefix of the channels (redis adapter) or the stream name (redis-streams adapter). */
    private String key = "socket.io";

    /** How long a cluster request (fetchSockets, serverSideEmitWithAck...) waits for the other servers. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration requestsTimeout = Duration.ofSeconds(5);

    /** The Redis URI, or null to use spring.data.redis.*. */
    public String getUrl() {
      return url;
    }

    /** Sets the Redis URI. */
    public void setUrl(String url) {
      this.url = url;
    }

    /** The channel key prefix or stream name, {@code socket.io} by default. */
    public String getKey() {
      return key;
    }

    /** Sets the channel key prefix or stream name. */
    public void setKey(String key) {
      this.key = key;
    }

    /** The cluster request timeout, 5 s by default. */
    public Duration getRequestsTimeout() {
      return requestsTimeout;
    }

    /** Sets the cluster request timeout. */
    public void setRequestsTimeout(Duration requestsTimeout) {
      this.requestsTimeout = requestsTimeout;
    }
  }

  /** The Micrometer meters ({@code parley.metrics.*}), bound when a MeterRegistry is present. */
  public static class Metrics {
    /** Whether to bind the parley.* meters to the application's MeterRegistry. */
    private boolean enabled = true;

    /** Whether to keep a parley.sockets.connected gauge per namespace (off for many dynamic namespaces). */
    private boolean socketsByNamespace = true;

    /** Whether to time acknowledgement round trips (parley.ack.round.trip). */
    private boolean ackRoundTrip = true;

    /** Whether the meters are bound, true by default. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the meters are bound. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Whether there is a gauge per namespace, true by default. */
    public boolean isSocketsByNamespace() {
      return socketsByNamespace;
    }

    /** Sets whether there is a gauge per namespace. */
    public void setSocketsByNamespace(boolean socketsByNamespace) {
      this.socketsByNamespace = socketsByNamespace;
    }

    /** Whether ack round trips are timed, true by default. */
    public boolean isAckRoundTrip() {
      return ackRoundTrip;
    }

    /** Sets whether ack round trips are timed. */
    public void setAckRoundTrip(boolean ackRoundTrip) {
      this.ackRoundTrip = ackRoundTrip;
    }
  }
}
