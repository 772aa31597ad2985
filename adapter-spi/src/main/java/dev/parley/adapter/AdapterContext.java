package dev.parley.adapter;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The narrow view an {@link Adapter} has of its namespace: it can encode a packet once, deliver the
 * encoded form to a local socket, act on local sockets, and report room events. It never sees the
 * namespace's internals. Implemented by Parley's core; adapters only call it.
 *
 * <pre>{@code
 * EncodedPacket encoded = context.encode(packet);
 * for (String id : recipients) {
 *   context.deliver(id, encoded, options.flags());
 * }
 * }</pre>
 */
public interface AdapterContext {
  /** The namespace name, e.g. {@code "/"} or {@code "/chat"}. */
  String namespace();

  /**
   * Encodes a packet once for many recipients (with its offset appended, when it has one). The
   * result is opaque and can only be delivered through this context.
   */
  EncodedPacket encode(Packet packet);

  /** Sends an encoded packet to a connected local socket; unknown ids are ignored. */
  void deliver(String socketId, EncodedPacket encoded, BroadcastFlags flags);

  /**
   * Sends an encoded event that carries ack id {@code ackId} to a local socket and waits for that
   * socket's answer: {@code onAck} receives it once, as {@link AckResult.Answered}, or
   * {@link AckResult.Failed} if the socket disconnects first. Unknown ids are ignored ({@code onAck}
   * is never called).
   */
  void deliverWithAck(String socketId, EncodedPacket encoded, long ackId, Consumer<AckResult> onAck);

  /** Details of a local socket, for {@code fetchSockets}. */
  Optional<SocketDetails> socketDetails(String socketId);

  /** Disconnects a local socket (closing its whole connection when {@code close}). */
  void disconnect(String socketId, boolean close);

  /** Reports a room event to the namespace's listeners. */
  void roomEvent(RoomEvent event);

  /** A fresh ack id of this namespace, for delivering another node's broadcast with acks. */
  long nextAckId();

  /**
   * Forgets ack {@code ackId} on every local socket: a broadcast with acks timed out, and the clients
   * that never answered must not keep their pending entry. Answers arriving later are ignored.
   */
  void dropAck(long ackId);

  /**
   * Runs this namespace's server-side listeners for an event another node sent with
   * {@code serverSideEmit}. {@code packet} is {@code [event, ...args]} as plain values (see
   * {@link Payload}). When the sender expects an answer, {@code reply} receives the first listener
   * answer (a plain value), once; otherwise it is null.
   */
  void serverSideEvent(List<Object> packet, Consumer<Object> reply);

  /**
   * A value a socket's data holds ({@link SessionToPersist#data}) as plain values (see
   * {@link Payload}), for an adapter that stores sessions outside the process. The only conversion
   * an adapter needs that is not a packet's: packets and acks convert themselves
   * ({@link Payload#toPlain}), but a socket's data holds the application's own objects, which only
   * core knows how to serialize.
   */
  Object toPlain(Object value);

  /**
   * The connection state recovery window in milliseconds, or 0 when recovery is off. When it is on,
   * an adapter that supports recovery gives every non-volatile event broadcast without an ack an
   * offset ({@link Packet#withOffset}) and keeps it, with its options, for this long.
   */
  default long maxDisconnectionDurationMillis() {
    return 0;
  }

  /** Milliseconds on the server's clock (the scheduler's), for session and packet expiry. */
  default long nowMillis() {
    return System.currentTimeMillis();
  }

  /**
   * Facts about a socket as another node or {@code fetchSockets} sees them: its id, its handshake and
   * data as plain values (see {@link Payload}), and its rooms.
   */
  record SocketDetails(String id, Map<String, Object> handshake, Set<String> rooms, Map<String, Object> data) {}
}
