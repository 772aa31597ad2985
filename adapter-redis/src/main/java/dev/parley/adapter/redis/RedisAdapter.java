package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.ClusterFormat;
import dev.parley.adapter.ClusterMessage;
import io.lettuce.core.RedisClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A cluster adapter over Redis pub/sub, wire-compatible with {@code @socket.io/redis-adapter} 8.3
 * ({@code createAdapter}), so Parley and Node.js servers can share one cluster, and with
 * {@code @socket.io/redis-emitter}. {@link dev.parley.adapter.ClusterAdapter} does the work; this class is the bus
 * (channels, {@code PUBSUB NUMSUB}) and the dialect ({@link ClassicFormat}).
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .adapter(RedisAdapter.factory("redis://127.0.0.1:6379", RedisAdapterOptions.DEFAULT))
 *     .build();
 * }</pre>
 *
 * <p>Use <b>one factory per server</b>: the adapters of one factory share one subscriber connection,
 * and the server count is the number of subscriber connections on a namespace's request channel.
 *
 * <p>Joins, leaves and disconnects a server asks for ({@code socketsJoin}, {@code socketsLeave},
 * {@code disconnectSockets}) are applied to its own sockets at once, and its own request coming back
 * from Redis is ignored (Node instead acts only on the echo; the other servers see no difference).
 *
 * <p>When Redis goes away, local delivery goes on, one warning is logged per outage, and nothing is
 * thrown to the caller of a broadcast; Lettuce reconnects and resubscribes when Redis is back.
 * Incoming messages are handled in order on one thread per server, which also runs server-side
 * listeners: they must not block.
 */
// RedisBus: the type argument of the package-private base class, not API (javac -Xlint:exports)
@SuppressWarnings("exports")
public class RedisAdapter extends RedisClusterAdapter<RedisBus, RedisAdapterOptions> {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

  /** {@code P#N#}: broadcasts, and {@code P#N#<room>#} those to one room. */
  private final String broadcastPrefix;
  /** {@code P-request#N#}: requests, and the channel that counts the servers. */
  private final String requestChannel;
  /** {@code P-response#N#}: responses; {@code P-response#N#<uid>#} those to one server. */
  private final String responseChannel;
  /** {@link #uid()} in UTF-8, to recognise this adapter's own broadcasts. */
  private final byte[] uidBytes;

  RedisAdapter(AdapterContext context, RedisBus bus, RedisAdapterOptions options) {
    super(context, bus, options, options.requestsTimeout(), RedisAdapter::uid2);
    broadcastPrefix = options.key() + "#" + nsp + "#";
    requestChannel = options.key() + "-request#" + nsp + "#";
    responseChannel = options.key() + "-response#" + nsp + "#";
    uidBytes = uid().getBytes(StandardCharsets.UTF_8);
  }

  /** The channels this adapter subscribes, besides the broadcast pattern. */
  private String[] channels() {
    return new String[] {requestChannel, responseChannel, responseChannel + uid() + "#"};
  }

  /** {@code P#N#*}, escaped: a namespace may hold glob characters. */
  private String pattern() {
    return globEscape(broadcastPrefix) + "*";
  }

  /**
   * An adapter factory for a server, connecting to {@code redisUri} (e.g.
   * {@code redis://127.0.0.1:6379}). The client is created and shut down with the adapters; while
   * Redis is unreachable commands fail at once instead of queueing.
   */
  public static Adapter.Factory factory(String redisUri, RedisAdapterOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("RedisAdapter", redisUri, RedisBus::new, (context, bus) -> new RedisAdapter(context, bus, options));
  }

  /**
   * An adapter factory for a server using the caller's client, which the adapters do not shut down.
   * Configure it with {@code DisconnectedBehavior.REJECT_COMMANDS} so broadcasts made during an
   * outage are dropped rather than queued and sent late.
   */
  public static Adapter.Factory factory(RedisClient client, RedisAdapterOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("RedisAdapter", client, RedisBus::new, (context, bus) -> new RedisAdapter(context, bus, options));
  }

  RedisAdapterOptions options() {
    return options;
  }

  @Override
  void subscribe() {
    bus.subscribe(this, pattern(), channels());
  }

  @Override
  void unsubscribe() {
    bus.unsubscribe(pattern(), channels());
  }

  /** Servers are counted on this namespace's request channel. */
  @Override
  long subscribers() {
    return bus.numsub(requestChannel, options.requestsTimeout());
  }

  /** Every room across the cluster, with an ALL_ROOMS request (type 1), as Node's classic adapter. */
  @Override
  public CompletionStage<Set<String>> allRooms() {
    return requestAllRooms();
  }

  /** Node's classic adapter waits {@code requestsTimeout} for every request, whatever the flags say. */
  @Override
  protected long requestTimeoutMillis(RequestType type, BroadcastOptions options) {
    return requestsTimeoutMillis();
  }

  /** Node's classic adapter's messages for fetchSockets and allRooms. */
  @Override
  protected String timeoutMessage(RequestType type, int received, int missing) {
    switch (type) {
      case FETCH_SOCKETS:
        return "timeout reached while waiting for fetchSockets response";
      case ALL_ROOMS:
        return "timeout reached while waiting for allRooms response";
      default:
        return super.timeoutMessage(type, received, missing);
    }
  }

  // ------------------------------------------------------------------ outgoing

