package dev.parley.adapter;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A session found by {@link Adapter#restoreSession}: the socket's id, private id, rooms and data as
 * persisted, and the event packets the socket missed after the client's offset, oldest first. Each
 * missed packet already carries its own offset as its last argument.
 *
 * <pre>{@code
 * adapter.restoreSession(pid, offset).thenAccept(found -> found.ifPresent(s ->
 *     log.info("{} missed {} packets", s.sid(), s.missedPackets().size())));
 * }</pre>
 */
public record RestoredSession(String sid, String pid, Set<String> rooms, Map<String, Object> data,
    List<Packet> missedPackets) {
  public RestoredSession {
    Objects.requireNonNull(sid, "sid == null");
    Objects.requireNonNull(pid, "pid == null");
    rooms = Set.copyOf(Objects.requireNonNull(rooms, "rooms == null"));
    data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(data, "data == null")));
    missedPackets = List.copyOf(Objects.requireNonNull(missedPackets, "missedPackets == null"));
  }
}
