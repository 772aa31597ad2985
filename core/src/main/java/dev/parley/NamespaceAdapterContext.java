package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.adapter.AckResult;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.EncodedPacket;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RoomEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The adapter's view of one namespace: the narrow {@link AdapterContext} through which an adapter
 * encodes packets, reaches the namespace's local sockets and reports room events, without seeing
 * core's classes. Called on whatever thread the adapter runs: the broadcaster's, the connection lane
 * that joined a room, or a cluster adapter's message thread.
 */
final class NamespaceAdapterContext implements AdapterContext {
  private final Namespace nsp;
  /** Read per recipient: kept here rather than reached through the server. */
  private final Instruments instruments;

  NamespaceAdapterContext(Namespace nsp, Instruments instruments) {
    this.nsp = nsp;
    this.instruments = instruments;
  }

  private SocketIoServer server() {
    return nsp.server();
  }

  @Override
  public String namespace() {
    return nsp.name();
  }

  @Override
  public EncodedPacket encode(Packet packet) {
    return nsp.encode(packet);
  }

  @Override
  public long maxDisconnectionDurationMillis() {
    ConnectionStateRecovery r = server().recovery();
    return r == null ? 0 : r.maxDisconnectionDuration().toMillis();
  }

  @Override
  public long nowMillis() {
    return server().engine().scheduler().nowMillis();
  }

  // an adapter only has the packets this context encoded: EncodedFrames
  @Override
  public void deliver(String socketId, EncodedPacket encoded, BroadcastFlags flags) {
    Socket s = nsp.localSocket(socketId);
    if (s != null && s.deliver((EncodedFrames) encoded, flags)) {
      instruments.delivered(s, (EncodedFrames) encoded);
    }
  }

  @Override
  public void deliverWithAck(String socketId, EncodedPacket encoded, long ackId, Consumer<AckResult> onAck) {
    Socket s = nsp.localSocket(socketId);
    if (s != null) {
      s.expectAck(ackId, onAck);
      if (s.deliver((EncodedFrames) encoded, BroadcastFlags.NONE)) {
        instruments.delivered(s, (EncodedFrames) encoded);
      }
    }
  }

  @Override
  public Optional<SocketDetails> socketDetails(String socketId) {
    Socket s = nsp.localSocket(socketId);
    if (s == null) {
      return Optional.empty();
    }
    // the shape socket.io's fetchSockets gives, so Node nodes of a mixed cluster can read it
    Map<String, Object> hs = s.handshake().toNodeObject();
    Map<String, Object> data = new LinkedHashMap<>();
    s.data().forEach((k, v) -> data.put(k, Wire.toPlain(server().wire().toNode(v))));
    Set<String> rooms = new LinkedHashSet<>();
    rooms.add(s.id());
    rooms.addAll(s.rooms());
    return Optional.of(new SocketDetails(s.id(), hs, rooms, data));
  }

  @Override
  public void disconnect(String socketId, boolean close) {
    Socket s = nsp.localSocket(socketId);
    if (s != null) {
      s.disconnect(close);
    }
  }

  @Override
  public Object toPlain(Object value) {
    return Wire.toPlain(server().wire().toNode(value)); // a socket's data value, for persisting a session
  }

  @Override
  public long nextAckId() {
    return nsp.nextAckId();
  }

  @Override
  public void dropAck(long ackId) {
    nsp.dropAck(ackId);
  }

  @Override
  public void serverSideEvent(List<Object> packet, Consumer<Object> reply) {
    if (packet.isEmpty() || !(packet.get(0) instanceof String)) {
      return;
    }
    String event = (String) packet.get(0);
    List<JsonNode> values = new ArrayList<>(packet.size() - 1);
    for (Object a : packet.subList(1, packet.size())) {
      values.add(server().wire().fromPlain(a));
    }
    Args args = new Args(values, server().wire().mapper);
    AtomicBoolean answered = new AtomicBoolean();
    Ack ack = reply == null ? Ack.NONE : results -> {
      if (answered.compareAndSet(false, true)) {
        reply.accept(results.length == 0 ? null : Wire.toPlain(server().wire().toNode(results[0])));
      }
    };
    // listeners are user code: never on the adapter's (message-reading) thread
    server().engine().executor().execute(() -> {
      instruments.serverSideEvent(nsp, event, args);
      for (ServerSideListener l : nsp.serverSideListeners()) {
        try {
          l.onEvent(event, args, ack);
        } catch (Throwable e) {
          server().reportError(null, "serverSideEmit " + event, e);
        }
      }
    });
  }

  @Override
  public void roomEvent(RoomEvent event) {
    for (Consumer<RoomEvent> l : nsp.roomListeners()) {
      try {
        l.accept(event);
      } catch (Throwable e) {
        server().reportError(null, "room " + event.kind(), e);
      }
    }
    instruments.roomEvent(nsp, event);
  }
}
