package dev.parley.adapter.redis;

import java.util.List;

/**
 * A cluster request did not get an answer from every server in time. The message is the one
 * {@code @socket.io/redis-adapter} uses; {@link #responses} holds the answers that did arrive (only
 * serverSideEmitWithAck keeps them, as in Node).
 */
public final class RequestTimeoutException extends RuntimeException {
  private final transient List<Object> responses;

  public RequestTimeoutException(String message, List<Object> responses) {
    super(message);
    this.responses = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(responses));
  }

  /** The answers received before the timeout (may contain nulls). */
  public List<Object> responses() {
    return responses;
  }
}
