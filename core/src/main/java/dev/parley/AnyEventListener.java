package dev.parley;

/**
 * Sees every event of a socket (incoming for {@link Socket#onAny}, outgoing for
 * {@link Socket#onAnyOutgoing}), with its name and arguments.
 *
 * <pre>{@code
 * socket.onAny((event, args) -> log.debug("{} <- {} {}", socket.id(), event, args));
 * }</pre>
 */
@FunctionalInterface
public interface AnyEventListener {
  void onEvent(String event, Args args) throws Exception;
}
