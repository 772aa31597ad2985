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
  /**
   * Sees one event. Runs on the connection's lane for incoming events, on the emitting thread for
   * outgoing ones; an exception goes to the error handler.
   *
   * @param event the event name
   * @param args its arguments
   */
  void onEvent(String event, Args args) throws Exception;
}
