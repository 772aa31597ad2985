package dev.parley;

import dev.parley.adapter.RoomEvent;
import java.util.Set;

/**
 * Watches what a server does: sockets connecting and leaving, refused connects, events in and out,
 * broadcasts, room changes, acknowledgements and server-side emits. It is the seam metrics
 * (Micrometer), the Socket.IO admin UI, tracing or an audit log are built on. Register one with
 * {@link SocketIoServer#observe} or {@link SocketIoServer.Builder#observer}; every method has a
 * no-op default, so an observer overrides only what it needs. For plain counts, read
 * {@link SocketIoServer#stats()} instead: those counters are always kept.
 *
 * <pre>{@code
 * io.observe(new ServerObserver() {
 *   @Override
 *   public void onSocketConnected(Socket socket) {
 *     log.info("{} connected to {} from {}", socket.id(), socket.namespace().name(),
 *         socket.handshake().address());
 *   }
 *
 *   @Override
 *   public void onAck(Socket socket, long roundTripNanos) {
 *     ackTimer.record(roundTripNanos, TimeUnit.NANOSECONDS);
 *   }
 * });
 * }</pre>
 *
 * <p><b>Threads.</b> Each method says which thread calls it: mostly the connection's lane (the
 * serial executor the socket's handlers run on), or the thread that emitted. Methods of one
 * observer may run on several threads at once (two connections, two broadcasters), so an observer
 * must be thread-safe. <b>An observer must not block</b> and should return quickly: it runs on the
 * paths it observes, inside a broadcast loop for {@link #onBroadcastDelivered}. Hand slow work (a
 * network call, a disk write) to a queue of your own.
 *
 * <p><b>Cost.</b> With no observer registered, the server pays one field read per observable step.
 * With one, it pays the calls, and builds an {@link Args} where a method takes one and the step had
 * none (once per emit or broadcast, never per recipient). {@link #onBroadcastDelivered} is the one
 * per-recipient call, made only for an observer that asks for it
 * ({@link #observesBroadcastDeliveries()}).
 *
 * <p><b>Failures.</b> An exception an observer throws is caught and logged at ERROR, rate-limited as
 * handler errors are (the first of each kind with its stack trace, then one line with the count per
 * {@code errorLogInterval}); the step it observed goes on as if nothing happened, and the other
 * observers are still called.
 *
 * <p>The objects passed are live: a {@link Socket} may disconnect while an observer holds it. Its
 * {@code id()}, {@code namespace()} and {@code handshake()} never change.
 */
public interface ServerObserver {
  /** An observer that observes nothing. */
  ServerObserver NONE = new ServerObserver() {};

  /**
   * A socket connected to a namespace (fresh, or restored by connection state recovery:
   * {@link Socket#recovered()}). Called on the connection's lane after the socket joined its rooms
   * and its CONNECT was queued, before the namespace's connection handlers run, so every later call
   * about this socket comes after this one. The handshake is {@link Socket#handshake()}.
   *
   * @param socket the socket, connected
   */
  default void onSocketConnected(Socket socket) {}

  /**
   * A socket disconnected. Called on the connection's lane after the socket left its rooms and its
   * own disconnect listeners ran: the last call about this socket.
   *
   * @param socket the socket, no longer connected
   * @param reason why it disconnected
   */
  default void onSocketDisconnected(Socket socket, DisconnectReason reason) {}

  /**
   * The connection that carries {@code socket} switched from HTTP long-polling to WebSocket:
   * {@link Socket#transport()} is now {@code "websocket"}. Called once for each socket the
   * connection has at that moment (one per namespace it joined), on the connection's lane, after
   * {@link #onSocketConnected} and before {@link #onSocketDisconnected} for that socket. A socket
   * that connects after the upgrade, or whose connection started on WebSocket, is never reported
   * here. What the admin UI shows as {@code socket_updated} with the new transport.
   *
   * @param socket a connected socket of the upgraded connection
   */
  default void onTransportUpgraded(Socket socket) {}

  /**
   * A connected socket's {@link Socket#data()} changed: a value was put, replaced or removed through the
   * map's methods (removal through an iterator of its views is not seen). Called on the thread that
   * changed it, after the change, so {@code socket.data()} shows the new content; changes made before
   * the socket connected (in connect middleware, or by a restore) are not reported. What the admin UI
   * shows as {@code socket_updated} with the new data.
   *
   * @param socket the socket
   * @param key the key that changed, or null when several did at once ({@code putAll}, {@code clear})
   */
  default void onSocketDataChanged(Socket socket, String key) {}

