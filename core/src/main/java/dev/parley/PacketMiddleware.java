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
  void handle(String event, Args args, Next next);

  /** How a packet middleware hands on; only the first call counts. */
  interface Next {
    void proceed();

    void reject(Exception error);
  }
}
