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

  /**
   * Whether these options target a socket that is in {@code socketRooms} (its own id room included):
   * it is in one of {@link #rooms} (or they name none) and in none of {@link #except}. For connection
   * state recovery, which matches a disconnected socket's rooms against the broadcasts it missed.
   *
   * <pre>{@code
   * new BroadcastOptions(Set.of("red"), Set.of("muted"), BroadcastFlags.NONE)
   *     .targets(Set.of("s1", "red"));            // true
   * }</pre>
   */
  public boolean targets(Set<String> socketRooms) {
    boolean included = rooms.isEmpty();
    for (String room : socketRooms) {
      if (except.contains(room)) {
        return false;
      }
      if (!included && rooms.contains(room)) {
        included = true;
      }
    }
    return included;
  }
}
