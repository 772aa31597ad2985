package dev.parley;

/**
 * Receives exceptions thrown by user code (event handlers, listeners, middleware) with the socket and
 * event they came from; {@code Error}s too, such as a {@code StackOverflowError} from encoding a value
 * that contains itself. The connection stays up. When an event handler fails without having answered
 * the event's acknowledgement, the client's acknowledgement is answered with one argument,
 * {@code {"error":"internal server error"}}; the exception stays on the server.
 *
 * <p>The default logs at ERROR, rate-limited so that a client cannot flood the log: the first failure
 * of each handler and exception type with its stack trace, then one line with the count per
 * {@code errorLogInterval} (10 s by default). A handler set with
 * {@link SocketIoServer.Builder#errorHandler} replaces that logging and sees every failure.
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
