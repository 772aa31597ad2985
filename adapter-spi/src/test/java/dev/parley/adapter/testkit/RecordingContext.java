package dev.parley.adapter.testkit;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RoomEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An {@link AdapterContext} for adapter tests: a namespace whose "sockets" are just ids, recording
 * every delivery, disconnect, room event and server-side event. Packet data and acks are plain values
 * already, so {@code toPlain}/{@code fromPlain} are the identity. Thread-safe.
 *
 * <pre>{@code
 * RecordingContext ctx = new RecordingContext("/");
 * Adapter adapter = new InMemoryAdapter(ctx);
 * ctx.connect("s1");
 * adapter.addAll("s1", Set.of("s1", "room"));
 * adapter.broadcast(new Packet(2, "/", List.of("hello"), -1), BroadcastOptions.ALL);
 * ctx.deliveries("s1"); // [[hello]]
 * }</pre>
 */
public class RecordingContext implements AdapterContext {
  /** An encoded packet: here, just the packet. */
  public record Encoded(Packet packet) {}

  private final String namespace;
  private final Set<String> connected = ConcurrentHashMap.newKeySet();
  private final Map<String, List<Object>> deliveries = new ConcurrentHashMap<>();
  private final Map<String, Consumer<Object>> pendingAcks = new ConcurrentHashMap<>();
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final List<RoomEvent> roomEvents = new CopyOnWriteArrayList<>();
  private final List<List<Object>> serverSideEvents = new CopyOnWriteArrayList<>();
  private volatile Object serverSideAnswer;
  private long ackIds;

  public RecordingContext(String namespace) {
    this.namespace = namespace;
  }

  /** Makes a socket id known (deliveries to unknown ids are ignored, as in core). */
  public void connect(String socketId) {
    connected.add(socketId);
  }

  /** The data of every packet delivered to a socket, in order. */
  public List<Object> deliveries(String socketId) {
    return Collections.unmodifiableList(deliveries.getOrDefault(socketId, List.of()));
  }

  /** Ids disconnected through the context, as {@code id} or {@code id+close}. */
  public List<String> disconnects() {
    return disconnects;
  }

  public List<RoomEvent> roomEvents() {
    return roomEvents;
  }

  /** Server-side events received from other nodes. */
  public List<List<Object>> serverSideEvents() {
    return serverSideEvents;
  }

  /** What this node's listeners answer to a server-side event with an ack (null: no answer). */
  public void answerServerSideEvents(Object answer) {
    this.serverSideAnswer = answer;
  }

  /** Simulates socket {@code socketId} answering the ack it was sent with {@code arguments}. */
  public boolean answerAck(String socketId, List<Object> arguments) {
    Consumer<Object> c = pendingAcks.remove(socketId);
    if (c == null) {
      return false;
    }
    c.accept(arguments);
    return true;
  }

  @Override
  public String namespace() {
    return namespace;
  }

  @Override
  public Object encode(Packet packet) {
    return new Encoded(packet);
  }

  @Override
  public void deliver(String socketId, Object encoded, BroadcastFlags flags) {
    if (connected.contains(socketId)) {
      deliveries.computeIfAbsent(socketId, k -> new CopyOnWriteArrayList<>()).add(((Encoded) encoded).packet().data());
    }
  }

  @Override
  public void deliverWithAck(String socketId, Object encoded, long ackId, Consumer<Object> onAck) {
    if (connected.contains(socketId)) {
      deliver(socketId, encoded, BroadcastFlags.NONE);
      pendingAcks.put(socketId, onAck);
    }
  }

  @Override
  public Optional<SocketDetails> socketDetails(String socketId) {
    if (!connected.contains(socketId)) {
      return Optional.empty();
    }
    return Optional.of(new SocketDetails(socketId, Map.of("auth", Map.of()), Set.of(socketId), Map.of()));
  }

  @Override
  public void disconnect(String socketId, boolean close) {
    disconnects.add(close ? socketId + "+close" : socketId);
  }

  @Override
  public void roomEvent(RoomEvent event) {
    roomEvents.add(event);
  }

  @Override
  public Object toPlain(Object data) {
    return data;
  }

  @Override
  public Object fromPlain(Object plain) {
    return plain;
  }

  @Override
  public synchronized long nextAckId() {
    return ackIds++;
  }

  @Override
  public void dropAck(long ackId) {
    pendingAcks.clear(); // the recording context keeps one pending ack per socket
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<Object> ackArguments(Object ack) {
    return new ArrayList<>((List<Object>) ack);
  }

  @Override
  public Object ackFromArguments(List<Object> arguments) {
    return new ArrayList<>(arguments);
  }

  @Override
  public void serverSideEvent(List<Object> packet, Consumer<Object> reply) {
    serverSideEvents.add(packet);
    if (reply != null && serverSideAnswer != null) {
      reply.accept(serverSideAnswer);
    }
  }
}
