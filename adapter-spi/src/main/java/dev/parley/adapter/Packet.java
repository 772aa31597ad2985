package dev.parley.adapter;

import java.util.Objects;

/**
 * A Socket.IO packet as the adapter sees it: its type, the namespace, the data ({@code [event,
 * ...args]}, opaque here: see {@link Payload}), the ack id ({@link #NO_ID} for none; a broadcast
 * expecting acks carries one id for all recipients), and the connection state recovery offset
 * (null for none), which core appends as the event's last argument when it encodes the packet.
 *
 * <pre>{@code
 * Packet event = Packet.event("/chat", Payload.ofPlain(List.of("news", "hello")));
 * Packet logged = event.withOffset("k3m-1f");   // the client receives ["news","hello","k3m-1f"]
 * }</pre>
 */
public record Packet(PacketType type, String nsp, Payload data, long id, String offset) {
  /** The ack id of a packet that expects no ack. */
  public static final long NO_ID = -1;

  public Packet {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(nsp, "nsp == null");
    Objects.requireNonNull(data, "data == null");
  }

  /** A packet without an offset. */
  public Packet(PacketType type, String nsp, Payload data, long id) {
    this(type, nsp, data, id, null);
  }

  /** An event that expects no ack and has no offset. */
  public static Packet event(String nsp, Payload data) {
    return new Packet(PacketType.EVENT, nsp, data, NO_ID, null);
  }

  /** True when the packet expects an ack (it has an ack id). */
  public boolean expectsAck() {
    return id >= 0;
  }

  /** The same packet with ack id {@code ackId}. */
  public Packet withId(long ackId) {
    return new Packet(type, nsp, data, ackId, offset);
  }

  /** The same packet with connection state recovery offset {@code offset} (null for none). */
  public Packet withOffset(String offset) {
    return new Packet(type, nsp, data, id, offset);
  }
}
