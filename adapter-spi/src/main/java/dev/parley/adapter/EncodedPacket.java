package dev.parley.adapter;

/**
 * A packet encoded once by {@link AdapterContext#encode}, for every recipient of a broadcast: the
 * adapter hands the same value to {@link AdapterContext#deliver} for each of them and never looks
 * inside. Only the context that encoded it can deliver it.
 *
 * <pre>{@code
 * EncodedPacket encoded = context.encode(packet);   // once
 * for (String id : recipients) {
 *   context.deliver(id, encoded, options.flags());  // the same bytes to each
 * }
 * }</pre>
 */
public interface EncodedPacket {
  /**
   * The connection state recovery offset the packet was encoded with ({@link Packet#offset}), or
   * null when it has none. A restoring socket uses it to skip a live delivery it has already been
   * replayed.
   */
  String offset();
}
