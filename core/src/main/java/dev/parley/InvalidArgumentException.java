package dev.parley;

/**
 * An argument a client sent does not convert to the type a handler asked for
 * ({@link Args#get(int, Class)}, or the typed {@link Socket#on(String, Class, TypedEventHandler)}).
 * It is the client's mistake, not the server's: when it escapes an event handler, the client's
 * acknowledgement (if it asked for one and was not answered) gets
 * {@code {"error":"invalid argument","argument":i,"message":"argument i is not a Type"}}, and the
 * default {@link ErrorHandler} logs it at DEBUG only, without a stack trace.
 *
 * <pre>{@code
 * socket.on("move", Move.class, (move, ack) -> ack.send("ok"));
 * // client: socket.emitWithAck("move", "not an object") resolves to
 * //   {error: "invalid argument", argument: 0, message: "argument 0 is not a Move"}
 * }</pre>
 */
public class InvalidArgumentException extends SocketIoException {
  private final int index;
  private final Class<?> type;

  /**
   * @param index the argument's position (0 is the first after the event name)
   * @param type the type it was to be converted to
   * @param detail what the converter said, for the server's log only
   * @param cause the converter's exception
   */
  public InvalidArgumentException(int index, Class<?> type, String detail, Throwable cause) {
    super("argument " + index + " is not a " + type.getSimpleName() + (detail == null ? "" : ": " + detail), cause);
    this.index = index;
    this.type = type;
  }

  /** The argument's position (0 is the first after the event name). */
  public int index() {
    return index;
  }

  /** The type the argument was to be converted to. */
  public Class<?> type() {
    return type;
  }

  /** What the client is told: which argument, and the simple name of the type; no converter details. */
  public String clientMessage() {
    return "argument " + index + " is not a " + type.getSimpleName();
  }
}
