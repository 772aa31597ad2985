package dev.parley.adapter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * socket.io-adapter's {@code ClusterAdapter} wire format as plain values (see {@link Payload}), for
 * a backend that speaks it (Node's Redis Streams and sharded Redis adapters do, among others) or has
 * no format of its own: a message is {@code {type, data, uid, nsp}}, {@code type} is a
 * {@link MessageType} code and {@code data} a map whose keys this class writes in Node's order. The
 * backend serializes the plain values (msgpack, JSON, ...); binary stays {@code byte[]}.
 *
 * <p>Also the pieces a format of another shape reuses: {@link #encodeOptions}, {@link #decodeOptions},
 * {@link #encodeSocket}, {@link #decodeSocket}.
 *
 * <pre>{@code
 * // sending
 * byte[] bytes = msgpack(ClusterFormat.encode(uid(), context.namespace(), message));
 * // receiving
 * ClusterFormat.Envelope e = ClusterFormat.decode(msgpackDecode(bytes), context.namespace());
 * if (e != null) onMessage(e.uid(), e.message(), null);
 * }</pre>
 */
public final class ClusterFormat {
  private ClusterFormat() {}

  /** The message types of socket.io-adapter's ClusterAdapter, with their codes. */
  public enum MessageType {
    INITIAL_HEARTBEAT(1),
    HEARTBEAT(2),
    BROADCAST(3),
    SOCKETS_JOIN(4),
    SOCKETS_LEAVE(5),
    DISCONNECT_SOCKETS(6),
    FETCH_SOCKETS(7),
    FETCH_SOCKETS_RESPONSE(8),
    SERVER_SIDE_EMIT(9),
    SERVER_SIDE_EMIT_RESPONSE(10),
    BROADCAST_CLIENT_COUNT(11),
    BROADCAST_ACK(12),
    ADAPTER_CLOSE(13);

    private final int code;

    MessageType(int code) {
      this.code = code;
    }

    /** The number written on the wire. */
    public int code() {
      return code;
    }

    /** The type numbered {@code code}, or null for a number this format does not have. */
    public static MessageType fromCode(long code) {
      for (MessageType t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }

    /** True for the types whose data may hold binary (Node encodes those as msgpack when it does). */
    public boolean mayHoldBinary() {
      return this == BROADCAST || this == FETCH_SOCKETS_RESPONSE || this == SERVER_SIDE_EMIT
          || this == SERVER_SIDE_EMIT_RESPONSE || this == BROADCAST_ACK;
    }
  }

  /** A message received: who sent it (null when no uid came), for which namespace, and what. */
  public record Envelope(String uid, String nsp, ClusterMessage message) {}

  /**
   * The type of {@code message} in this format.
   *
   * @throws IllegalArgumentException for {@link ClusterMessage.AllRooms} and its response, which
   *     this format does not have
   */
  public static MessageType typeOf(ClusterMessage message) {
    if (message instanceof ClusterMessage.Broadcast || message instanceof ClusterMessage.BroadcastWithAck) {
      return MessageType.BROADCAST;
    } else if (message instanceof ClusterMessage.SocketsJoin) {
      return MessageType.SOCKETS_JOIN;
    } else if (message instanceof ClusterMessage.SocketsLeave) {
      return MessageType.SOCKETS_LEAVE;
    } else if (message instanceof ClusterMessage.DisconnectSockets) {
      return MessageType.DISCONNECT_SOCKETS;
    } else if (message instanceof ClusterMessage.FetchSockets) {
      return MessageType.FETCH_SOCKETS;
    } else if (message instanceof ClusterMessage.FetchSocketsResponse) {
      return MessageType.FETCH_SOCKETS_RESPONSE;
    } else if (message instanceof ClusterMessage.ServerSideEmit) {
      return MessageType.SERVER_SIDE_EMIT;
    } else if (message instanceof ClusterMessage.ServerSideEmitResponse) {
      return MessageType.SERVER_SIDE_EMIT_RESPONSE;
    } else if (message instanceof ClusterMessage.BroadcastClientCount) {
      return MessageType.BROADCAST_CLIENT_COUNT;
    } else if (message instanceof ClusterMessage.BroadcastAck) {
      return MessageType.BROADCAST_ACK;
    } else if (message instanceof ClusterMessage.InitialHeartbeat) {
      return MessageType.INITIAL_HEARTBEAT;
    } else if (message instanceof ClusterMessage.Heartbeat) {
      return MessageType.HEARTBEAT;
    } else if (message instanceof ClusterMessage.AdapterClose) {
      return MessageType.ADAPTER_CLOSE;
    }
    throw new IllegalArgumentException("the ClusterAdapter format has no " + message.getClass().getSimpleName());
  }

  /** {@code {type, data, uid, nsp}} ({@code data} left out for the heartbeats, as Node does). */
  public static Map<String, Object> encode(String uid, String nsp, ClusterMessage message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", typeOf(message).code());
    Map<String, Object> data = encodeData(message);
    if (data != null) {
      m.put("data", data);
    }
    m.put("uid", uid);
    m.put("nsp", nsp);
    return m;
  }

  /** The {@code data} of a message, keys in Node's order; null for the heartbeats, which have none. */
  public static Map<String, Object> encodeData(ClusterMessage message) {
    Map<String, Object> d = new LinkedHashMap<>();
    if (message instanceof ClusterMessage.Broadcast b) {
      d.put("packet", encodePacket(b.packet()));
      d.put("opts", encodeOptions(b.options(), true));
    } else if (message instanceof ClusterMessage.BroadcastWithAck b) {
      d.put("packet", encodePacket(b.packet()));
      d.put("requestId", b.requestId());
      d.put("opts", encodeOptions(b.options(), true));
    } else if (message instanceof ClusterMessage.SocketsJoin j) {
      d.put("opts", encodeOptions(j.options(), true));
      d.put("rooms", new ArrayList<>(j.rooms()));
    } else if (message instanceof ClusterMessage.SocketsLeave l) {
      d.put("opts", encodeOptions(l.options(), true));
      d.put("rooms", new ArrayList<>(l.rooms()));
    } else if (message instanceof ClusterMessage.DisconnectSockets x) {
      d.put("opts", encodeOptions(x.options(), true));
      d.put("close", x.close());
    } else if (message instanceof ClusterMessage.FetchSockets f) {
      d.put("opts", encodeOptions(f.options(), true));
      d.put("requestId", f.requestId());
    } else if (message instanceof ClusterMessage.ServerSideEmit e) {
      if (e.requestId() != null) {
        d.put("requestId", e.requestId()); // its presence asks for an answer
      }
      d.put("packet", e.packet());
    } else if (message instanceof ClusterMessage.FetchSocketsResponse r) {
      d.put("requestId", r.requestId());
      List<Object> sockets = new ArrayList<>();
      for (AdapterContext.SocketDetails s : r.sockets()) {
        sockets.add(encodeSocket(s));
      }
      d.put("sockets", sockets);
    } else if (message instanceof ClusterMessage.ServerSideEmitResponse r) {
      d.put("requestId", r.requestId());
      d.put("packet", r.answer());
    } else if (message instanceof ClusterMessage.BroadcastClientCount c) {
      d.put("requestId", c.requestId());
      d.put("clientCount", c.clientCount());
    } else if (message instanceof ClusterMessage.BroadcastAck a) {
      d.put("requestId", a.requestId());
      d.put("packet", a.arguments().isEmpty() ? null : a.arguments().get(0));
    } else {
      typeOf(message); // throws for the messages this format does not have
      return null;
    }
    return d;
  }

  /**
   * The message a plain {@code {type, data, uid, nsp}} holds, when it is one for namespace
   * {@code nsp}; null when it is for another namespace, of an unknown type, or malformed.
   */
  public static Envelope decode(Object plain, String nsp) {
    if (!(plain instanceof Map<?, ?> m) || !nsp.equals(m.get("nsp")) || !(m.get("type") instanceof Number n)) {
      return null;
    }
    MessageType type = MessageType.fromCode(n.longValue());
    ClusterMessage message = type == null ? null : decodeData(type, m.get("data"), nsp);
    return message == null ? null : new Envelope(m.get("uid") instanceof String u ? u : null, nsp, message);
  }

  /** The message of {@code type} whose {@code data} is {@code data}; null when malformed. */
  public static ClusterMessage decodeData(MessageType type, Object data, String nsp) {
    switch (type) {
      case INITIAL_HEARTBEAT:
        return new ClusterMessage.InitialHeartbeat();
      case HEARTBEAT:
        return new ClusterMessage.Heartbeat();
      case ADAPTER_CLOSE:
        return new ClusterMessage.AdapterClose();
      default:
        break;
    }
    if (!(data instanceof Map<?, ?> d)) {
      return null;
    }
    String requestId = d.get("requestId") instanceof String s ? s : null;
    switch (type) {
      case BROADCAST: {
        Packet packet = decodePacket(d.get("packet"), nsp);
        if (packet == null) {
          return null;
        }
        BroadcastOptions opts = decodeOptions(d.get("opts"));
        return requestId == null ? new ClusterMessage.Broadcast(packet, opts)
            : new ClusterMessage.BroadcastWithAck(requestId, packet, opts);
      }
      case SOCKETS_JOIN:
        return new ClusterMessage.SocketsJoin(decodeOptions(d.get("opts")), Set.copyOf(strings(d.get("rooms"))));
      case SOCKETS_LEAVE:
        return new ClusterMessage.SocketsLeave(decodeOptions(d.get("opts")), Set.copyOf(strings(d.get("rooms"))));
      case DISCONNECT_SOCKETS:
        return new ClusterMessage.DisconnectSockets(decodeOptions(d.get("opts")), Boolean.TRUE.equals(d.get("close")));
      case FETCH_SOCKETS:
        return requestId == null ? null : new ClusterMessage.FetchSockets(requestId, decodeOptions(d.get("opts")));
      case SERVER_SIDE_EMIT:
        return d.get("packet") instanceof List<?> p ? new ClusterMessage.ServerSideEmit(requestId, new ArrayList<>(p)) : null;
      case FETCH_SOCKETS_RESPONSE:
        return requestId == null ? null : new ClusterMessage.FetchSocketsResponse(requestId, decodeSockets(d.get("sockets")));
      case SERVER_SIDE_EMIT_RESPONSE:
        return requestId == null ? null : new ClusterMessage.ServerSideEmitResponse(requestId, d.get("packet"));
      case BROADCAST_CLIENT_COUNT:
        return requestId != null && d.get("clientCount") instanceof Number c
            ? new ClusterMessage.BroadcastClientCount(requestId, c.intValue()) : null;
      case BROADCAST_ACK: {
        List<Object> args = new ArrayList<>(1);
        args.add(d.get("packet"));
        return requestId == null ? null : new ClusterMessage.BroadcastAck(requestId, args);
      }
      default:
        return null;
    }
  }

  /** A broadcast's packet as Node's ClusterAdapter writes it: {@code {type: 2, data}}, no nsp, no id. */
  private static Map<String, Object> encodePacket(Packet packet) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", PacketType.EVENT.code()); // even with binary: the receiver's encoder decides
    p.put("data", packet.data().toPlain());
    return p;
  }

  /** The event in a plain packet {@code {data: [event, ...args]}}, or null when it has none. */
  static Packet decodePacket(Object plain, String nsp) {
    if (!(plain instanceof Map<?, ?> p) || !(p.get("data") instanceof List<?> data)) {
      return null;
    }
    return Packet.event(nsp, Payload.ofPlain(data));
  }

  /**
   * Broadcast options as plain values: {@code {rooms, except}} and, when {@code withFlags}, the
   * {@code flags} that are set ({@code volatile}, {@code compress: false}, {@code timeout}). The
   * {@code local} flag never travels: a local operation is not published.
   */
  public static Map<String, Object> encodeOptions(BroadcastOptions options, boolean withFlags) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("rooms", new ArrayList<>(options.rooms()));
    o.put("except", new ArrayList<>(options.except()));
    if (withFlags) {
      Map<String, Object> flags = new LinkedHashMap<>();
      BroadcastFlags f = options.flags();
      if (f.droppable()) {
        flags.put("volatile", true);
      }
      if (!f.compress()) {
        flags.put("compress", false);
      }
      if (f.timeoutMillis() > 0) {
        flags.put("timeout", f.timeoutMillis());
      }
      o.put("flags", flags);
    }
    return o;
  }

  /** Plain options back; absent or malformed parts are empty (every socket, no flags). */
  public static BroadcastOptions decodeOptions(Object plain) {
    if (!(plain instanceof Map<?, ?> m)) {
      return BroadcastOptions.ALL;
    }
    BroadcastFlags flags = BroadcastFlags.NONE;
    if (m.get("flags") instanceof Map<?, ?> f) {
      if (Boolean.TRUE.equals(f.get("volatile"))) {
        flags = flags.withDroppable(true);
      }
      if (f.get("compress") instanceof Boolean c) {
        flags = flags.withCompress(c);
      }
      if (f.get("timeout") instanceof Number t) {
        flags = flags.withTimeoutMillis(t.longValue());
      }
    }
    return new BroadcastOptions(Set.copyOf(strings(m.get("rooms"))), Set.copyOf(strings(m.get("except"))), flags);
  }

  /** A socket's details as Node's fetchSockets answers them: {@code {id, handshake, rooms, data}}, own id first. */
  public static Map<String, Object> encodeSocket(AdapterContext.SocketDetails socket) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", socket.id());
    out.put("handshake", socket.handshake());
    List<Object> rooms = new ArrayList<>();
    rooms.add(socket.id());
    for (String r : socket.rooms()) {
      if (!r.equals(socket.id())) {
        rooms.add(r);
      }
    }
    out.put("rooms", rooms);
    out.put("data", socket.data());
    return out;
  }

  /** Plain socket details back, or null when they have no id. */
  @SuppressWarnings("unchecked")
  public static AdapterContext.SocketDetails decodeSocket(Object plain) {
    if (!(plain instanceof Map<?, ?> m) || !(m.get("id") instanceof String id)) {
      return null;
    }
    Map<String, Object> handshake = m.get("handshake") instanceof Map<?, ?> h ? (Map<String, Object>) h : Map.of();
    Map<String, Object> data = m.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : new LinkedHashMap<>();
    return new AdapterContext.SocketDetails(id, handshake, new LinkedHashSet<>(strings(m.get("rooms"))), data);
  }

  /** A plain list of socket details back, skipping malformed ones. */
  public static List<AdapterContext.SocketDetails> decodeSockets(Object plain) {
    List<AdapterContext.SocketDetails> out = new ArrayList<>();
    if (plain instanceof List<?> list) {
      for (Object s : list) {
        AdapterContext.SocketDetails d = decodeSocket(s);
        if (d != null) {
          out.add(d);
        }
      }
    }
    return out;
  }

  /** The strings of a plain list (other elements skipped; empty when it is not a list). */
  public static List<String> strings(Object plain) {
    List<String> out = new ArrayList<>();
    if (plain instanceof List<?> list) {
      for (Object v : list) {
        if (v instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
