package dev.parley;

/**
 * A pending acknowledgement failed because the socket disconnected before answering.
 *
 * <pre>{@code
 * socket.emitWithAck("question").whenComplete((answer, error) -> {
 *   if (error instanceof SocketDisconnectedException) log.info("gone before answering");
 * });
 * }</pre>
 */
public final class SocketDisconnectedException extends SocketIoException {
  /** @param message what could not complete */
  public SocketDisconnectedException(String message) {
    super(message);
  }
}
