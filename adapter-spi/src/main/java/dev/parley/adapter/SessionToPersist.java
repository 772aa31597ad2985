package dev.parley.adapter;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a socket leaves behind when it disconnects for a recoverable reason (connection state
 * recovery): its id, its private session id {@code pid}, its rooms (its own id room included) and its
 * data. {@code data} holds the values as the socket had them; an adapter that stores sessions outside
 * the process converts them with {@link AdapterContext#toPlain}. socket.io-adapter's
 * {@code SessionToPersist}.
 *
 * <pre>{@code
 * adapter.persistSession(new SessionToPersist(sid, pid, Set.of(sid, "room1"), Map.of("user", "ann")));
 * }</pre>
 */
public record SessionToPersist(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
  public SessionToPersist {
    Objects.requireNonNull(sid, "sid == null");
    Objects.requireNonNull(pid, "pid == null");
    rooms = Set.copyOf(Objects.requireNonNull(rooms, "rooms == null"));
    data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(data, "data == null")));
  }
}
