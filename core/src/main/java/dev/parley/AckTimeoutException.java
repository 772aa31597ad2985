package dev.parley;

import java.util.List;

/**
 * An acknowledgement did not arrive in time. For a broadcast, {@link #partialResponses()} holds the
 * answers that did arrive.
 *
 * <pre>{@code
 * socket.timeout(Duration.ofSeconds(2)).emitWithAck("question", "?")
 *     .whenComplete((answer, error) -> {
 *       if (error instanceof AckTimeoutException) log.info("no answer in time");
 *     });
 * }</pre>
 */
public final class AckTimeoutException extends SocketIoException {
  private final transient List<Args> partialResponses;

  /**
   * @param message what timed out
   * @param partialResponses the answers that did arrive (copied)
   */
  public AckTimeoutException(String message, List<Args> partialResponses) {
    super(message);
    this.partialResponses = List.copyOf(partialResponses);
  }

  /** Answers received before the timeout (broadcasts only; empty otherwise). */
  public List<Args> partialResponses() {
    return partialResponses;
  }
}
