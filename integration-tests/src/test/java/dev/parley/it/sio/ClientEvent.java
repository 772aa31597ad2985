package dev.parley.it.sio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One thing a client socket saw, in the same shape for both clients (the Node driver's JSON lines;
 * {@link JavaClient} builds the same objects), with binary as {@code BinaryNode} wherever it was:
 *
 * <pre>
 * connect        id, engineId, transport, recovered
 * connect_error  message, data, hasData (Java client also: raw = the JSONObject it got, rawClass)
 * disconnect     reason, description
 * event          event, args, hasAck, callId (when hasAck)
 * answered       event, callId, args            (an ack this client sent)
 * ack            ackId, args                    (the server answered emitWithAck)
 * ackError       ackId, message                 ("operation has timed out", ...)
 * upgrade        transport
 * error          message                        (the driver could not run a command)
 * </pre>
 */
record ClientEvent(String type, String socket, JsonNode json) {
  boolean is(String type) {
    return this.type.equals(type);
  }

  /** An incoming event named {@code event}. */
  boolean isEvent(String event) {
    return type.equals("event") && event.equals(field("event"));
  }

  /** A field as text, or null when absent or null. */
  String field(String name) {
    JsonNode v = json.get(name);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** A field as a tree (MissingNode when absent). */
  JsonNode node(String name) {
    return json.path(name);
  }

  /** The args of an event, ack or answer, as a list of trees. */
  List<JsonNode> args() {
    List<JsonNode> list = new ArrayList<>();
    json.path("args").forEach(list::add);
    return list;
  }

  JsonNode arg(int i) {
    return json.path("args").path(i);
  }

  boolean hasAck() {
    return json.path("hasAck").asBoolean(false);
  }

  long callId() {
    JsonNode id = json.get("callId");
    if (id == null || !id.canConvertToLong()) {
      throw new AssertionError("event has no callId (no ack was asked for): " + this);
    }
    return id.asLong();
  }

  @Override
  public String toString() {
    String s = type + " " + socket + " " + json;
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }
}
