package dev.parley.it.sio;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * How a client socket answers incoming events that ask for an ack: {@link #never()} (the default;
 * answer later with {@link ClientSocket#answer}), {@link #echo()} the event's own args back, or
 * {@link #reply(Object...)} fixed values.
 */
record AutoAck(String mode, ArrayNode args) {
  static AutoAck never() {
    return new AutoAck("never", SioJson.array());
  }

  static AutoAck echo() {
    return new AutoAck("echo", SioJson.array());
  }

  /** Values as for {@link SioJson#tree}; byte[] and ByteBuffer are sent as binary. */
  static AutoAck reply(Object... values) {
    return new AutoAck("reply", SioJson.array(values));
  }
}
