package dev.parley;

/**
 * A socket went past a configured limit: it sent more events per second than
 * {@code SocketIoServer.Builder.maxEventsPerSecond} allows (the event is dropped and this reaches the
 * socket's {@link Socket#onError} listeners), or it tried to join more rooms than
 * {@code maxRoomsPerSocket} (thrown by {@link Socket#join}).
 *
 * <pre>{@code
 * socket.onError(error -> {
 *   if (error instanceof LimitExceededException) socket.emit("slow_down", error.getMessage());
 * });
 * }</pre>
 */
public final class LimitExceededException extends SocketIoException {
  /** @param message which limit, and by how much */
  public LimitExceededException(String message) {
    super(message);
  }
}
