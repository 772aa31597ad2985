package dev.parley;

/**
 * Runs before a socket joins its namespace, in the order registered; each calls
 * {@link Next#proceed()} to go on or {@link Next#fail(ConnectError)} to refuse. It may finish later,
 * from any thread (after an asynchronous lookup, say).
 *
 * <pre>{@code
 * io.of("/admin").use((socket, next) -> {
 *   if (isAdmin(socket.handshake())) next.proceed();
 *   else next.fail(new ConnectError("forbidden", Map.of("code", 403)));
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ConnectMiddleware {
  /**
   * Decides about one connecting socket; call {@code next} once, now or later. Runs on the
   * connection's lane (the previous middleware's {@code proceed()} thread when that was another).
   * Throwing refuses the connection: a {@link ConnectError} with its message and data, any other
   * exception with its message (and it goes to the error handler).
   *
   * @param socket the socket connecting: its handshake, its data; rooms it joins are joined on connect
   * @param next how to go on
   */
  void handle(Socket socket, Next next);

  /** How a middleware hands on; only the first call counts. */
  interface Next {
    /** Passes the socket to the next middleware, or connects it after the last. */
    void proceed();

    /** Refuses the connection; the client's {@code connect_error} carries message and data. */
    void fail(ConnectError error);
  }
}
