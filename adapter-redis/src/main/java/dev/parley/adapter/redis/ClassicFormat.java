package dev.parley.adapter.redis;

import static dev.parley.adapter.ClusterFormat.decodeOptions;
import static dev.parley.adapter.ClusterFormat.encodeOptions;
import static dev.parley.adapter.ClusterFormat.strings;

import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.ClusterFormat;
import dev.parley.adapter.ClusterMessage;
import dev.parley.adapter.Packet;
import dev.parley.adapter.PacketType;
import dev.parley.adapter.Payload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The wire dialect of {@code @socket.io/redis-adapter} 8.3 ({@code createAdapter}, REDIS-ADAPTER.md
 * §2 and §3): {@link ClusterMessage}s to and from the plain values {@link Msgpack} and {@link Json}
 * write. A broadcast is the msgpack array {@code [uid, packet, opts]}; requests and responses are maps
 * numbered by {@link Type}, and a response carries its type only for types 6, 8 and 9 (the
 * others are told apart by their fields). Legacy requests (type 0, and the {@code sid} forms of 2 to
 * 4) are not messages of the model: {@link RedisAdapter} answers them itself.
 *
 * <pre>{@code
 * byte[] wire = Msgpack.encode(ClassicFormat.broadcast(uid, "/", packet, options));
 * Map<String, Object> request = ClassicFormat.encodeRequest(uid, "/", new ClusterMessage.AllRooms(id));
 * }</pre>
 */
final class ClassicFormat {
  private ClassicFormat() {}

  /** The request and response types of the classic Redis adapter. */
  enum Type {
    SOCKETS(0),
    ALL_ROOMS(1),
    REMOTE_JOIN(2),
    REMOTE_LEAVE(3),
    REMOTE_DISCONNECT(4),
    REMOTE_FETCH(5),
    SERVER_SIDE_EMIT(6),
    BROADCAST(7),
    BROADCAST_CLIENT_COUNT(8),
    BROADCAST_ACK(9);

    final int code;

    Type(int code) {
      this.code = code;
    }

    /** The type of a decoded message's {@code type} field, or null. */
    static Type of(Object type) {
      if (type instanceof Number n) {
        for (Type t : values()) {
          if (t.code == n.longValue()) {
            return t;
          }
        }
      }
      return null;
    }
  }

  /** A broadcast's envelope: {@code [uid, {type: 2, data, nsp}, {rooms, except, flags}]}. */
  static List<Object> broadcast(String uid, String nsp, Packet packet, BroadcastOptions options) {
    return List.of(uid, packet(nsp, packet), encodeOptions(options, true));
  }

  /**
   * True when the bytes of a broadcast ({@code [uid, packet, opts]}) start with {@code uid} (UTF-8, under
   * 32 bytes) as msgpack's short string, as this adapter and notepack write it: a server's own broadcast,
   * which the broadcast pattern brings back to it, is dropped without decoding. False for anything else,
   * which is then decoded and told apart by its uid as usual.
   */
  static boolean sentBy(byte[] message, byte[] uid) {
    int n = uid.length;
    return n < 32 && message.length > n + 2 && message[0] == (byte) 0x93 && message[1] == (byte) (0xa0 | n)
        && Arrays.equals(message, 2, 2 + n, uid, 0, n);
  }

