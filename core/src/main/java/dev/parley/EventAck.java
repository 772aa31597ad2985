package dev.parley;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.protocol.SioPacket;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The acknowledgement of one event a client sent with a callback: answered at most once. When the
 * event's handlers fail (throw) without having answered it, the client is not left waiting: it gets
 * one argument {@code {"error":"internal server error"}} (or {@code {"error":"invalid argument",...}}
 * when an argument it sent did not convert, see {@link InvalidArgumentException}), while the exception
 * itself goes to the {@link ErrorHandler} and stays on the server.
 */
final class EventAck implements Ack {
  /** The argument a client's acknowledgement gets when the handlers failed before answering. */
  static final String FAILED_MESSAGE = "internal server error";
  /** The error a client's acknowledgement gets when one of its arguments did not convert. */
  static final String INVALID_ARGUMENT = "invalid argument";

  private final Socket socket;
  private final Client client;
  private final Wire wire;
  private final long id;
  private final AtomicBoolean sent = new AtomicBoolean();

  EventAck(Socket socket, Client client, Wire wire, long id) {
    this.socket = socket;
    this.client = client;
    this.wire = wire;
    this.id = id;
  }

  @Override
  public void send(Object... args) {
    if (sent.get() || !socket.connected()) {
      return;
    }
    // encoded before it counts as sent: arguments that cannot be encoded (a self-referencing map
    // overflows the stack) throw to the handler, and the ack can still be answered with the failure
    List<EnginePacket> frames = wire.encode(SioPacket.ack(socket.namespace().name(), wire.argsArray(args), id));
    if (sent.compareAndSet(false, true)) {
      client.write(frames);
      socket.server().instruments().ackSent();
    }
  }

  /**
   * The handlers failed: unless already answered, answers with
   * {@code {"error":"invalid argument","argument":i,"message":...}} when an argument did not convert,
   * else with {@code {"error":"internal server error"}}.
   */
  void fail(Throwable cause) {
    if (sent.get() || !socket.connected()) {
      return;
    }
    ArrayNode args = JsonNodeFactory.instance.arrayNode(1);
    if (cause instanceof InvalidArgumentException) {
      InvalidArgumentException e = (InvalidArgumentException) cause;
      args.addObject().put("error", INVALID_ARGUMENT).put("argument", e.index()).put("message", e.clientMessage());
    } else {
      args.addObject().put("error", FAILED_MESSAGE);
    }
    List<EnginePacket> frames = wire.encode(SioPacket.ack(socket.namespace().name(), args, id));
    if (sent.compareAndSet(false, true)) {
      client.write(frames);
      socket.server().instruments().ackSent();
    }
  }
}
