package dev.parley;

/**
 * Sees every event a socket receives before its handlers do, and may let it through or reject it.
 * A rejection skips the handlers and is reported to the socket's error listeners
 * ({@link Socket#onError}).
 *
 * <pre>{@code
 * socket.use((event, args, next) -> {
 *   if (!allowed(socket, event)) next.reject(new SocketIoException("not allowed: " + event));
 *   else next.proceed();
 * });
 * }</pre>
 */
@FunctionalInterface
public interface PacketMiddleware {
  /**
   * Decides about one incoming event; call {@code next} once, now or later (from any thread: what
   * follows goes back to the connection's lane). An exception goes to the error handler and stops
   * the event.
   *
   * @param event the event name
   * @param args its arguments
   * @param next how to go on
   */
  void handle(String event, Args args, Next next);

  /** How a packet middleware hands on; only the first call counts. */
  interface Next {
    /** Lets the event through: to the next middleware, or to the handlers after the last. */
    void proceed();

    /** Stops the event: its handlers do not run, and {@code error} reaches the socket's error listeners. */
    void reject(Exception error);
  }
}
