package dev.parley.adapter.redis;

import dev.parley.adapter.RequestTimeoutException;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.Packet;
import io.lettuce.core.RedisClient;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster adapter over Redis pub/sub, wire-compatible with {@code @socket.io/redis-adapter} 8.3
 * ({@code createAdapter}), so Parley and Node.js servers can share one cluster, and with
 * {@code @socket.io/redis-emitter}. Rooms and local delivery stay in {@link InMemoryAdapter}; this
 * class publishes the remote half and handles what other servers publish.
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
public class RedisAdapter extends InMemoryAdapter {
  private static final Logger log = LoggerFactory.getLogger(RedisAdapter.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

  static final int SOCKETS = 0;
  static final int ALL_ROOMS = 1;
  static final int REMOTE_JOIN = 2;
  static final int REMOTE_LEAVE = 3;
  static final int REMOTE_DISCONNECT = 4;
  static final int REMOTE_FETCH = 5;
  static final int SERVER_SIDE_EMIT = 6;
  static final int BROADCAST = 7;
  static final int BROADCAST_CLIENT_COUNT = 8;
  static final int BROADCAST_ACK = 9;

  private final RedisBus bus;
  private final RedisAdapterOptions options;
  private final String uid = uid2();
  private final String nsp;
  private final String broadcastPrefix;
  private final String pattern;
  private final String requestChannel;
  private final String responseChannel;
  private final String specificResponseChannel;
  private final Map<String, Request> requests = new ConcurrentHashMap<>();
  private final Map<String, AckRequest> ackRequests = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  RedisAdapter(AdapterContext context, RedisBus bus, RedisAdapterOptions options) {
    super(context);
    this.bus = bus;
    this.options = options;
    this.nsp = context.namespace();
    this.broadcastPrefix = options.key() + "#" + nsp + "#";
    this.pattern = globEscape(broadcastPrefix) + "*";
    this.requestChannel = options.key() + "-request#" + nsp + "#";
    this.responseChannel = options.key() + "-response#" + nsp + "#";
    this.specificResponseChannel = responseChannel + uid + "#";
  }

  /**
   * An adapter factory for a server, connecting to {@code redisUri} (e.g.
   * {@code redis://127.0.0.1:6379}). The client is created and shut down with the adapters; while
   * Redis is unreachable commands fail at once instead of queueing.
   */
  public static Adapter.Factory factory(String redisUri, RedisAdapterOptions options) {
    Objects.requireNonNull(redisUri, "redisUri == null");
    return factory(() -> ServerFactory.newClient(redisUri), true, options);
  }

  /**
   * An adapter factory for a server using the caller's client, which the adapters do not shut down.
   * Configure it with {@code DisconnectedBehavior.REJECT_COMMANDS} so broadcasts made during an
   * outage are dropped rather than queued and sent late.
   */
  public static Adapter.Factory factory(RedisClient client, RedisAdapterOptions options) {
    Objects.requireNonNull(client, "client == null");
    return factory(() -> client, false, options);
  }

  private static Adapter.Factory factory(java.util.function.Supplier<RedisClient> clients, boolean owns,
      RedisAdapterOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ServerFactory<>("RedisAdapter", () -> {
      RedisClient client = clients.get();
      return new RedisBus(client, owns);
    }, (context, bus) -> new RedisAdapter(context, bus, options), a -> a.closed.get());
  }

  /** This adapter's id on the wire (6 characters, unique per server and namespace). */
  public String uid() {
    return uid;
  }

  String namespace() {
    return nsp;
  }

  RedisAdapterOptions options() {
    return options;
  }

  /** Outages reported by this server's connections so far (for tests). */
  int outages() {
    return bus.outages();
  }

  /**
   * Subscribes to this namespace's channels and waits for Redis to confirm, so that this server is
   * counted by the others before the namespace is used.
   *
   * @throws IllegalStateException when Redis cannot be reached
   */
  @Override
  public void init() {
    try {
      bus.subscribe(this, pattern, requestChannel, responseChannel, specificResponseChannel);
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
    bus.unsubscribe(pattern, requestChannel, responseChannel, specificResponseChannel);
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
    super.broadcast(packet, opts);
    if (opts.flags().local()) {
      return;
    }
    try {
      List<Object> message = List.of(uid, wirePacket(packet), wireOpts(opts, true));
      String channel = opts.rooms().size() == 1 ? broadcastPrefix + opts.rooms().iterator().next() + "#" : broadcastPrefix;
      bus.publish(channel, Msgpack.encode(message));
    } catch (RuntimeException e) {
      log.warn("could not publish a broadcast of {}", nsp, e);
    }
  }

  @Override
  public void broadcastWithAck(Packet packet, BroadcastOptions opts, IntConsumer clientCount, Consumer<Object> onAck) {
    if (!opts.flags().local()) {
      try {
        String requestId = uid2();
        long timeout = opts.flags().timeoutMillis() > 0 ? opts.flags().timeoutMillis() : options.requestsTimeout().toMillis();
        AckRequest entry = new AckRequest(clientCount, onAck,
            bus.executor().schedule(() -> ackRequests.remove(requestId), timeout, TimeUnit.MILLISECONDS));
        ackRequests.put(requestId, entry);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("uid", uid);
        request.put("requestId", requestId);
        request.put("type", BROADCAST);
        request.put("packet", wirePacket(packet));
        request.put("opts", wireOpts(opts, true));
        bus.publish(requestChannel, Msgpack.encode(request));
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
    Request r = request(REMOTE_FETCH, servers - 1, "timeout reached while waiting for fetchSockets response");
    Map<String, Object> message = requestHeader(r.id, REMOTE_FETCH);
    message.put("opts", wireOpts(opts, false));
    publishRequest(message);
    return r.done.thenApply(answers -> {
      List<AdapterContext.SocketDetails> out = new ArrayList<>(local);
      for (Object answer : answers) {
        if (answer instanceof List<?> list) {
          for (Object s : list) {
            AdapterContext.SocketDetails d = details(s);
            if (d != null) {
              out.add(d);
            }
          }
        }
      }
      return out;
    });
  }

  @Override
  public CompletionStage<Set<String>> allRooms() {
    Set<String> local = rooms();
    int servers = serverCount();
    if (servers <= 1) {
      return CompletableFuture.completedFuture(local);
    }
    Request r = request(ALL_ROOMS, servers - 1, "timeout reached while waiting for allRooms response");
    publishRequest(requestHeader(r.id, ALL_ROOMS));
    return r.done.thenApply(answers -> {
      Set<String> out = new LinkedHashSet<>(local);
      for (Object answer : answers) {
        if (answer instanceof List<?> list) {
          for (Object room : list) {
            if (room instanceof String s) {
              out.add(s);
            }
          }
        }
      }
      return out;
    });
  }

  @Override
  public void addSockets(BroadcastOptions opts, Set<String> rooms) {
    super.addSockets(opts, rooms);
    publishMembership(REMOTE_JOIN, opts, "rooms", new ArrayList<>(rooms));
  }

  @Override
  public void delSockets(BroadcastOptions opts, Set<String> rooms) {
    super.delSockets(opts, rooms);
    publishMembership(REMOTE_LEAVE, opts, "rooms", new ArrayList<>(rooms));
  }

  @Override
  public void disconnectSockets(BroadcastOptions opts, boolean close) {
    super.disconnectSockets(opts, close);
    publishMembership(REMOTE_DISCONNECT, opts, "close", close);
  }

  private void publishMembership(int type, BroadcastOptions opts, String key, Object value) {
    if (opts.flags().local()) {
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("uid", uid);
    message.put("type", type);
    message.put("opts", wireOpts(opts, false));
    message.put(key, value);
    publishRequest(message);
  }

  @Override
  public void serverSideEmit(List<Object> packet) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("uid", uid);
    message.put("type", SERVER_SIDE_EMIT);
    message.put("data", packet);
    publishRequest(message);
  }

  @Override
  public CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> packet) {
    int expected = serverCount() - 1;
    if (expected <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    Request r = request(SERVER_SIDE_EMIT, expected, null);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("uid", uid);
    message.put("requestId", r.id);
    message.put("type", SERVER_SIDE_EMIT);
    message.put("data", packet);
    publishRequest(message);
    return r.done;
  }

  /**
   * The number of servers subscribed to this namespace's request channel ({@code PUBSUB NUMSUB}),
   * read fresh on each call; 1 while Redis is unreachable. Blocks for at most the request timeout.
   */
  @Override
  public int serverCount() {
    long n = bus.numsub(requestChannel, options.requestsTimeout());
    return n < 1 ? 1 : (int) Math.min(Integer.MAX_VALUE, n);
  }

  private Map<String, Object> requestHeader(String requestId, int type) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("uid", uid);
    message.put("requestId", requestId);
    message.put("type", type);
    return message;
  }

  private void publishRequest(Map<String, Object> message) {
    publish(requestChannel, message);
  }

  /** JSON as Node sends, msgpack when the message holds binary (Node reads either). */
  private void publish(String channel, Object message) {
    try {
      bus.publish(channel, Json.hasBinary(message) ? Msgpack.encode(message) : Json.encode(message));
    } catch (RuntimeException e) {
      log.warn("could not publish a message of {}", nsp, e);
    }
  }

  private Request request(int type, int expected, String timeoutMessage) {
    String id = uid2();
    Request r = new Request(id, type, expected, timeoutMessage);
    requests.put(id, r);
    r.timer = bus.executor().schedule(r::timeout, options.requestsTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return r;
  }

  private Map<String, Object> wirePacket(Packet packet) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", 2); // EVENT even with binary: the receiver's encoder decides (REDIS-ADAPTER.md §7.2)
    p.put("data", context.toPlain(packet.data()));
    p.put("nsp", nsp);
    return p;
  }

  private static Map<String, Object> wireOpts(BroadcastOptions opts, boolean withFlags) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("rooms", new ArrayList<>(opts.rooms()));
    o.put("except", new ArrayList<>(opts.except()));
    if (withFlags) {
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
    }
    return o;
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
    try {
      if (!(Msgpack.decode(message) instanceof List<?> envelope) || envelope.size() < 3) {
        return;
      }
      if (uid.equals(envelope.get(0)) || !(envelope.get(1) instanceof Map<?, ?> packet)) {
        return;
      }
      Object packetNsp = packet.get("nsp");
      if (!nsp.equals(packetNsp == null ? "/" : packetNsp)) {
        return;
      }
      BroadcastOptions opts = parseOpts(envelope.get(2));
      super.broadcast(new Packet(2, nsp, context.fromPlain(packet.get("data")), -1), opts);
    } catch (RuntimeException e) {
      log.debug("ignored a malformed broadcast on {}", channel, e);
    }
  }

  /** A message on a request or response channel. */
  void onMessage(String channel, byte[] message) {
    Map<?, ?> m;
    try {
      Object decoded = message.length > 0 && message[0] == '{' ? Json.decode(message) : Msgpack.decode(message);
      if (!(decoded instanceof Map<?, ?> map)) {
        return;
      }
      m = map;
    } catch (RuntimeException e) {
      log.debug("ignored an undecodable message on {}", channel, e);
      return;
    }
    try {
      if (channel.equals(requestChannel)) {
        onRequest(m);
      } else {
        onResponse(m);
      }
    } catch (RuntimeException e) {
      log.warn("could not handle a message on {}", channel, e);
    }
  }

  private void onRequest(Map<?, ?> m) {
    Object from = m.get("uid");
    boolean mine = uid.equals(from);
    String requestId = m.get("requestId") instanceof String s ? s : null;
    int type = m.get("type") instanceof Number n ? n.intValue() : -1;
    switch (type) {
      case SOCKETS -> {
        if (mine || requestId == null || requests.containsKey(requestId)) {
          return;
        }
        Set<String> ids = sockets(Set.copyOf(strings(m.get("rooms"))));
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("requestId", requestId);
        reply.put("sockets", new ArrayList<>(ids));
        respond(from, reply);
      }
      case ALL_ROOMS -> {
        if (mine || requestId == null || requests.containsKey(requestId)) {
          return;
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("requestId", requestId);
        reply.put("rooms", new ArrayList<>(rooms()));
        respond(from, reply);
      }
      case REMOTE_JOIN, REMOTE_LEAVE, REMOTE_DISCONNECT -> {
        if (m.get("opts") == null) {
          legacySocketRequest(type, from, requestId, m);
          return;
        }
        if (mine) {
          return; // applied locally when asked
        }
        BroadcastOptions opts = parseOpts(m.get("opts"));
        if (type == REMOTE_DISCONNECT) {
          super.disconnectSockets(opts, Boolean.TRUE.equals(m.get("close")));
        } else if (type == REMOTE_JOIN) {
          super.addSockets(opts, Set.copyOf(strings(m.get("rooms"))));
        } else {
          super.delSockets(opts, Set.copyOf(strings(m.get("rooms"))));
        }
      }
      case REMOTE_FETCH -> {
        if (mine || requestId == null || requests.containsKey(requestId)) {
          return;
        }
        List<Object> sockets = new ArrayList<>();
        for (AdapterContext.SocketDetails d : super.fetchSockets(parseOpts(m.get("opts"))).toCompletableFuture().join()) {
          sockets.add(plain(d));
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("requestId", requestId);
        reply.put("sockets", sockets);
        respond(from, reply);
      }
      case SERVER_SIDE_EMIT -> {
        if (mine || !(m.get("data") instanceof List<?> data)) {
          return;
        }
        List<Object> packet = new ArrayList<>(data);
        if (requestId == null) {
          context.serverSideEvent(packet, null);
          return;
        }
        context.serverSideEvent(packet, answer -> {
          Map<String, Object> reply = new LinkedHashMap<>();
          reply.put("type", SERVER_SIDE_EMIT);
          reply.put("requestId", requestId);
          reply.put("data", answer);
          publish(responseChannel, reply); // always the shared channel, as Node
        });
      }
      case BROADCAST -> {
        if (mine || requestId == null || ackRequests.containsKey(requestId) || !(m.get("packet") instanceof Map<?, ?> p)) {
          return;
        }
        BroadcastOptions opts = parseOpts(m.get("opts"));
        long ackId = context.nextAckId();
        Packet packet = new Packet(2, nsp, context.fromPlain(p.get("data")), ackId);
        long expiry = opts.flags().timeoutMillis() > 0 ? opts.flags().timeoutMillis() : options.requestsTimeout().toMillis();
        // the origin stops waiting after its timeout: clients that have not answered by then never will
        bus.executor().schedule(() -> context.dropAck(ackId), expiry, TimeUnit.MILLISECONDS);
        super.broadcastWithAck(packet, opts, count -> {
          Map<String, Object> reply = new LinkedHashMap<>();
          reply.put("type", BROADCAST_CLIENT_COUNT);
          reply.put("requestId", requestId);
          reply.put("clientCount", count);
          respond(from, reply);
        }, ack -> {
          if (ack instanceof Throwable) {
            return; // the socket went away before answering
          }
          List<Object> args = context.ackArguments(ack);
          Map<String, Object> reply = new LinkedHashMap<>();
          reply.put("type", BROADCAST_ACK);
          reply.put("requestId", requestId);
          if (!args.isEmpty()) {
            reply.put("packet", args.get(0)); // only the first argument crosses, as in Node
          }
          bus.publish(responseChannelFor(from), Msgpack.encode(reply));
        });
      }
      default -> {
        // an unknown type: ignore
      }
    }
  }

  /** {@code {uid, requestId, type:2|3, sid, room}} and {@code {uid, requestId, type:4, sid, close}}. */
  private void legacySocketRequest(int type, Object from, String requestId, Map<?, ?> m) {
    if (!(m.get("sid") instanceof String sid) || !sids.containsKey(sid)) {
      return;
    }
    if (type == REMOTE_DISCONNECT) {
      context.disconnect(sid, Boolean.TRUE.equals(m.get("close")));
    } else if (m.get("room") instanceof String room) {
      if (type == REMOTE_JOIN) {
        addAll(sid, Set.of(room));
      } else {
        del(sid, room);
      }
    }
    if (requestId != null) {
      respond(from, Map.of("requestId", requestId));
    }
  }

  private void onResponse(Map<?, ?> m) {
    if (!(m.get("requestId") instanceof String requestId)) {
      return;
    }
    int type = m.get("type") instanceof Number n ? n.intValue() : -1;
    if (type == BROADCAST_CLIENT_COUNT) {
      AckRequest a = ackRequests.get(requestId);
      if (a != null && m.get("clientCount") instanceof Number n) {
        a.clientCount.accept(n.intValue());
      }
      return;
    }
    if (type == BROADCAST_ACK) {
      AckRequest a = ackRequests.get(requestId);
      if (a != null) {
        List<Object> args = new ArrayList<>(1);
        if (m.containsKey("packet")) {
          args.add(m.get("packet"));
        }
        a.onAck.accept(context.ackFromArguments(args));
      }
      return;
    }
    Request r = requests.get(requestId);
    if (r == null) {
      return; // not ours, finished, or timed out
    }
    switch (r.type) {
      case REMOTE_FETCH, SOCKETS -> r.add(m.get("sockets"));
      case ALL_ROOMS -> r.add(m.get("rooms"));
      case SERVER_SIDE_EMIT -> r.add(m.get("data"));
      default -> {
      }
    }
  }

  private void respond(Object requesterUid, Map<String, Object> reply) {
    publish(responseChannelFor(requesterUid), reply);
  }

  private String responseChannelFor(Object requesterUid) {
    if (options.publishOnSpecificResponseChannel() && requesterUid instanceof String u) {
      return responseChannel + u + "#";
    }
    return responseChannel;
  }

  // ------------------------------------------------------------------ values

  static BroadcastOptions parseOpts(Object o) {
    if (!(o instanceof Map<?, ?> m)) {
      return new BroadcastOptions(Set.of(), Set.of(), BroadcastFlags.NONE);
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

  static Map<String, Object> plain(AdapterContext.SocketDetails d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("handshake", d.handshake());
    List<Object> rooms = new ArrayList<>();
    rooms.add(d.id()); // own id first, as Node
    for (String r : d.rooms()) {
      if (!r.equals(d.id())) {
        rooms.add(r);
      }
    }
    out.put("rooms", rooms);
    out.put("data", d.data());
    return out;
  }

  @SuppressWarnings("unchecked")
  static AdapterContext.SocketDetails details(Object o) {
    if (!(o instanceof Map<?, ?> m) || !(m.get("id") instanceof String id)) {
      return null;
    }
    Map<String, Object> handshake = m.get("handshake") instanceof Map<?, ?> h ? (Map<String, Object>) h : Map.of();
    Map<String, Object> data = m.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : new LinkedHashMap<>();
    return new AdapterContext.SocketDetails(id, handshake, new LinkedHashSet<>(strings(m.get("rooms"))), data);
  }

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

  // ------------------------------------------------------------------ pending requests

  private record AckRequest(IntConsumer clientCount, Consumer<Object> onAck, ScheduledFuture<?> timer) {}

  private final class Request {
    final String id;
    final int type;
    final int expected;
    final String timeoutMessage;
    final List<Object> answers = new ArrayList<>();
    final CompletableFuture<List<Object>> done = new CompletableFuture<>();
    volatile ScheduledFuture<?> timer;

    Request(String id, int type, int expected, String timeoutMessage) {
      this.id = id;
      this.type = type;
      this.expected = expected;
      this.timeoutMessage = timeoutMessage;
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
      String message = timeoutMessage != null ? timeoutMessage
          : "timeout reached: only " + partial.size() + " responses received out of " + expected;
      done.completeExceptionally(new RequestTimeoutException(message, type == SERVER_SIDE_EMIT ? partial : List.of()));
    }

    void fail(Throwable t) {
      done.completeExceptionally(t);
    }
  }
}
