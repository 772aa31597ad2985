package dev.parley;

/**
 * Receives the client's answer to an event the server emitted, or the error that stopped it: an
 * {@link AckTimeoutException} or a {@link SocketDisconnectedException}. Called exactly once.
 *
 * <pre>{@code
 * socket.timeout(Duration.ofSeconds(5)).emitWithAck("question", (error, answer) -> {
 *   if (error != null) log.warn("no answer", error); else log.info("answer {}", answer.get(0));
 * }, "are you there?");
 * }</pre>
 */
@FunctionalInterface
public interface AckCallback {
  /**
   * Called once: with the client's answer, or with the error that means there will be none.
   *
   * @param error null when the client answered; else an {@link AckTimeoutException} or a
   *     {@link SocketDisconnectedException}
   * @param response the client's answer, or null when {@code error} is set
   */
  void onAck(Throwable error, Args response);
}
