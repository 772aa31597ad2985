package dev.parley.adapter;

/**
 * The modifiers of a broadcast: {@code local} (this node only), {@code volatile} (may be dropped for
 * a client that is not ready: here {@code droppable}), {@code compress}, and an ack timeout in
 * milliseconds (0 for none).
 *
 * <pre>{@code
 * BroadcastFlags flags = BroadcastFlags.NONE.withLocal(true).withTimeoutMillis(5000);
 * }</pre>
 */
public record BroadcastFlags(boolean local, boolean droppable, boolean compress, long timeoutMillis) {
  /** No flag: not local, not droppable, compressed, no ack timeout. */
  public static final BroadcastFlags NONE = new BroadcastFlags(false, false, true, 0);

  /** These flags with {@code local} set to {@code v}: this node only. */
  public BroadcastFlags withLocal(boolean v) {
    return new BroadcastFlags(v, droppable, compress, timeoutMillis);
  }

  /** These flags with {@code droppable} ({@code volatile}) set to {@code v}. */
  public BroadcastFlags withDroppable(boolean v) {
    return new BroadcastFlags(local, v, compress, timeoutMillis);
  }

  /** These flags with {@code compress} set to {@code v}. */
  public BroadcastFlags withCompress(boolean v) {
    return new BroadcastFlags(local, droppable, v, timeoutMillis);
  }

  /** These flags with an ack timeout of {@code v} milliseconds (0 for none). */
  public BroadcastFlags withTimeoutMillis(long v) {
    return new BroadcastFlags(local, droppable, compress, v);
  }
}
