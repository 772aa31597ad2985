package dev.parley.adapter;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The narrow view an {@link Adapter} has of its namespace: it can encode a packet once, deliver the
 * encoded form to a local socket, act on local sockets, and report room events. It never sees the
 * namespace's internals. Implemented by Parley's core; adapters only call it.
 *
 * <p>{@code Encoded} values are opaque to the adapter: the wire form of one packet, built once per
 * broadcast and handed to every recipient.
 *
 * <pre>{@code
 * Object encoded = context.encode(packet);
 * for (String id : recipients) {
 *   context.deliver(id, encoded, options.flags());
 * }
 * }</pre>
 */
public interface AdapterContext {
  /** The namespace name, e.g. {@code "/"} or {@code "/chat"}. */
  String namespace();

  /** Encodes a packet once for many recipients; the result is opaque. */
  Object encode(Packet packet);

  /** Sends an encoded packet to a connected local socket; unknown ids are ignored. */
  void deliver(String socketId, Object encoded, BroadcastFlags flags);

  /**
   * Sends an encoded event that carries ack id {@code ackId} to a local socket and waits for that
   * socket's answer: {@code onAck} receives it (opaque, from core), or a {@code Throwable} if the
   * socket disconnects first.
   */
  void deliverWithAck(String socketId, Object encoded, long ackId, java.util.function.Consumer<Object> onAck);

  /** Details of a local socket, for {@code fetchSockets}. */
  Optional<SocketDetails> socketDetails(String socketId);

  /** Disconnects a local socket (closing its whole connection when {@code close}). */
  void disconnect(String socketId, boolean close);

  /** Reports a room event to the namespace's listeners. */
  void roomEvent(RoomEvent event);

  /**
   * Converts core's packet data (an opaque value) into plain Java values a cluster adapter can
   * serialize: {@code Map<String,Object>}, {@code List<Object>}, {@code String}, {@code Long},
   * {@code Double}, {@code Boolean}, {@code null} and {@code byte[]} for binary. It also accepts any
   * value a socket's data may hold (as {@link SessionToPersist#data} has them).
   */
  Object toPlain(Object data);

  /** The reverse of {@link #toPlain}: plain values (from another node) into core's packet data. */
  Object fromPlain(Object plain);

  /** A fresh ack id of this namespace, for delivering another node's broadcast with acks. */
  long nextAckId();

  /**
   * Forgets ack {@code ackId} on every local socket: a broadcast with acks timed out, and the clients
   * that never answered must not keep their pending entry. Answers arriving later are ignored.
   */
  void dropAck(long ackId);

  /** The arguments of a client's ack (the opaque value {@code deliverWithAck} hands over) as plain values. */
  java.util.List<Object> ackArguments(Object ack);

  /** An opaque ack value, as {@code deliverWithAck} produces, from plain arguments (another node's). */
  Object ackFromArguments(java.util.List<Object> arguments);

  /**
   * Runs this namespace's server-side listeners for an event another node sent with
   * {@code serverSideEmit}. {@code packet} is {@code [event, ...args]} as plain values. When the
   * sender expects an answer, {@code reply} receives the first listener answer (a plain value), once;
   * otherwise it is null.
   */
  void serverSideEvent(java.util.List<Object> packet, java.util.function.Consumer<Object> reply);

  /**
   * The connection state recovery window in milliseconds, or 0 when recovery is off. When it is on,
   * an adapter that supports recovery gives every non-volatile event broadcast without an ack an
   * offset ({@link #withOffset}) and keeps it, with its options, for this long.
   */
  default long maxDisconnectionDurationMillis() {
    return 0;
  }

  /**
   * The event packet with {@code offset} appended as its last argument (as core sends it: after any
   * binary placeholders). The returned packet's data is opaque like any other; pass it to
   * {@link #encode} or return it from {@link Adapter#restoreSession}.
   */
  default Packet withOffset(Packet packet, String offset) {
    throw new UnsupportedOperationException("this context does not support connection state recovery");
  }

  /** Milliseconds on the server's clock (the scheduler's), for session and packet expiry. */
  default long nowMillis() {
    return System.currentTimeMillis();
  }

  /** Facts about a socket as another node or {@code fetchSockets} sees them. */
  record SocketDetails(String id, Map<String, Object> handshake, Set<String> rooms, Map<String, Object> data) {}
}
