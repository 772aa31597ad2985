package dev.parley;

/**
 * Receives exceptions thrown by user code (event handlers, listeners, middleware) with the socket and
 * event they came from. The connection stays up. The default logs at ERROR.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .errorHandler((socket, event, error) -> metrics.handlerFailed(event))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface ErrorHandler {
  /**
   * @param socket the socket whose code threw (null when none)
   * @param event the event name, or a description such as {@code "connection"}
   */
  void onError(Socket socket, String event, Throwable error);
}