  /** {@code {type: 2, data, nsp}}: EVENT even with binary, the receiver's encoder decides (§7.2). */
  private static Map<String, Object> packet(String nsp, Packet packet) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", PacketType.EVENT.code());
    p.put("data", packet.data().toPlain());
    p.put("nsp", nsp);
    return p;
  }

  /** The event of a plain packet map, or null when it has no data array. */
  private static Packet event(Object plain, String nsp) {
    if (!(plain instanceof Map<?, ?> p) || !(p.get("data") instanceof List<?> data)) {
      return null;
    }
    return Packet.event(nsp, Payload.ofPlain(data));
  }

  /**
   * A decoded broadcast envelope for namespace {@code nsp} (a missing {@code packet.nsp} means
   * {@code "/"}), or null when it is for another namespace or malformed.
   */
  static ClusterFormat.Envelope decodeBroadcast(Object decoded, String nsp) {
    if (!(decoded instanceof List<?> envelope) || envelope.size() < 3 || !(envelope.get(1) instanceof Map<?, ?> p)) {
      return null;
    }
    Object packetNsp = p.get("nsp");
    Packet packet = event(p, nsp);
    if (!nsp.equals(packetNsp == null ? "/" : packetNsp) || packet == null) {
      return null;
    }
    String uid = envelope.get(0) instanceof String u ? u : null;
    return new ClusterFormat.Envelope(uid, nsp, new ClusterMessage.Broadcast(packet, decodeOptions(envelope.get(2))));
  }

  /**
   * A request as Node writes it, {@code uid} first ({@link ClusterMessage.Broadcast} is not a
   * request: see {@link #broadcast}).
   */
  static Map<String, Object> encodeRequest(String uid, String nsp, ClusterMessage message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uid", uid);
    if (message instanceof ClusterMessage.BroadcastWithAck b) {
      header(m, b.requestId(), Type.BROADCAST);
      m.put("packet", packet(nsp, b.packet()));
      m.put("opts", encodeOptions(b.options(), true));
    } else if (message instanceof ClusterMessage.FetchSockets f) {
      header(m, f.requestId(), Type.REMOTE_FETCH);
      m.put("opts", encodeOptions(f.options(), false));
    } else if (message instanceof ClusterMessage.AllRooms a) {
      header(m, a.requestId(), Type.ALL_ROOMS);
    } else if (message instanceof ClusterMessage.ServerSideEmit e) {
      header(m, e.requestId(), Type.SERVER_SIDE_EMIT); // no requestId: no answer expected
      m.put("data", e.packet());
    } else if (message instanceof ClusterMessage.SocketsJoin j) {
      header(m, null, Type.REMOTE_JOIN);
      m.put("opts", encodeOptions(j.options(), false));
      m.put("rooms", new ArrayList<>(j.rooms()));
    } else if (message instanceof ClusterMessage.SocketsLeave l) {
      header(m, null, Type.REMOTE_LEAVE);
      m.put("opts", encodeOptions(l.options(), false));
      m.put("rooms", new ArrayList<>(l.rooms()));
    } else if (message instanceof ClusterMessage.DisconnectSockets d) {
      header(m, null, Type.REMOTE_DISCONNECT);
      m.put("opts", encodeOptions(d.options(), false));
      m.put("close", d.close());
    } else {
      throw new IllegalArgumentException("the classic Redis format has no request " + message.getClass().getSimpleName());
    }
    return m;
  }

  private static void header(Map<String, Object> m, String requestId, Type type) {
    if (requestId != null) {
      m.put("requestId", requestId); // never nil: on type 6 its presence is the ack flag (§7.4)
    }
    m.put("type", type.code);
  }

  /**
   * The request a decoded map holds, for namespace {@code nsp}; null for a legacy form (no
   * {@code opts} on types 2 to 4, type 0), an unknown type, or a malformed one.
   */
  static ClusterMessage decodeRequest(Map<?, ?> m, String nsp) {
    Type type = Type.of(m.get("type"));
    String requestId = m.get("requestId") instanceof String s ? s : null;
    if (type == null) {
      return null;
    }
    switch (type) {
      case ALL_ROOMS:
        return requestId == null ? null : new ClusterMessage.AllRooms(requestId);
      case REMOTE_JOIN:
        return m.get("opts") == null ? null
            : new ClusterMessage.SocketsJoin(decodeOptions(m.get("opts")), Set.copyOf(strings(m.get("rooms"))));
      case REMOTE_LEAVE:
        return m.get("opts") == null ? null
            : new ClusterMessage.SocketsLeave(decodeOptions(m.get("opts")), Set.copyOf(strings(m.get("rooms"))));
      case REMOTE_DISCONNECT:
        return m.get("opts") == null ? null
            : new ClusterMessage.DisconnectSockets(decodeOptions(m.get("opts")), Boolean.TRUE.equals(m.get("close")));
      case REMOTE_FETCH:
        return requestId == null ? null : new ClusterMessage.FetchSockets(requestId, decodeOptions(m.get("opts")));
      case SERVER_SIDE_EMIT:
        return m.get("data") instanceof List<?> data ? new ClusterMessage.ServerSideEmit(requestId, new ArrayList<>(data)) : null;
      case BROADCAST: {
        Packet packet = event(m.get("packet"), nsp);
        return requestId == null || packet == null ? null
            : new ClusterMessage.BroadcastWithAck(requestId, packet, decodeOptions(m.get("opts")));
      }
      default:
        return null;
    }
  }

  /** A response as Node writes it (encode BROADCAST_ACK with msgpack, the others as JSON when they can). */
  static Map<String, Object> encodeResponse(ClusterMessage.Response response) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (response instanceof ClusterMessage.FetchSocketsResponse f) {
      m.put("requestId", f.requestId());
      List<Object> sockets = new ArrayList<>();
      f.sockets().forEach(s -> sockets.add(ClusterFormat.encodeSocket(s)));
      m.put("sockets", sockets);
    } else if (response instanceof ClusterMessage.AllRoomsResponse a) {
      m.put("requestId", a.requestId());
      m.put("rooms", new ArrayList<>(a.rooms()));
    } else if (response instanceof ClusterMessage.ServerSideEmitResponse s) {
      m.put("type", Type.SERVER_SIDE_EMIT.code);
      m.put("requestId", s.requestId());
      m.put("data", s.answer());
    } else if (response instanceof ClusterMessage.BroadcastClientCount c) {
      m.put("type", Type.BROADCAST_CLIENT_COUNT.code);
      m.put("requestId", c.requestId());
      m.put("clientCount", c.clientCount());
    } else if (response instanceof ClusterMessage.BroadcastAck a) {
      m.put("type", Type.BROADCAST_ACK.code);
      m.put("requestId", a.requestId());
      if (!a.arguments().isEmpty()) {
        m.put("packet", a.arguments().get(0)); // only the first argument crosses, as in Node
      }
    }
    return m;
  }

  /** The response a decoded map holds, or null when it is none this format knows, or malformed. */
  static ClusterMessage.Response decodeResponse(Map<?, ?> m) {
    if (!(m.get("requestId") instanceof String requestId)) {
      return null;
    }
    Type type = Type.of(m.get("type"));
    if (type == Type.BROADCAST_CLIENT_COUNT) {
      return m.get("clientCount") instanceof Number n ? new ClusterMessage.BroadcastClientCount(requestId, n.intValue()) : null;
    } else if (type == Type.BROADCAST_ACK) {
      List<Object> args = new ArrayList<>(1);
      if (m.containsKey("packet")) {
        args.add(m.get("packet"));
      }
      return new ClusterMessage.BroadcastAck(requestId, args);
    } else if (type == Type.SERVER_SIDE_EMIT) {
      return new ClusterMessage.ServerSideEmitResponse(requestId, m.get("data"));
    } else if (m.containsKey("sockets")) {
      return new ClusterMessage.FetchSocketsResponse(requestId, ClusterFormat.decodeSockets(m.get("sockets")));
    } else if (m.containsKey("rooms")) {
      return new ClusterMessage.AllRoomsResponse(requestId, strings(m.get("rooms")));
    }
    return null;
  }
}
