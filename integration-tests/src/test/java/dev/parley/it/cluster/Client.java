package dev.parley.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * One official client socket (Node socket.io-client or the Java client) on namespace "/" over
 * WebSocket, with auth {@code {name, room}}. It answers every event that asks for an ack with
 * {@code {from: name}}, and records what it received.
 */
abstract class Client {
  /** What the socket saw: connect (detail = id), disconnect (detail = reason) or event (name, args). */
  record Seen(String type, String detail, List<JsonNode> args) {}

  final String name;
  final String server;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  Client(String name, String server) {
    this.name = name;
    this.server = server;
  }

  abstract void emit(String event, Object... args);

  abstract void close();

  String id() {
    Wait.until(name + " connected", () -> first("connect", null) != null, this::history);
    return first("connect", null).detail();
  }

  List<Seen> received(String event) {
    return seen.stream().filter(s -> s.type.equals("event") && s.detail.equals(event)).collect(Collectors.toList());
  }

  /** The args of the first {@code event} received. */
  List<JsonNode> awaitEvent(String event) {
    Wait.until(name + " receives " + event, () -> !received(event).isEmpty(), this::history);
    return received(event).get(0).args();
  }

  String awaitDisconnect() {
    Wait.until(name + " disconnected", () -> first("disconnect", null) != null, this::history);
    return first("disconnect", null).detail();
  }

  boolean disconnected() {
    return first("disconnect", null) != null;
  }

  private Seen first(String type, String detail) {
    return seen.stream().filter(s -> s.type.equals(type) && (detail == null || detail.equals(s.detail))).findFirst()
        .orElse(null);
  }

  String history() {
    return "; " + name + " on " + server + " saw " + seen;
  }

  @Override
  public String toString() {
    return name + "@" + server;
  }
}
