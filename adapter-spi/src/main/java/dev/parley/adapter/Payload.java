package dev.parley.adapter;

import java.util.List;

/**
 * The data of a packet or of a client's ack as a list of values: {@code [event, ...args]} for an
 * event, {@code [...args]} for an ack. Core holds it in its own form, which an adapter does not see;
 * an adapter that sends it to another server turns it into plain values with {@link #toPlain}, and
 * the receiving server makes a payload of them again with {@link #ofPlain}.
 *
 * <p>Plain values are what any serializer can write: {@code Map<String, Object>},
 * {@code List<Object>}, {@code String}, {@code Long} (or {@code BigInteger}), {@code Double},
 * {@code Boolean}, {@code null}, and {@code byte[]} for binary.
 *
 * <pre>{@code
 * byte[] wire = serializer.write(packet.data().toPlain());       // on the sending server
 * Payload data = Payload.ofPlain(serializer.readList(wire));      // on the receiving one
 * }</pre>
 */
public interface Payload {
  /** The values as plain Java values (see above), in order. Never null. */
  List<Object> toPlain();

  /**
   * A payload of plain values, for example from another server. The list is copied; it may hold
   * nulls.
   */
  static Payload ofPlain(List<?> values) {
    return new PlainPayload(values);
  }
}
