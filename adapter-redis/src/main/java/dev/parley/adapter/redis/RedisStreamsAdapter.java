package dev.parley.adapter.redis;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RequestTimeoutException;
import dev.parley.adapter.RestoredSession;
import dev.parley.adapter.SessionToPersist;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster adapter over Redis Streams, wire-compatible with {@code @socket.io/redis-streams-adapter}
 * 0.3, which adds <b>connection state recovery across servers</b>: a client cut off from one server
 * can reconnect to any other and get its socket id, rooms, data and the events it missed back.
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
public class RedisStreamsAdapter extends InMemoryAdapter {
  private static final Logger log = LoggerFactory.getLogger(RedisStreamsAdapter.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  // socket.io-adapter's ClusterAdapter message types
  static final int BROADCAST = 3;
  static final int SOCKETS_JOIN = 4;
  static final int SOCKETS_LEAVE = 5;
  static final int DISCONNECT_SOCKETS = 6;
  static final int FETCH_SOCKETS = 7;
  static final int FETCH_SOCKETS_RESPONSE = 8;
  static final int SERVER_SIDE_EMIT = 9;
  static final int SERVER_SIDE_EMIT_RESPONSE = 10;
  static final int BROADCAST_CLIENT_COUNT = 11;
  static final int BROADCAST_ACK = 12;
  private static final Set<Integer> MAY_HOLD_BINARY =
      Set.of(BROADCAST, FETCH_SOCKETS_RESPONSE, SERVER_SIDE_EMIT, SERVER_SIDE_EMIT_RESPONSE, BROADCAST_ACK);
  private static final int RESTORE_PAGE = 1000;

  private final StreamsBus bus;
  private final RedisStreamsAdapterOptions options;
  private final String uid = randomId();
  private final String nsp;
  private final String stream;
  private final String publicChannel;
  private final String privateChannel;
  private final Map<String, Request> requests = new ConcurrentHashMap<>();
  private final Map<String, AckRequest> ackRequests = new ConcurrentHashMap<>();
  /** Sessions taken from Redis by a first restore call, for the second one (core asks twice). */
  private final Map<String, Taken> taken = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private record Taken(Map<?, ?> session, long expiresAt) {}

  RedisStreamsAdapter(AdapterContext context, StreamsBus bus, RedisStreamsAdapterOptions options) {
    super(context);
    this.bus = bus;
    this.options = options;
    this.nsp = context.namespace();
    this.stream = options.streamFor(nsp);
    this.publicChannel = options.channelPrefix() + "#" + nsp + "#";
    this.privateChannel = publicChannel + uid + "#";
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
    Objects.requireNonNull(redisUri, "redisUri == null");
    return factory(() -> ServerFactory.newClient(redisUri), true, options);
  }

  /**
   * An adapter factory for a server using the caller's client, which the adapters do not shut down.
   * Configure it with {@code DisconnectedBehavior.REJECT_COMMANDS} so broadcasts made during an
   * outage are delivered locally at once rather than queued.
   */
  public static Adapter.Factory factory(RedisClient client, RedisStreamsAdapterOptions options) {
    Objects.requireNonNull(client, "client == null");
    return factory(() -> client, false, options);
  }

  private static Adapter.Factory factory(java.util.function.Supplier<RedisClient> clients, boolean owns,
      RedisStreamsAdapterOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("RedisStreamsAdapter", () -> {
      RedisClient client = clients.get();
      return new StreamsBus(client, owns, options);
    }, (context, bus) -> new RedisStreamsAdapter(context, bus, options), a -> a.closed.get());
  }

  /** This adapter's id on the wire (16 hex characters, unique per server and namespace). */
  public String uid() {
    return uid;
  }

  String namespace() {
    return nsp;
  }

  /** The stream this namespace's messages go to. */
  String stream() {
    return stream;
  }

  /** Outages reported by this server's connections so far (for tests). */
  int outages() {
    return bus.outages();
  }

  /**
   * Starts reading the stream from its current end and subscribes to this namespace's channels,
   * waiting for Redis to confirm, so that this server is counted by the others before it is used.
   *
   * @throws IllegalStateException when Redis cannot be reached
   */
  @Override
  public void init() {
    try {
      bus.register(this, stream, publicChannel, privateChannel);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Unsubscribes; the connections close with the last adapter of the server. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    bus.unregister(this, stream, publicChannel, privateChannel);
    for (Request r : requests.values()) {
      r.fail(new IllegalStateException("adapter closed"));
    }
    requests.clear();
    ackRequests.values().forEach(a -> a.timer.cancel(false));
    ackRequests.clear();
  }

  // ------------------------------------------------------------------ outgoing

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
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("packet", wirePacket(packet));
    data.put("opts", wireOpts(opts));
    append(BROADCAST, data).whenComplete((id, e) -> {
      if (e != null && throughStream) {
        deliverLocally(packet, opts); // Redis is away: this server's sockets still get it (no offset)
      }
    });
  }

  @Override
  public void broadcastWithAck(Packet packet, BroadcastOptions opts, IntConsumer clientCount, Consumer<Object> onAck) {
    if (!opts.flags().local()) {
      try {
        String requestId = randomId();
        long timeout = opts.flags().timeoutMillis() > 0 ? opts.flags().timeoutMillis() : options.requestsTimeout().toMillis();
        AckRequest entry = new AckRequest(clientCount, onAck,
            bus.executor().schedule(() -> ackRequests.remove(requestId), timeout, TimeUnit.MILLISECONDS));
        ackRequests.put(requestId, entry);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("packet", wirePacket(packet));
        data.put("requestId", requestId);
        data.put("opts", wireOpts(opts));
        publish(publicChannel, message(BROADCAST, data));
      } catch (RuntimeException e) {
        log.warn("could not publish a broadcast with acks of {}", nsp, e);
      }
    }
    super.broadcastWithAck(packet, opts, clientCount, onAck);
  }

  @Override
  public CompletionStage<List<AdapterContext.SocketDetails>> fetchSockets(BroadcastOptions opts) {
    List<AdapterContext.SocketDetails> local = super.fetchSockets(opts).toCompletableFuture().join();
    if (opts.flags().local()) {
      return CompletableFuture.completedFuture(local);
    }
    int servers = serverCount();
    if (servers <= 1) {
      return CompletableFuture.completedFuture(local);
    }
    long timeout = opts.flags().timeoutMillis() > 0 ? opts.flags().timeoutMillis() : options.requestsTimeout().toMillis();
    Request r = request(FETCH_SOCKETS, servers - 1, timeout);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("opts", wireOpts(opts));
    data.put("requestId", r.id);
    publish(publicChannel, message(FETCH_SOCKETS, data));
    return r.done.thenApply(answers -> {
      List<AdapterContext.SocketDetails> out = new ArrayList<>(local);
      for (Object answer : answers) {
        if (answer instanceof List<?> list) {
          for (Object s : list) {
            AdapterContext.SocketDetails d = RedisAdapter.details(s);
            if (d != null) {
              out.add(d);
            }
          }
        }
      }
      return out;
    });
  }

  /**
   * Every room of the namespace across the cluster. The Streams protocol has no request for it, so
   * this is the rooms of every socket {@code fetchSockets} finds (socket-id rooms included).
   */
  @Override
  public CompletionStage<Set<String>> allRooms() {
    Set<String> local = rooms();
    return fetchSockets(BroadcastOptions.ALL).thenApply(found -> {
      Set<String> out = new LinkedHashSet<>(local);
      for (AdapterContext.SocketDetails d : found) {
        out.add(d.id());
        out.addAll(d.rooms());
      }
      return out;
    });
  }

  @Override
  public void addSockets(BroadcastOptions opts, Set<String> rooms) {
    super.addSockets(opts, rooms);
    appendMembership(SOCKETS_JOIN, opts, "rooms", new ArrayList<>(rooms));
  }

  @Override
  public void delSockets(BroadcastOptions opts, Set<String> rooms) {
    super.delSockets(opts, rooms);
    appendMembership(SOCKETS_LEAVE, opts, "rooms", new ArrayList<>(rooms));
  }

  @Override
  public void disconnectSockets(BroadcastOptions opts, boolean close) {
    super.disconnectSockets(opts, close);
    appendMembership(DISCONNECT_SOCKETS, opts, "close", close);
  }

  private void appendMembership(int type, BroadcastOptions opts, String key, Object value) {
    if (opts.flags().local()) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("opts", wireOpts(opts));
    data.put(key, value);
    append(type, data);
  }

  @Override
  public void serverSideEmit(List<Object> packet) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("packet", packet);
    publish(publicChannel, message(SERVER_SIDE_EMIT, data));
  }

