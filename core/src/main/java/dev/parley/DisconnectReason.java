package dev.parley;

import java.util.Objects;

/**
 * Why a socket disconnected: what its {@link Socket#onDisconnecting} and {@link Socket#onDisconnect}
 * listeners receive. Each reason has socket.io's name for it ({@link #wireName()}), so logs and
 * dashboards read the same as a Node server's.
 *
 * <pre>{@code
 * socket.onDisconnect(reason -> {
 *   if (reason == DisconnectReason.PING_TIMEOUT) metrics.flakyNetwork();
 *   log.info("{} left: {}", socket.id(), reason);   // "transport close", ...
 * });
 * }</pre>
 *
 * <p>socket.io also names {@code "forced server close"}; Parley never produces it (a server-side
 * {@code disconnect(true)} gives every socket of the connection {@link #SERVER_NAMESPACE_DISCONNECT}
 * first, as socket.io's does).
 */
public enum DisconnectReason {
  /** The client disconnected the socket ({@code socket.disconnect()} on the client). */
  CLIENT_NAMESPACE_DISCONNECT("client namespace disconnect"),
  /**
   * The server disconnected the socket ({@code socket.disconnect()} on the server; with
   * {@code disconnect(true)} every socket of the connection gets this reason).
   */
  SERVER_NAMESPACE_DISCONNECT("server namespace disconnect"),
  /** The server is closing ({@link SocketIoServer#close()}). */
  SERVER_SHUTTING_DOWN("server shutting down"),
  /** The client did not answer a ping in time. */
  PING_TIMEOUT("ping timeout"),
  /** The connection closed (the user left, or the network dropped cleanly). */
  TRANSPORT_CLOSE("transport close"),
  /** The connection failed. */
  TRANSPORT_ERROR("transport error"),
  /** The client sent something that is not Socket.IO. */
  PARSE_ERROR("parse error"),
  /** The server closed the connection underneath (Engine.IO {@code close()}, {@code connectTimeout}). */
  FORCED_CLOSE("forced close"),
  /**
   * Parley's own: so many bytes waited for this client (it reads too slowly) that the server
   * disconnected it; see {@code EngineOptions.maxBufferedBytes}.
   */
  SLOW_CONSUMER("slow consumer");

  private static final DisconnectReason[] ALL = values();

  private final String wireName;

  DisconnectReason(String wireName) {
    this.wireName = wireName;
  }

  /**
   * socket.io's name for this reason, e.g. {@code "transport close"}: what a Node server's
   * {@code disconnect} listener receives.
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Whether connection state recovery keeps the session of a socket that disconnected for this
   * reason (socket.io's {@code RECOVERABLE_DISCONNECT_REASONS}): the connection was lost or the server
   * shut down, as opposed to a deliberate disconnect by either side or a broken client.
   */
  public boolean recoverable() {
    return this == TRANSPORT_ERROR || this == TRANSPORT_CLOSE || this == FORCED_CLOSE || this == PING_TIMEOUT
        || this == SERVER_SHUTTING_DOWN;
  }

  /**
   * The reason socket.io calls {@code wireName}.
   *
   * <pre>{@code
   * DisconnectReason.fromWireName("ping timeout");   // PING_TIMEOUT
   * }</pre>
   *
   * @throws IllegalArgumentException when no reason has that name
   */
  public static DisconnectReason fromWireName(String wireName) {
    Objects.requireNonNull(wireName, "wireName == null");
    for (DisconnectReason r : ALL) {
      if (r.wireName.equals(wireName)) {
        return r;
      }
    }
    throw new IllegalArgumentException("no disconnect reason is called \"" + wireName + "\"");
  }

  /**
   * The reason an Engine.IO session closed with (the engine reports socket.io's names); a name this
   * version does not know counts as a transport error rather than failing a close.
   */
  static DisconnectReason ofEngineReason(String engineReason) {
    for (DisconnectReason r : ALL) {
      if (r.wireName.equals(engineReason)) {
        return r;
      }
    }
    return TRANSPORT_ERROR;
  }

  /** The wire name, so that logging a reason prints what socket.io prints. */
  @Override
  public String toString() {
    return wireName;
  }
}
