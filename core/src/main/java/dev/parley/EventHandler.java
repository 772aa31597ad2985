package dev.parley;

/**
 * Handles one event with its raw JSON arguments and its ack ({@link Ack#NONE} when the client asked
 * for none). Runs on the socket's connection's executor: events of one client are handled in order.
 *
 * <pre>{@code
 * socket.on("chat message", (args, ack) -> io.emit("chat message", args.get(0)));
 * }</pre>
 */
@FunctionalInterface
public interface EventHandler {
  /**
   * Handles one event. An exception goes to the error handler with the socket and event, and the
   * client's ack, if it asked for one and was not answered, gets {@code {"error":"internal server error"}}.
   *
   * @param args the event's arguments
   * @param ack its acknowledgement ({@link Ack#NONE} when the client asked for none)
   */
  void handle(Args args, Ack ack) throws Exception;
}
