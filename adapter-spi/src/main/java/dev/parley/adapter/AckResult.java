package dev.parley.adapter;

import java.util.Objects;

/**
 * What became of an ack a socket was asked for ({@link AdapterContext#deliverWithAck},
 * {@link Adapter#broadcastWithAck}): the client {@link Answered} with arguments, or the wait
 * {@link Failed} (the socket disconnected first).
 *
 * <pre>{@code
 * adapter.broadcastWithAck(packet, options, count -> expected.addAndGet(count), result -> {
 *   if (result instanceof AckResult.Answered answered) {
 *     answers.add(answered.arguments().toPlain());
 *   }
 * });
 * }</pre>
 */
public sealed interface AckResult {
  /** The client answered; {@code arguments} are the ack's arguments ({@code [...args]}). */
  record Answered(Payload arguments) implements AckResult {
    public Answered {
      Objects.requireNonNull(arguments, "arguments == null");
    }
  }

  /** No answer will come: {@code cause} says why (the socket disconnected). */
  record Failed(Throwable cause) implements AckResult {
    public Failed {
      Objects.requireNonNull(cause, "cause == null");
    }
  }
}
