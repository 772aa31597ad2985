package dev.parley.adapter.testkit;

import dev.parley.adapter.AckResult;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.EncodedPacket;
import dev.parley.adapter.Packet;
import dev.parley.adapter.PacketType;
import dev.parley.adapter.Payload;
import dev.parley.adapter.RoomEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An {@link AdapterContext} for adapter tests: a namespace whose "sockets" are just ids, recording
 * every delivery, disconnect, room event and server-side event. A socket's details list its own id
 * room and the rooms the adapter reported it joined. A delivery is recorded as the plain
 * data the client would get ({@code [event, ...args]}, with the offset appended when the packet has
 * one, as core sends it). Thread-safe.
 *
 * <pre>{@code
 * RecordingContext ctx = new RecordingContext("/");
 * Adapter adapter = new InMemoryAdapter(ctx);
 * ctx.connect("s1");
 * adapter.addAll("s1", Set.of("s1", "room"));
 * adapter.broadcast(ctx.event("hello"), BroadcastOptions.ALL);
 * ctx.deliveries("s1"); // [[hello]]
 * }</pre>
 */
public class RecordingContext implements AdapterContext {
  /**
   * An encoded packet: the packet, and the data the client would get, computed once per encoding (so
   * every recipient of one broadcast records the same list).
   */
  public record Encoded(Packet packet, List<Object> data) implements EncodedPacket {
    @Override
    public String offset() {
      return packet.offset();
    }
  }

  private final String namespace;
  private final Set<String> connected = ConcurrentHashMap.newKeySet();
  private final Map<String, List<Object>> deliveries = new ConcurrentHashMap<>();
  private final Map<String, Consumer<AckResult>> pendingAcks = new ConcurrentHashMap<>();
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final List<RoomEvent> roomEvents = new CopyOnWriteArrayList<>();
  /** socket id -> rooms, as the adapter's room events tell (core asks its sockets, which ask the adapter). */
  private final Map<String, Set<String>> joined = new ConcurrentHashMap<>();
  private final List<List<Object>> serverSideEvents = new CopyOnWriteArrayList<>();
  private volatile Object serverSideAnswer;
  private long ackIds;

  /** A context for namespace {@code namespace} with no socket yet. */
  public RecordingContext(String namespace) {
    this.namespace = namespace;
  }

  /** An event of this namespace without ack: {@code data} is {@code [event, ...args]}. */
  public Packet event(Object... data) {
    return Packet.event(namespace, Payload.ofPlain(Arrays.asList(data)));
  }

  /** An event of this namespace that carries ack id {@code ackId}. */
  public Packet eventWithAck(long ackId, Object... data) {
    return new Packet(PacketType.EVENT, namespace, Payload.ofPlain(Arrays.asList(data)), ackId);
  }

  /** An ack callback that adds the plain arguments of every answer to {@code answers} (failures are skipped). */
  public static Consumer<AckResult> answersInto(List<Object> answers) {
    return result -> {
      if (result instanceof AckResult.Answered a) {
        answers.add(a.arguments().toPlain());
      }
    };
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

  /** Every room event reported, in order. */
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
    Consumer<AckResult> c = pendingAcks.remove(socketId);
    if (c == null) {
      return false;
    }
    c.accept(new AckResult.Answered(Payload.ofPlain(arguments)));
    return true;
  }

  /** Simulates socket {@code socketId} disconnecting before it answered the ack it was sent. */
  public boolean failAck(String socketId) {
    Consumer<AckResult> c = pendingAcks.remove(socketId);
    if (c == null) {
      return false;
    }
    c.accept(new AckResult.Failed(new IllegalStateException("socket has been disconnected")));
    return true;
  }

  @Override
  public String namespace() {
    return namespace;
  }

  @Override
  public EncodedPacket encode(Packet packet) {
    List<Object> data = new ArrayList<>(packet.data().toPlain());
    if (packet.offset() != null) {
      data.add(packet.offset());
    }
    return new Encoded(packet, Collections.unmodifiableList(data));
  }

  @Override
  public void deliver(String socketId, EncodedPacket encoded, BroadcastFlags flags) {
    if (connected.contains(socketId)) {
      deliveries.computeIfAbsent(socketId, k -> new CopyOnWriteArrayList<>()).add(((Encoded) encoded).data());
    }
  }

  @Override
  public void deliverWithAck(String socketId, EncodedPacket encoded, long ackId, Consumer<AckResult> onAck) {
    if (connected.contains(socketId)) {
      pendingAcks.put(socketId, onAck);
      deliver(socketId, encoded, BroadcastFlags.NONE);
    }
  }

  @Override
  public Optional<SocketDetails> socketDetails(String socketId) {
    if (!connected.contains(socketId)) {
      return Optional.empty();
    }
    Set<String> rooms = new LinkedHashSet<>();
    rooms.add(socketId);
    rooms.addAll(new TreeSet<>(joined.getOrDefault(socketId, Set.of())));
    return Optional.of(new SocketDetails(socketId, Map.of("auth", Map.of()), rooms, Map.of()));
  }

  @Override
  public void disconnect(String socketId, boolean close) {
    disconnects.add(close ? socketId + "+close" : socketId);
  }

  @Override
  public void roomEvent(RoomEvent event) {
    if (event.kind() == RoomEvent.Kind.JOIN) {
      joined.computeIfAbsent(event.socketId(), k -> ConcurrentHashMap.newKeySet()).add(event.room());
    } else if (event.kind() == RoomEvent.Kind.LEAVE) {
      joined.computeIfPresent(event.socketId(), (id, rooms) -> {
        rooms.remove(event.room());
        return rooms;
      });
    }
    roomEvents.add(event);
  }

  /** Values are plain already: the identity. */
  @Override
  public Object toPlain(Object value) {
    return value;
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
  public void serverSideEvent(List<Object> packet, Consumer<Object> reply) {
    serverSideEvents.add(packet);
    if (reply != null && serverSideAnswer != null) {
      reply.accept(serverSideAnswer);
    }
  }
}
