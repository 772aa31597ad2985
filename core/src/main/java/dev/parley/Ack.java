package dev.parley;

/**
 * Answers an event the client sent with an acknowledgement callback. Only the first call is sent;
 * later calls are ignored. May be called from any thread, at any time.
 *
 * <pre>{@code
 * socket.on("save", (args, ack) -> {
 *   store(args.get(0));
 *   ack.send(Map.of("status", "ok"));
 * });
 * }</pre>
 */
@FunctionalInterface
public interface Ack {
  /** An ack for events that did not ask for one: calls do nothing. */
  Ack NONE = args -> {};

  /** Sends the acknowledgement with these arguments (records, maps, JsonNode, byte[], ...). */
  void send(Object... args);
}
