package dev.parley.adapter;

import java.util.Objects;
import java.util.Set;

/**
 * Who a broadcast or cluster operation targets, and how: the rooms to include (empty means every
 * socket of the namespace), the rooms to exclude, and the flags. Immutable; socket.io-adapter's
 * {@code BroadcastOptions}.
 *
 * <pre>{@code
 * BroadcastOptions opts = new BroadcastOptions(Set.of("room1"), Set.of("banned"), BroadcastFlags.NONE);
 * }</pre>
 */
public record BroadcastOptions(Set<String> rooms, Set<String> except, BroadcastFlags flags) {
  /** Every socket of the namespace, no flags. */
  public static final BroadcastOptions ALL = new BroadcastOptions(Set.of(), Set.of(), BroadcastFlags.NONE);

  public BroadcastOptions {
    rooms = Set.copyOf(Objects.requireNonNull(rooms, "rooms == null"));
    except = Set.copyOf(Objects.requireNonNull(except, "except == null"));
    Objects.requireNonNull(flags, "flags == null");
  }
}