  @Override
  public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> packet) {
    int expected = serverCount() - 1;
    if (expected <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    Request r = request(SERVER_SIDE_EMIT, expected, options.requestsTimeout().toMillis());
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("requestId", r.id); // its presence asks for an answer
    data.put("packet", packet);
    publish(publicChannel, message(SERVER_SIDE_EMIT, data));
    return r.done;
  }

  /**
   * The number of servers subscribed to this namespace's public channel ({@code PUBSUB NUMSUB}), read
   * fresh on each call; 1 while Redis is unreachable. Blocks for at most the request timeout.
   */
  @Override
  public int serverCount() {
    long n = bus.numsub(publicChannel);
    return n < 1 ? 1 : (int) Math.min(Integer.MAX_VALUE, n);
  }

  // ------------------------------------------------------------------ connection state recovery

  /** Stores the session in Redis for the recovery window ({@code SET key value PX window}). */
  @Override
  public void persistSession(SessionToPersist session) {
    long window = context.maxDisconnectionDurationMillis();
    if (window <= 0) {
      return;
    }
    taken.remove(session.pid());
    byte[] value;
    try {
      Map<String, Object> data = new LinkedHashMap<>();
      session.data().forEach((k, v) -> data.put(k, context.toPlain(v)));
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("sid", session.sid());
      s.put("pid", session.pid());
      List<Object> rooms = new ArrayList<>();
      rooms.add(session.sid()); // own id first, as Node
      for (String r : session.rooms()) {
        if (!r.equals(session.sid())) {
          rooms.add(r);
        }
      }
      s.put("rooms", rooms);
      s.put("data", data);
      value = Base64.getEncoder().encode(Msgpack.encode(s));
    } catch (RuntimeException e) {
      log.warn("socket {}: could not encode its session for recovery", session.sid(), e);
      return;
    }
    try {
      bus.commands().set(options.sessionKeyPrefix() + session.pid(), value, SetArgs.Builder.px(window))
          .whenComplete((ok, e) -> {
            if (e != null) {
              bus.failed(e.getMessage());
            }
          });
    } catch (RuntimeException e) {
      bus.failed(e.getMessage());
    }
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
    long window = context.maxDisconnectionDurationMillis();
    StreamsBus.Reader reader = bus.reader(stream);
    if (window <= 0 || pid == null || reader == null || !StreamsBus.StreamIds.valid(offset)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    try {
      StreamsBus.StreamIds.parse(offset);
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long now = context.nowMillis();
    taken.values().removeIf(t -> t.expiresAt() < now);
    Taken earlier = taken.remove(pid);
    CompletableFuture<Map<?, ?>> session;
    if (earlier != null) {
      session = CompletableFuture.completedFuture(earlier.session());
    } else {
      session = bus.commands().getdel(options.sessionKeyPrefix() + pid).toCompletableFuture().thenApply(raw -> {
        if (raw == null) {
          return null;
        }
        Map<?, ?> s = Msgpack.decode(Base64.getDecoder().decode(raw)) instanceof Map<?, ?> m ? m : null;
        if (s != null) {
          taken.put(pid, new Taken(s, now + window));
        }
        return s;
      });
    }
    return session.thenCompose(s -> {
      if (s == null || !(s.get("sid") instanceof String sid)) {
        return CompletableFuture.completedFuture(Optional.<RestoredSession>empty());
      }
      Set<String> rooms = new LinkedHashSet<>(strings(s.get("rooms")));
      Map<String, Object> data = new LinkedHashMap<>();
      if (s.get("data") instanceof Map<?, ?> d) {
        d.forEach((k, v) -> data.put(String.valueOf(k), v));
      }
      return bus.commands().xrange(stream, Range.create(offset, offset)).toCompletableFuture()
          .thenCompose(found -> {
            if (found.isEmpty()) {
              return CompletableFuture.completedFuture(Optional.<RestoredSession>empty()); // trimmed, or never there
            }
            return reader.reached(offset)
                .orTimeout(options.requestsTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(ignored -> {
                  String upTo;
                  synchronized (reader.lock) {
                    upTo = reader.position();
                  }
                  List<Packet> missed = new ArrayList<>();
                  return replay(StreamsBus.StreamIds.next(offset), upTo, rooms, missed)
                      .thenApply(done -> Optional.of(new RestoredSession(sid, pid, rooms, data, missed)));
                });
          });
    });
  }

  /** Collects, page by page, the missed broadcasts of entries {@code from..upTo} (inclusive). */
  private CompletableFuture<Void> replay(String from, String upTo, Set<String> rooms, List<Packet> missed) {
    if (StreamsBus.StreamIds.compare(StreamsBus.StreamIds.parse(from), StreamsBus.StreamIds.parse(upTo)) > 0) {
      return CompletableFuture.completedFuture(null);
    }
    return bus.commands().xrange(stream, Range.create(from, upTo), Limit.create(0, RESTORE_PAGE)).toCompletableFuture()
        .thenCompose(entries -> {
          for (StreamMessage<String, byte[]> entry : entries) {
            Packet p = missedPacket(entry, rooms);
            if (p != null) {
              missed.add(p);
            }
          }
          if (entries.size() < RESTORE_PAGE) {
            return CompletableFuture.completedFuture(null);
          }
          return replay(StreamsBus.StreamIds.next(entries.get(entries.size() - 1).getId()), upTo, rooms, missed);
        });
  }

  private Packet missedPacket(StreamMessage<String, byte[]> entry, Set<String> rooms) {
    Map<String, byte[]> body = entry.getBody();
    if (!nsp.equals(text(body.get("nsp"))) || !String.valueOf(BROADCAST).equals(text(body.get("type")))) {
      return null;
    }
    try {
      if (!(decodeData(text(body.get("data"))) instanceof Map<?, ?> data) || data.get("requestId") != null
          || !(data.get("packet") instanceof Map<?, ?> packet)) {
        return null;
      }
      BroadcastOptions opts = RedisAdapter.parseOpts(data.get("opts"));
      if (opts.flags().droppable() || !includes(rooms, opts)) {
        return null;
      }
      return context.withOffset(new Packet(2, nsp, context.fromPlain(packet.get("data")), -1), entry.getId());
    } catch (RuntimeException e) {
      log.debug("skipped a malformed stream entry {} while restoring", entry.getId(), e);
      return null;
    }
  }

  /** Whether a socket in {@code rooms} was targeted by a broadcast with {@code opts}. */
  private static boolean includes(Set<String> rooms, BroadcastOptions opts) {
    boolean included = opts.rooms().isEmpty();
    for (String room : rooms) {
      if (opts.except().contains(room)) {
        return false;
      }
      if (opts.rooms().contains(room)) {
        included = true;
      }
    }
    return included;
  }

  private boolean recoveryOn() {
    return context.maxDisconnectionDurationMillis() > 0;
  }

  // ------------------------------------------------------------------ incoming

  /** A stream entry of this namespace, on the stream's reader thread, in stream order. */
  void onStreamEntry(String id, Map<String, byte[]> body) {
    int type;
    try {
      type = Integer.parseInt(text(body.get("type")));
    } catch (NumberFormatException e) {
      return;
    }
    boolean mine = uid.equals(text(body.get("uid")));
    if (mine && (type != BROADCAST || !recoveryOn())) {
      return; // applied (or delivered) when asked
    }
    Object decoded;
    try {
      decoded = decodeData(text(body.get("data")));
    } catch (RuntimeException e) {
      log.debug("ignored a malformed stream entry {}", id, e);
      return;
    }
    if (!(decoded instanceof Map<?, ?> data)) {
      return;
    }
    BroadcastOptions opts = RedisAdapter.parseOpts(data.get("opts"));
    switch (type) {
      case BROADCAST -> {
        if (data.get("requestId") != null || !(data.get("packet") instanceof Map<?, ?> p)) {
          return;
        }
        Packet packet = new Packet(2, nsp, context.fromPlain(p.get("data")), -1);
        if (recoveryOn() && !opts.flags().droppable()) {
          packet = context.withOffset(packet, id);
        }
        deliverLocally(packet, opts);
      }
      case SOCKETS_JOIN -> super.addSockets(opts, Set.copyOf(strings(data.get("rooms"))));
      case SOCKETS_LEAVE -> super.delSockets(opts, Set.copyOf(strings(data.get("rooms"))));
      case DISCONNECT_SOCKETS -> super.disconnectSockets(opts, Boolean.TRUE.equals(data.get("close")));
      default -> {
        // heartbeats and types of later versions: nothing to do
      }
    }
  }

  /** A pub/sub message on this namespace's public or private channel, on the bus thread. */
  void onPubSub(byte[] raw) {
    Map<?, ?> m;
    try {
      if (!(Msgpack.decode(raw) instanceof Map<?, ?> map)) {
        return;
      }
      m = map;
    } catch (RuntimeException e) {
      log.debug("ignored an undecodable message on {}", publicChannel, e);
      return;
    }
    Object from = m.get("uid");
    if (uid.equals(from) || !nsp.equals(m.get("nsp")) || !(m.get("data") instanceof Map<?, ?> data)) {
      return;
    }
    int type = m.get("type") instanceof Number n ? n.intValue() : -1;
    String requestId = data.get("requestId") instanceof String s ? s : null;
    try {
      switch (type) {
        case BROADCAST -> {
          if (requestId != null && data.get("packet") instanceof Map<?, ?> p) {
            remoteBroadcastWithAck(from, requestId, p, RedisAdapter.parseOpts(data.get("opts")));
          }
        }
        case FETCH_SOCKETS -> {
          if (requestId == null) {
            return;
          }
          List<Object> sockets = new ArrayList<>();
          BroadcastOptions opts = RedisAdapter.parseOpts(data.get("opts"));
          for (AdapterContext.SocketDetails d : super.fetchSockets(opts).toCompletableFuture().join()) {
            sockets.add(RedisAdapter.plain(d));
          }
          Map<String, Object> reply = new LinkedHashMap<>();
          reply.put("requestId", requestId);
          reply.put("sockets", sockets);
          respond(from, FETCH_SOCKETS_RESPONSE, reply);
        }
        case SERVER_SIDE_EMIT -> {
          if (!(data.get("packet") instanceof List<?> list)) {
            return;
          }
          List<Object> packet = new ArrayList<>(list);
          if (requestId == null) {
            context.serverSideEvent(packet, null);
            return;
          }
          context.serverSideEvent(packet, answer -> {
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("requestId", requestId);
            reply.put("packet", answer);
            respond(from, SERVER_SIDE_EMIT_RESPONSE, reply);
          });
        }
        case FETCH_SOCKETS_RESPONSE -> answer(requestId, data.get("sockets"));
        case SERVER_SIDE_EMIT_RESPONSE -> answer(requestId, data.get("packet"));
        case BROADCAST_CLIENT_COUNT -> {
          AckRequest a = requestId == null ? null : ackRequests.get(requestId);
          if (a != null && data.get("clientCount") instanceof Number n) {
            a.clientCount.accept(n.intValue());
          }
        }
        case BROADCAST_ACK -> {
          AckRequest a = requestId == null ? null : ackRequests.get(requestId);
          if (a != null) {
            List<Object> args = new ArrayList<>(1);
            args.add(data.get("packet"));
            a.onAck.accept(context.ackFromArguments(args));
          }
        }
        default -> {
          // an unknown type: ignore
        }
      }
    } catch (RuntimeException e) {
      log.warn("could not handle a message of type {} on {}", type, publicChannel, e);
    }
  }

  private void remoteBroadcastWithAck(Object from, String requestId, Map<?, ?> p, BroadcastOptions opts) {
    long ackId = context.nextAckId();
    Packet packet = new Packet(2, nsp, context.fromPlain(p.get("data")), ackId);
    long expiry = opts.flags().timeoutMillis() > 0 ? opts.flags().timeoutMillis() : options.requestsTimeout().toMillis();
    // the origin stops waiting after its timeout: clients that have not answered by then never will
    bus.executor().schedule(() -> context.dropAck(ackId), expiry, TimeUnit.MILLISECONDS);
    super.broadcastWithAck(packet, opts, count -> {
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("requestId", requestId);
      reply.put("clientCount", count);
      respond(from, BROADCAST_CLIENT_COUNT, reply);
    }, ack -> {
      if (ack instanceof Throwable) {
        return; // the socket went away before answering
      }
      List<Object> args = context.ackArguments(ack);
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("requestId", requestId);
      reply.put("packet", args.isEmpty() ? null : args.get(0)); // only the first argument crosses, as in Node
      respond(from, BROADCAST_ACK, reply);
    });
  }

  private void answer(String requestId, Object value) {
    Request r = requestId == null ? null : requests.get(requestId);
    if (r != null) {
      r.add(value);
    }
  }

  // ------------------------------------------------------------------ wire

  private void deliverLocally(Packet packet, BroadcastOptions opts) {
    Object encoded = context.encode(packet);
    apply(opts, id -> context.deliver(id, encoded, opts.flags()));
  }

  /** XADD of one message; completes with its stream id, or exceptionally (never throws). */
  private CompletableFuture<String> append(int type, Map<String, Object> data) {
    try {
      String encoded = MAY_HOLD_BINARY.contains(type) && Json.hasBinary(data)
          ? Base64.getEncoder().encodeToString(Msgpack.encode(data))
          : new String(Json.encode(data), StandardCharsets.UTF_8);
      XAddArgs args = new XAddArgs().maxlen(options.maxLen()).approximateTrimming();
      return bus.commands().xadd(stream, args,
              "uid", bytes(uid), "nsp", bytes(nsp), "type", bytes(Integer.toString(type)), "data", bytes(encoded))
          .toCompletableFuture()
          .whenComplete((id, e) -> {
            if (e != null) {
              bus.failed(e.getMessage());
            } else {
              bus.ok();
            }
          });
    } catch (RuntimeException e) {
      bus.failed(e.getMessage());
      return CompletableFuture.failedFuture(e);
    }
  }

  /** {@code {type, data, uid, nsp}}, the key order Node writes. */
  private Map<String, Object> message(int type, Map<String, Object> data) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("data", data);
    m.put("uid", uid);
    m.put("nsp", nsp);
    return m;
  }

  private void respond(Object requesterUid, int type, Map<String, Object> data) {
    if (requesterUid instanceof String u) {
      publish(publicChannel + u + "#", message(type, data));
    }
  }

  private void publish(String channel, Map<String, Object> message) {
    try {
      bus.commands().publish(channel, Msgpack.encode(message)).whenComplete((n, e) -> {
        if (e != null) {
          bus.failed(e.getMessage());
        }
      });
    } catch (RuntimeException e) {
      bus.failed(e.getMessage());
    }
  }

  private Request request(int type, int expected, long timeoutMillis) {
    String id = randomId();
    Request r = new Request(id, type, expected);
    requests.put(id, r);
    r.timer = bus.executor().schedule(r::timeout, timeoutMillis, TimeUnit.MILLISECONDS);
    return r;
  }

  /** {@code {type: 2, data}}: no nsp and no id, as Node's ClusterAdapter publishes a packet. */
  private Map<String, Object> wirePacket(Packet packet) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", 2); // EVENT even with binary: the receiver's encoder decides
    p.put("data", context.toPlain(packet.data()));
    return p;
  }

  private static Map<String, Object> wireOpts(BroadcastOptions opts) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("rooms", new ArrayList<>(opts.rooms()));
    o.put("except", new ArrayList<>(opts.except()));
    Map<String, Object> flags = new LinkedHashMap<>();
    BroadcastFlags f = opts.flags();
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
    return o;
  }

  /** A stream entry's {@code data}: JSON when it starts with '{', else base64 msgpack. */
  private static Object decodeData(String data) {
    if (data == null || data.isEmpty()) {
      return null;
    }
    if (data.charAt(0) == '{') {
      return Json.decode(data.getBytes(StandardCharsets.UTF_8));
    }
    return Msgpack.decode(Base64.getDecoder().decode(data));
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> list) {
      for (Object v : list) {
        if (v instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** 8 random bytes as 16 hex characters, as socket.io-adapter's ClusterAdapter. */
  static String randomId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // ------------------------------------------------------------------ pending requests

  private record AckRequest(IntConsumer clientCount, Consumer<Object> onAck, ScheduledFuture<?> timer) {}

  private final class Request {
    final String id;
    final int type;
    final int expected;
    final List<Object> answers = new ArrayList<>();
    final CompletableFuture<List<Object>> done = new CompletableFuture<>();
    volatile ScheduledFuture<?> timer;

    Request(String id, int type, int expected) {
      this.id = id;
      this.type = type;
      this.expected = expected;
    }

    void add(Object answer) {
      List<Object> all;
      synchronized (this) {
        answers.add(answer);
        if (answers.size() < expected) {
          return;
        }
        all = new ArrayList<>(answers);
      }
      if (requests.remove(id, this)) {
        ScheduledFuture<?> t = timer;
        if (t != null) {
          t.cancel(false);
        }
        done.complete(all);
      }
    }

    void timeout() {
      if (!requests.remove(id, this)) {
        return;
      }
      List<Object> partial;
      synchronized (this) {
        partial = new ArrayList<>(answers);
      }
      String message = "timeout reached: only " + partial.size() + " responses received out of " + expected;
      done.completeExceptionally(new RequestTimeoutException(message, type == SERVER_SIDE_EMIT ? partial : List.of()));
    }

    void fail(Throwable t) {
      done.completeExceptionally(t);
    }
  }
}
