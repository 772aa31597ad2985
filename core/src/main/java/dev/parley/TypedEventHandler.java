package dev.parley;

/**
 * Handles one event whose first argument is converted to {@code T} with Jackson.
 *
 * <pre>{@code
 * record ChatMessage(String room, String text) {}
 * socket.on("chat message", ChatMessage.class, (msg, ack) -> io.to(msg.room()).emit("chat message", msg));
 * }</pre>
 */
@FunctionalInterface
public interface TypedEventHandler<T> {
  /**
   * Handles one event (see {@link EventHandler#handle}).
   *
   * @param value the first argument, converted (null when the client sent none)
   * @param ack the event's acknowledgement ({@link Ack#NONE} when the client asked for none)
   */
  void handle(T value, Ack ack) throws Exception;
}