  /** A broadcast to {@code P#N#} or {@code P#N#<room>#} (exactly one room), anything else to the request channel. */
  @Override
  protected CompletionStage<String> doPublish(ClusterMessage message) {
    if (message instanceof ClusterMessage.Broadcast b) {
      BroadcastOptions opts = b.options();
      String channel = opts.rooms().size() == 1 ? broadcastPrefix + opts.rooms().iterator().next() + "#" : broadcastPrefix;
      bus.publish(channel, Msgpack.encode(ClassicFormat.broadcast(uid(), nsp, b.packet(), opts)));
    } else if (message instanceof ClusterMessage.BroadcastWithAck) {
      bus.publish(requestChannel, Msgpack.encode(ClassicFormat.encodeRequest(uid(), nsp, message)));
    } else {
      sendPlain(requestChannel, ClassicFormat.encodeRequest(uid(), nsp, message));
    }
    return SENT; // the bus reports failures itself
  }

  /**
   * To the requester's own response channel when {@code publishOnSpecificResponseChannel}, else the
   * shared one; serverSideEmit answers always to the shared one, as Node.
   */
  @Override
  protected CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response) {
    String channel = response instanceof ClusterMessage.ServerSideEmitResponse ? responseChannel : responseChannelFor(requesterUid);
    Map<String, Object> encoded = ClassicFormat.encodeResponse(response);
    if (response instanceof ClusterMessage.BroadcastAck) {
      bus.publish(channel, Msgpack.encode(encoded)); // always msgpack, as Node
    } else {
      sendPlain(channel, encoded);
    }
    return SENT;
  }

  /** JSON as Node sends, msgpack when the message holds binary (Node reads either). */
  private void sendPlain(String channel, Map<String, Object> message) {
    bus.publish(channel, Json.hasBinary(message) ? Msgpack.encode(message) : Json.encode(message));
  }

  private String responseChannelFor(String requesterUid) {
    if (options.publishOnSpecificResponseChannel() && requesterUid != null) {
      return responseChannel + requesterUid + "#";
    }
    return responseChannel;
  }

  // ------------------------------------------------------------------ incoming (on the bus thread)

  /** A message on {@code P#N#} or {@code P#N#<room>#}. */
  void onBroadcast(String channel, byte[] message) {
    if (!channel.startsWith(broadcastPrefix) || !channel.endsWith("#")) {
      return; // the glob pattern matched another namespace's channel
    }
    String room = channel.length() > broadcastPrefix.length()
        ? channel.substring(broadcastPrefix.length(), channel.length() - 1) : "";
    if (!room.isEmpty() && !rooms.containsKey(room)) {
      return; // no local socket in that room: nothing to do, skip decoding
    }
    if (ClassicFormat.sentBy(message, uidBytes)) {
      return; // this adapter's own broadcast, back through the pattern: delivered locally already
    }
    ClusterFormat.Envelope e = decoded(() -> ClassicFormat.decodeBroadcast(Msgpack.decode(message), nsp), channel);
    if (e != null) {
      onMessage(e.uid(), e.message(), null);
    }
  }

  /** A message on the request channel or a response channel: JSON when it starts with '{', else msgpack. */
  void onChannelMessage(String channel, byte[] message) {
    Object decoded = decoded(() -> message.length > 0 && message[0] == '{' ? Json.decode(message) : Msgpack.decode(message), channel);
    if (!(decoded instanceof Map<?, ?> m)) {
      return;
    }
    try {
      String from = m.get("uid") instanceof String u ? u : null;
      if (!channel.equals(requestChannel)) {
        ClusterMessage.Response response = ClassicFormat.decodeResponse(m);
        if (response != null) {
          onMessage(null, response, null); // responses carry no uid
        }
        return;
      }
      ClusterMessage request = ClassicFormat.decodeRequest(m, nsp);
      if (request != null) {
        onMessage(from, request, null);
      } else if (!uid().equals(from)) {
        legacyRequest(from, m);
      }
    } catch (RuntimeException e) {
      log.warn("could not handle a message on {}", channel, e);
    }
  }

  /**
   * The requests Node 8.3 no longer sends but still answers: {@code {uid, requestId, type:0, rooms}}
   * (every server answers with its matching socket ids), and {@code {uid, requestId, type:2|3, sid,
   * room}} and {@code {uid, requestId, type:4, sid, close}} (the server that holds {@code sid}
   * answers {@code {requestId}}).
   */
  private void legacyRequest(String from, Map<?, ?> m) {
    ClassicFormat.Type type = ClassicFormat.Type.of(m.get("type"));
    String requestId = m.get("requestId") instanceof String s ? s : null;
    if (type == ClassicFormat.Type.SOCKETS) {
      if (requestId != null) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("requestId", requestId);
        reply.put("sockets", new ArrayList<>(sockets(Set.copyOf(ClusterFormat.strings(m.get("rooms"))))));
        sendPlain(responseChannelFor(from), reply);
      }
      return;
    }
    if (type != ClassicFormat.Type.REMOTE_JOIN && type != ClassicFormat.Type.REMOTE_LEAVE && type != ClassicFormat.Type.REMOTE_DISCONNECT
        || !(m.get("sid") instanceof String sid) || !sids.containsKey(sid)) {
      return;
    }
    if (type == ClassicFormat.Type.REMOTE_DISCONNECT) {
      context.disconnect(sid, Boolean.TRUE.equals(m.get("close")));
    } else if (m.get("room") instanceof String room) {
      if (type == ClassicFormat.Type.REMOTE_JOIN) {
        addAll(sid, Set.of(room));
      } else {
        del(sid, room);
      }
    }
    if (requestId != null) {
      sendPlain(responseChannelFor(from), Map.of("requestId", requestId));
    }
  }

  // ------------------------------------------------------------------ values

  /** 6 characters of {@code [A-Za-z0-9_-]}, as Node's uid2(6). */
  static String uid2() {
    char[] c = new char[6];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
    }
    return new String(c);
  }

  private static String globEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
