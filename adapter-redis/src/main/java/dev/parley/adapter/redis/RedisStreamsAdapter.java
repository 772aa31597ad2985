package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.ClusterAdapter;
import dev.parley.adapter.ClusterFormat;
import dev.parley.adapter.ClusterFormat.MessageType;
import dev.parley.adapter.ClusterMessage;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RestoredSession;
import dev.parley.adapter.SessionToPersist;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A cluster adapter over Redis Streams, wire-compatible with {@code @socket.io/redis-streams-adapter}
 * 0.3, which adds <b>connection state recovery across servers</b>: a client cut off from one server
 * can reconnect to any other and get its socket id, rooms, data and the events it missed back.
 * {@link ClusterAdapter} does the work, in socket.io-adapter's format ({@link ClusterFormat}); this
 * class is the bus (stream, channels) and the recovery ({@link StreamSessions}).
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .connectionStateRecovery(ConnectionStateRecovery.defaults())
 *     .adapter(RedisStreamsAdapter.factory("redis://127.0.0.1:6379", RedisStreamsAdapterOptions.DEFAULT))
 *     .build();
 * }</pre>
 *
 * <p>What goes where (as in Node):
 * <ul>
 *   <li>Broadcasts without acks, {@code socketsJoin}, {@code socketsLeave} and {@code disconnectSockets}
 *       are appended to the stream ({@code XADD ... MAXLEN ~ maxLen}) with the fields {@code uid},
 *       {@code nsp}, {@code type} and {@code data} (JSON, or base64 msgpack when it holds binary). Each
 *       server reads the stream with {@code XREAD BLOCK}. The offset a client receives with a
 *       broadcast event is the entry's stream id.
 *   <li>Broadcasts with acks, {@code fetchSockets} and {@code serverSideEmit}, which need no replay,
 *       go over pub/sub (msgpack) on {@code <channelPrefix>#<nsp>#}; answers go to the requester's
 *       {@code <channelPrefix>#<nsp>#<uid>#}. The server count is {@code PUBSUB NUMSUB} of the first.
 *   <li>A session is persisted as base64 msgpack {@code {sid, pid, rooms, data}} under
 *       {@code <sessionKeyPrefix><pid>} for the recovery window; a restore takes it
 *       ({@code GETDEL}) and replays the stream entries after the client's offset, provided that
 *       offset is still in the stream (not trimmed by {@code maxLen}).
 * </ul>
 *
 * <p>With recovery on, a server's own broadcasts reach its local sockets through the stream too
 * (one Redis round trip later), so that every socket sees the stream's order and a restore can tell
 * exactly which entries its socket got live and which it must replay: each missed event arrives once.
 * With recovery off, a server delivers its own broadcasts at once. When Redis cannot be reached,
 * local delivery goes on (without offsets), one warning is logged per outage, and nothing is thrown.
 *
 * <p>Use <b>one factory per server</b>. Requires Redis 6.2 or later ({@code GETDEL}). Session data
 * is stored as plain values (maps, lists, strings, numbers, booleans, binary): a restored socket's
 * data holds those, not the application's own objects. Incoming pub/sub messages, which include
 * server-side events, are handled in order on one thread per server: listeners must not block.
 */
// StreamsBus: the type argument of the package-private base class, not API (javac -Xlint:exports)
@SuppressWarnings("exports")
public class RedisStreamsAdapter extends RedisClusterAdapter<StreamsBus, RedisStreamsAdapterOptions> {

  private final String stream;
  private final String publicChannel;
  private final String privateChannel;
  private final StreamSessions sessions;

  RedisStreamsAdapter(AdapterContext context, StreamsBus bus, RedisStreamsAdapterOptions options) {
    super(context, bus, options, options.requestsTimeout(), ClusterAdapter::randomId);
    this.stream = options.streamFor(nsp);
    this.publicChannel = options.channelPrefix() + "#" + nsp + "#";
    this.privateChannel = publicChannel + uid() + "#";
    this.sessions = new StreamSessions(context, bus, options, stream);
  }

  /**
   * An adapter factory for a server, connecting to {@code redisUri} (e.g. {@code redis://127.0.0.1:6379}).
   * The client is created and shut down with the adapters; while Redis is unreachable commands fail
   * at once instead of queueing.
   *
   * <pre>{@code
   * Adapter.Factory adapters = RedisStreamsAdapter.factory("redis://redis:6379",
   *     RedisStreamsAdapterOptions.DEFAULT.withStreamName("chat"));
   * }</pre>
   */
  public static Adapter.Factory factory(String redisUri, RedisStreamsAdapterOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("RedisStreamsAdapter", redisUri, (client, owns) -> new StreamsBus(client, owns, options),
        (context, bus) -> new RedisStreamsAdapter(context, bus, options));
  }

  /**
   * An adapter factory for a server using the caller's client, which the adapters do not shut down.
   * Configure it with {@code DisconnectedBehavior.REJECT_COMMANDS} so broadcasts made during an
   * outage are delivered locally at once rather than queued.
   */
  public static Adapter.Factory factory(RedisClient client, RedisStreamsAdapterOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("RedisStreamsAdapter", client, (c, owns) -> new StreamsBus(c, owns, options),
        (context, bus) -> new RedisStreamsAdapter(context, bus, options));
  }

  /** The stream this namespace's messages go to. */
  String stream() {
    return stream;
  }

  /** Starts reading the stream from its current end, and subscribes to this namespace's channels. */
  @Override
  void subscribe() {
    bus.register(this, stream, publicChannel, privateChannel);
  }

  @Override
  void unsubscribe() {
    bus.unregister(this, stream, publicChannel, privateChannel);
  }

  /** Servers are counted on this namespace's public channel. */
  @Override
  long subscribers() {
    return bus.numsub(publicChannel);
  }

  // ------------------------------------------------------------------ outgoing

  /**
   * With recovery on, this server's sockets get the broadcast from the stream, with its entry id as
   * offset, in the stream's order (or at once, without offset, when Redis cannot be reached); with
   * recovery off, at once.
   */
  @Override
  public void broadcast(Packet packet, BroadcastOptions opts) {
    if (opts.flags().local()) {
      deliverLocally(packet, opts);
      return;
    }
    boolean throughStream = recoveryOn();
    if (!throughStream) {
      deliverLocally(packet, opts);
    }
    publish(new ClusterMessage.Broadcast(packet, opts)).whenComplete((id, e) -> {
      if (e != null && throughStream) {
        deliverLocally(packet, opts); // Redis is away: this server's sockets still get it (no offset)
      }
    });
  }

  /** What needs no replay goes over pub/sub, the rest into the stream (Node's {@code isEphemeral}). */
  private static boolean ephemeral(ClusterMessage message) {
    return message instanceof ClusterMessage.BroadcastWithAck || message instanceof ClusterMessage.FetchSockets
        || message instanceof ClusterMessage.ServerSideEmit;
  }

  @Override
  protected CompletionStage<String> doPublish(ClusterMessage message) {
    if (ephemeral(message)) {
      send(publicChannel, message);
      return SENT;
    }
    return append(message);
  }

  @Override
  protected CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response) {
    if (requesterUid != null) {
      send(publicChannel + requesterUid + "#", response);
    }
    return SENT;
  }

  /** XADD of one message (never a heartbeat: this adapter sends none); completes with its stream id, or exceptionally. */
  private CompletableFuture<String> append(ClusterMessage message) {
    MessageType type = ClusterFormat.typeOf(message);
    Map<String, Object> data = ClusterFormat.encodeData(message);
    String encoded = type.mayHoldBinary() && Json.hasBinary(data)
        ? Base64.getEncoder().encodeToString(Msgpack.encode(data))
        : new String(Json.encode(data), StandardCharsets.UTF_8);
    XAddArgs args = new XAddArgs().maxlen(options.maxLen()).approximateTrimming();
    return bus.send(() -> bus.commands().xadd(stream, args,
        "uid", bytes(uid()), "nsp", bytes(nsp), "type", bytes(Integer.toString(type.code())), "data", bytes(encoded)));
  }

  /** msgpack {@code {type, data, uid, nsp}}, the key order Node writes. */
  private void send(String channel, ClusterMessage message) {
    byte[] bytes = Msgpack.encode(ClusterFormat.encode(uid(), nsp, message));
    bus.send(() -> bus.commands().publish(channel, bytes));
  }

  // ------------------------------------------------------------------ incoming

  /** A stream entry of this namespace, on the stream's reader thread, in stream order. */
  void onStreamEntry(String id, Map<String, byte[]> body) {
    ClusterMessage message = decoded(() -> decodeEntry(body, nsp), stream + " " + id);
    if (message == null || ephemeral(message)) {
      return;
    }
    String from = text(body.get("uid"));
    if (uid().equals(from)) {
      if (recoveryOn() && message instanceof ClusterMessage.Broadcast b) {
        broadcastLocally(b.packet(), b.options(), id); // this server's own broadcast, in stream order
      }
      return; // anything else was applied when asked
    }
    onMessage(from, message, id);
  }

  /** A pub/sub message on this namespace's public or private channel, on the bus thread. */
  void onPubSub(byte[] raw) {
    ClusterFormat.Envelope e = decoded(() -> ClusterFormat.decode(Msgpack.decode(raw), nsp), publicChannel);
    if (e == null || !(ephemeral(e.message()) || e.message() instanceof ClusterMessage.Response)) {
      return;
    }
    try {
      onMessage(e.uid(), e.message(), null);
    } catch (RuntimeException ex) {
      log.warn("could not handle a message on {}", publicChannel, ex);
    }
  }

  /**
   * The message of a stream entry of namespace {@code nsp} (fields {@code uid}, {@code nsp},
   * {@code type}, {@code data}: JSON when it starts with '{', else base64 msgpack), or null when it
   * is another namespace's, of an unknown type, or malformed.
   */
  static ClusterMessage decodeEntry(Map<String, byte[]> body, String nsp) {
    if (!nsp.equals(text(body.get("nsp")))) {
      return null;
    }
    MessageType type;
    try {
      type = MessageType.fromCode(Integer.parseInt(text(body.get("type"))));
    } catch (NumberFormatException e) {
      return null;
    }
    String data = text(body.get("data"));
    Object decoded = data == null || data.isEmpty() ? null
        : data.charAt(0) == '{' ? Json.decode(data.getBytes(StandardCharsets.UTF_8))
        : Msgpack.decode(Base64.getDecoder().decode(data));
    return type == null ? null : ClusterFormat.decodeData(type, decoded, nsp);
  }

  // ------------------------------------------------------------------ connection state recovery

  /** Stores the session in Redis for the recovery window ({@code SET key value PX window}). */
  @Override
  public void persistSession(SessionToPersist session) {
    sessions.persist(session);
  }

  /**
   * Takes the session from Redis and replays the stream after {@code offset}: the broadcasts the
   * session's rooms were targeted by, up to the entry this server's reader has handled (later ones
   * reach the socket live). Empty when the session expired or was taken, or the offset is no longer
   * (or never was) in the stream. The session stays available to a second call on this server for
   * the recovery window (core asks twice).
   */
  @Override
  public CompletionStage<Optional<RestoredSession>> restoreSession(String pid, String offset) {
    return sessions.restore(pid, offset);
  }

  private boolean recoveryOn() {
    return context.maxDisconnectionDurationMillis() > 0;
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
