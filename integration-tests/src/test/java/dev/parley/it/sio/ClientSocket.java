package dev.parley.it.sio;

import dev.parley.it.EventLog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client socket (one namespace) of either official client, with the same commands and the same
 * recorded {@link ClientEvent}s for both. Commands return at once; the waits ({@code await...}) block
 * until the client reports what is awaited, or fail after {@link EventLog#TIMEOUT} with the socket's
 * whole history. Arguments are Java values as for {@link SioJson#tree}: records, maps, lists,
 * primitives, strings, null, JsonNode; byte[] and ByteBuffer become binary at any depth.
 *
 * <pre>{@code
 * ClientSocket c = clients.connect(ClientKind.NODE, TransportMode.POLLING, "/chat");
 * c.autoAck(AutoAck.echo());                       // answer every server emitWithAck with its args
 * c.emit("hello", "world", Map.of("n", 1));
 * List<JsonNode> answer = c.emitWithAck("save", "doc").await();
 * assertThat(c.awaitEvent("news").arg(0).asText()).isEqualTo("...");
 * c.disconnect();
 * assertThat(c.awaitDisconnect()).isEqualTo("io client disconnect");
 * }</pre>
 */
abstract class ClientSocket {
  private final String name;
  private final ClientKind kind;
  private final TransportMode mode;
  private final String namespace;
  private final EventLog<ClientEvent> events;
  private final AtomicInteger ackIds = new AtomicInteger();

  ClientSocket(String name, ClientKind kind, TransportMode mode, String namespace) {
    this.name = name;
    this.kind = kind;
    this.mode = mode;
    this.namespace = namespace;
    this.events = new EventLog<>(kind + " socket " + name + " " + mode + " " + namespace);
  }

  /** The name the driver knows this socket by (unique within one {@link SioClients}). */
  String name() {
    return name;
  }

  ClientKind kind() {
    return kind;
  }

  TransportMode mode() {
    return mode;
  }

  String namespace() {
    return namespace;
  }

  /** Everything this socket saw, in order. */
  EventLog<ClientEvent> events() {
    return events;
  }

  // ------------------------------------------------------------------ commands

  /** {@code socket.emit(event, ...args)}. */
  abstract void emit(String event, Object... args);

  /** {@code socket.emit(event, ...args, callback)}: the answer is reported as an {@code ack} event. */
  PendingAck emitWithAck(String event, Object... args) {
    return emitWithAck(null, event, args);
  }

  /**
   * With a client-side timeout ({@code socket.timeout(ms)} / {@code AckWithTimeout}) when
   * {@code timeout} is not null: an {@code ackError} event reports the timeout or a disconnect.
   */
  PendingAck emitWithAck(Duration timeout, String event, Object... args) {
    String ackId = "a" + ackIds.incrementAndGet();
    sendWithAck(ackId, timeout, event, SioJson.array(args));
    return new PendingAck(this, ackId);
  }

  abstract void sendWithAck(String ackId, Duration timeout, String event, ArrayNode args);

  /** How to answer incoming events with an ack named {@code event} ({@code "*"}: all others). */
  abstract void autoAck(String event, AutoAck how);

  /** How to answer every incoming event with an ack. */
  void autoAck(AutoAck how) {
    autoAck("*", how);
  }

  /** Answers the incoming event reported with {@code callId} (see {@link ClientEvent#callId()}). */
  abstract void answer(long callId, Object... args);

  /** {@code socket.disconnect()}: this namespace only. */
  abstract void disconnect();

  /** {@code socket.connect()} again, after a disconnect. */
  abstract void open();

  /** Closes the whole underlying connection (every namespace on it), as if the transport went away. */
  abstract void closeConnection();

  /**
   * Another namespace over this socket's connection ({@code manager.socket(nsp, {auth})}); it starts
   * connecting at once.
   *
   * @param auth the CONNECT payload, or null for none (strings only: the Java client's limit)
   */
  abstract ClientSocket socket(String namespace, Map<String, String> auth);

  // ------------------------------------------------------------------ waits

  /** The first {@code connect}; fails if {@code connect_error} comes first. */
  ClientEvent awaitConnect() {
    ClientEvent e = events.awaitFirst(x -> x.is("connect") || x.is("connect_error"), "connect");
    if (!e.is("connect")) {
      throw new AssertionError(name + " could not connect: " + e + "\n" + events.describe());
    }
    return e;
  }

  /** The {@code n}-th {@code connect} (1-based), e.g. 2 after a reconnect with {@link #open()}. */
  ClientEvent awaitConnect(int n) {
    return events.awaitCount(x -> x.is("connect"), n, "connect").get(n - 1);
  }

  /** The first {@code connect_error}; fails if {@code connect} comes first. */
  ClientEvent awaitConnectError() {
    ClientEvent e = events.awaitFirst(x -> x.is("connect") || x.is("connect_error"), "connect_error");
    if (!e.is("connect_error")) {
      throw new AssertionError(name + " connected instead of failing: " + e + "\n" + events.describe());
    }
    return e;
  }

  /** The reason of the first {@code disconnect}. */
  String awaitDisconnect() {
    return events.awaitFirst(x -> x.is("disconnect"), "disconnect").field("reason");
  }

  /** The first incoming event named {@code event}. */
  ClientEvent awaitEvent(String event) {
    return events.awaitFirst(x -> x.isEvent(event), "event '" + event + "'");
  }

  /** The first {@code n} incoming events named {@code event}. */
  List<ClientEvent> awaitEvents(String event, int n) {
    return events.awaitCount(x -> x.isEvent(event), n, "event '" + event + "'");
  }

  /** The incoming events named {@code event} so far (no waiting). */
  List<ClientEvent> received(String event) {
    return events.matching(x -> x.isEvent(event));
  }

  /** The first {@code n} incoming events of any name, in arrival order. */
  List<ClientEvent> awaitAnyEvents(int n) {
    return events.awaitCount(x -> x.is("event"), n, "events");
  }

  ClientEvent awaitUpgrade() {
    return events.awaitFirst(x -> x.is("upgrade"), "upgrade");
  }

  /** The socket id from the latest {@code connect} (null before). */
  String id() {
    List<ClientEvent> connects = events.matching(x -> x.is("connect"));
    return connects.isEmpty() ? null : connects.get(connects.size() - 1).field("id");
  }

  @Override
  public String toString() {
    return kind + " " + name + " " + mode + " " + namespace;
  }
}
