package dev.parley;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import java.util.Map;
import java.util.Set;

/**
 * A handle on a socket returned by {@code fetchSockets()}, possibly on another node: its id,
 * handshake, rooms and data as they were when fetched, and operations that reach the live socket
 * wherever it is.
 *
 * <pre>{@code
 * io.in("room1").fetchSockets().thenAccept(sockets -> {
 *   for (RemoteSocket s : sockets) {
 *     s.emit("hello");
 *     s.join("room2");
 *   }
 * });
 * }</pre>
 */
public final class RemoteSocket {
  private final Namespace nsp;
  private final AdapterContext.SocketDetails details;
  private final Socket local;

  RemoteSocket(Namespace nsp, AdapterContext.SocketDetails details, Socket local) {
    this.nsp = nsp;
    this.details = details;
    this.local = local;
  }

  /** The socket id. */
  public String id() {
    return details.id();
  }

  /**
   * The handshake as the reference's {@code socket.handshake} object, as {@link Handshake#toNodeObject()}
   * gives it (headers, time, address, xdomain, secure, issued, url, query, auth), from whichever node holds
   * the socket.
   */
  public Map<String, Object> handshake() {
    return details.handshake();
  }

  /** The rooms when fetched. */
  public Set<String> rooms() {
    return details.rooms();
  }

  /** The socket's data when fetched. */
  public Map<String, Object> data() {
    return details.data();
  }

  /** True when the socket lives on this node. */
  public boolean isLocal() {
    return local != null;
  }

  /** Sends an event to this socket. */
  public void emit(String event, Object... args) {
    if (local != null) {
      local.emit(event, args);
    } else {
      nsp.to(id()).emit(event, args);
    }
  }

  /** Makes this socket join rooms. */
  public void join(String... rooms) {
    nsp.adapter().addSockets(only(), Set.copyOf(java.util.Arrays.asList(rooms)));
  }

  /** Makes this socket leave rooms. */
  public void leave(String... rooms) {
    nsp.adapter().delSockets(only(), Set.copyOf(java.util.Arrays.asList(rooms)));
  }

  /** Disconnects this socket (its whole connection with {@code close}). */
  public void disconnect(boolean close) {
    nsp.adapter().disconnectSockets(only(), close);
  }

  private BroadcastOptions only() {
    return new BroadcastOptions(Set.of(id()), Set.of(), BroadcastFlags.NONE);
  }

  @Override
  public String toString() {
    return "RemoteSocket{" + id() + (local != null ? ", local" : "") + "}";
  }
}
