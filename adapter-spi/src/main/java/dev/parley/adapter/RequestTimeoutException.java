package dev.parley.adapter;

import java.util.List;

/**
 * A cluster request (fetchSockets, allRooms, serverSideEmitWithAck) did not get an answer from every
 * server in time. Cluster adapters fail their futures with it, whatever their backend; the message
 * follows {@code @socket.io/redis-adapter}, and {@link #responses} holds the plain answers that did
 * arrive (serverSideEmitWithAck keeps them, as in Node).
 *
 * <pre>{@code
 * adapter.fetchSockets(options).exceptionally(e -> {
 *   if (e instanceof RequestTimeoutException) log.warn("a node did not answer: {}", e.getMessage());
 *   return List.of();
 * });
 * }</pre>
 */
public final class RequestTimeoutException extends RuntimeException {
  private final transient List<Object> responses;

  /** A timeout with {@code message}, holding the plain {@code responses} that did arrive (copied). */
  public RequestTimeoutException(String message, List<Object> responses) {
    super(message);
    this.responses = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(responses));
  }

  /** The answers received before the timeout (may contain nulls). */
  public List<Object> responses() {
    return responses;
  }
}
