package dev.parley;

/**
 * Receives events other servers of the cluster sent with {@code serverSideEmit}. {@code ack} answers
 * a {@code serverSideEmitWithAck} (first call only; {@link Ack#NONE} when the sender expects none).
 *
 * <pre>{@code
 * io.sockets().onServerSideEmit((event, args, ack) -> {
 *   if (event.equals("ping")) ack.send("pong from " + nodeName);
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ServerSideListener {
  /**
   * Receives one event from another server, on a pool thread. An exception goes to the error
   * handler (with no socket).
   *
   * @param event the event name
   * @param args its arguments
   * @param ack answers a {@code serverSideEmitWithAck} (first call only)
   */
  void onEvent(String event, Args args, Ack ack) throws Exception;
}
