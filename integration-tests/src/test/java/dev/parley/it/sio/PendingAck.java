package dev.parley.it.sio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The answer to a client's emitWithAck, reported later as an {@code ack} or {@code ackError} event. */
final class PendingAck {
  private final ClientSocket socket;
  private final String ackId;

  PendingAck(ClientSocket socket, String ackId) {
    this.socket = socket;
    this.ackId = ackId;
  }

  String id() {
    return ackId;
  }

  /** The ack or ackError event, whichever comes. */
  ClientEvent awaitOutcome() {
    return socket.events().awaitFirst(
        e -> (e.is("ack") || e.is("ackError")) && ackId.equals(e.field("ackId")), "answer to ack " + ackId);
  }

  /** The server's answer (every argument); fails if the client reported an error instead. */
  List<JsonNode> await() {
    ClientEvent e = awaitOutcome();
    if (!e.is("ack")) {
      throw new AssertionError("ack " + ackId + " failed: " + e + "\n" + socket.events().describe());
    }
    return e.args();
  }

  /** The client's error message (e.g. "operation has timed out"); fails if an answer came. */
  String awaitError() {
    ClientEvent e = awaitOutcome();
    if (!e.is("ackError")) {
      throw new AssertionError("ack " + ackId + " was answered: " + e + "\n" + socket.events().describe());
    }
    return e.field("message");
  }

  /** True once an answer or error has been reported (no waiting). */
  boolean done() {
    return !socket.events().matching(
        e -> (e.is("ack") || e.is("ackError")) && ackId.equals(e.field("ackId"))).isEmpty();
  }
}