  /**
   * A client's CONNECT to a namespace was refused with a {@code CONNECT_ERROR}. Called on the
   * connection's lane. Requests the Engine.IO layer refuses before a connection exists (admission
   * hook, per-address limit, protocol version) are counted in
   * {@code io.stats().engine().requestsRefused()} instead.
   *
   * @param namespace the namespace the client asked for
   * @param handshake what the client sent with its CONNECT
   * @param cause why it was refused
   * @param message the message the client received in its {@code connect_error}
   */
  default void onConnectRefused(String namespace, Handshake handshake, ConnectRefusal cause, String message) {}

  /**
   * A socket received an event from its client. Called on the connection's lane before the
   * socket's any-listeners, packet middleware and handlers see it (an event the rate limit drops is
   * not reported).
   *
   * @param socket the receiving socket
   * @param event the event name
   * @param args its arguments
   */
  default void onEventReceived(Socket socket, String event, Args args) {}

  /**
   * An event was emitted to one socket ({@code socket.emit}, {@code emitWithAck},
   * {@code socket.timeout(..)} and {@code unreliable()} emits). Called on the emitting thread, before
   * the packet is queued. Broadcasts are reported by {@link #onBroadcast} instead.
   *
   * @param socket the socket it goes to
   * @param event the event name
   * @param args its arguments
   */
  default void onEventSent(Socket socket, String event, Args args) {}

  /**
   * This server emitted a broadcast ({@code io.emit}, {@code io.to(..).emit},
   * {@code socket.broadcast().emit}, {@code emitWithAck} on an operator...). Called once per
   * broadcast, on the thread that ran the adapter's broadcast (the emitting thread for
   * {@code emit}, a pool thread for {@code emitWithAck}), after the adapter returned.
   *
   * @param namespace the namespace it was emitted on
   * @param rooms the rooms it targets (empty: the whole namespace)
   * @param except the rooms it excludes (a socket's own id room for {@code socket.to(..)})
   * @param event the event name
   * @param args its arguments
   * @param localRecipients the sockets of this server the adapter handed it to during the call (an
   *     adapter that delivers later, as the Redis streams adapter does with recovery on, reports its
   *     deliveries through {@link #onBroadcastDelivered} and the stats only)
   */
  default void onBroadcast(Namespace namespace, Set<String> rooms, Set<String> except, String event, Args args,
      int localRecipients) {}

  /**
   * A broadcast, emitted by this server or another of the cluster, was handed to a socket of this
   * server: one call per recipient, as socket.io calls a socket's outgoing listeners (what the admin
   * UI shows as {@code event_sent}). Called only when {@link #observesBroadcastDeliveries()} is true,
   * on the thread the adapter delivers on (the emitting thread, or the adapter's own for another
   * server's broadcast). The {@link Args} is the same object for every recipient of one broadcast.
   *
   * @param socket the recipient
   * @param event the event name
   * @param args its arguments (without a connection state recovery offset)
   */
  default void onBroadcastDelivered(Socket socket, String event, Args args) {}

  /**
   * Whether this observer wants {@link #onBroadcastDelivered}, a call per recipient of every
   * broadcast. Read once, when the observer is registered. False by default.
   *
   * @return true to receive {@link #onBroadcastDelivered}
   */
  default boolean observesBroadcastDeliveries() {
    return false;
  }

  /**
   * A room of a namespace was created or deleted, or a socket joined or left one, on this server
   * (what {@link Namespace#onRoomEvent} reports too). Called on the thread that changed the
   * membership: the connection's lane when a socket connects (its own room) or disconnects (every
   * room), the caller of {@code join}/{@code leave}/{@code socketsJoin}, or the adapter's thread for
   * another server's request.
   *
   * @param namespace the namespace
   * @param event what happened, to which room and socket
   */
  default void onRoomEvent(Namespace namespace, RoomEvent event) {}

  /**
   * A client answered an event this server emitted with an acknowledgement: to one socket
   * ({@code socket.emitWithAck}) or as one of the recipients of a broadcast's
   * {@code emitWithAck}. Called on the connection's lane when the answer arrives, before the
   * answer's callback runs.
   *
   * @param socket the socket that answered
   * @param roundTripNanos the time from the emit to the answer, in nanoseconds
   */
  default void onAck(Socket socket, long roundTripNanos) {}

  /**
   * This server sent an event to the other servers of the cluster ({@link Namespace#serverSideEmit}
   * or {@link Namespace#serverSideEmitWithAck}). Called on the emitting thread.
   *
   * @param namespace the namespace it was sent on
   * @param event the event name
   * @param args its arguments
   */
  default void onServerSideEmit(Namespace namespace, String event, Args args) {}

  /**
   * Another server of the cluster sent this one an event with {@code serverSideEmit}. Called on a
   * pool thread, before the namespace's {@link Namespace#onServerSideEmit} listeners.
   *
   * @param namespace the namespace it arrived on
   * @param event the event name
   * @param args its arguments
   */
  default void onServerSideEvent(Namespace namespace, String event, Args args) {}
}
