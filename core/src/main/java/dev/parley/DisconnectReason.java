package dev.parley;

/**
 * The reason strings a socket's disconnect listeners receive, the same as socket.io's.
 *
 * <pre>{@code
 * socket.onDisconnect(reason -> {
 *   if (DisconnectReason.PING_TIMEOUT.equals(reason)) metrics.flakyNetwork();
 * });
 * }</pre>
 */
public final class DisconnectReason {
  /** The client disconnected the socket ({@code socket.disconnect()} on the client). */
  public static final String CLIENT_NAMESPACE_DISCONNECT = "client namespace disconnect";
  /**
   * The server disconnected the socket ({@code socket.disconnect()} on the server; with
   * {@code disconnect(true)} every socket of the connection gets this reason).
   */
  public static final String SERVER_NAMESPACE_DISCONNECT = "server namespace disconnect";
  /** The server is closing. */
  public static final String SERVER_SHUTTING_DOWN = "server shutting down";
  /** The client did not answer a ping in time. */
  public static final String PING_TIMEOUT = "ping timeout";
  /** The connection closed (the user left, or the network dropped cleanly). */
  public static final String TRANSPORT_CLOSE = "transport close";
  /** The connection failed. */
  public static final String TRANSPORT_ERROR = "transport error";
  /** The client sent something that is not Socket.IO. */
  public static final String PARSE_ERROR = "parse error";
  /** The server closed the connection underneath (Engine.IO {@code close()}). */
  public static final String FORCED_CLOSE = "forced close";
  /**
   * Parley's own: so many bytes waited for this client (it reads too slowly) that the server
   * disconnected it; see {@code EngineOptions.maxBufferedBytes}.
   */
  public static final String SLOW_CONSUMER = "slow consumer";

  private DisconnectReason() {}
}
