package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.Packet;
import dev.parley.adapter.PacketType;
import dev.parley.adapter.RequestTimeoutException;
import dev.parley.adapter.RoomEvent;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A namespace: a channel of its own over the shared connections, with its own middleware, sockets,
 * rooms and adapter. The main namespace is {@code "/"}; others come from
 * {@link SocketIoServer#of(String)} or from a dynamic pattern ({@link SocketIoServer#of(java.util.regex.Pattern)}).
 * Its broadcast methods ({@link #to}, {@link #emit}, ...) start from an operator that targets every
 * socket of the namespace; see {@link BroadcastOperator}.
 *
 * <pre>{@code
 * Namespace chat = io.of("/chat");
 * chat.use((socket, next) -> next.proceed());
 * chat.onConnection(socket -> socket.join("general"));
 * chat.to("general").emit("announcement", "welcome");
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class Namespace {
  private final String name;
  private final SocketIoServer server;
  private final Adapter adapter;
  private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<ConnectMiddleware> middlewares = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<Socket>> connectionHandlers = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<RoomEvent>> roomListeners = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<ServerSideListener> serverSideListeners = new CopyOnWriteArrayList<>();
  /** Ack ids: one counter per namespace, as in socket.io, so one broadcast carries one id for all. */
  private final AtomicLong ackIds = new AtomicLong();
  private final BroadcastOperator operator;
  /**
   * Set (before the namespace is published) for a dynamic child that is removed once empty; the
   * retired flag is then guarded by {@link #sockets} as a monitor, so no socket joins a child that is
   * being removed.
   */
  private DynamicNamespaces removedWhenEmptyBy;
  private boolean retired;

  Namespace(String name, SocketIoServer server, Adapter.Factory adapterFactory) {
    this.name = name;
    this.server = server;
    this.adapter = adapterFactory.create(new NamespaceAdapterContext(this, server.instruments()));
    this.adapter.init();
    this.operator = new BroadcastOperator(this, Set.of(), Set.of(), BroadcastFlags.NONE);
  }

  /** The name, e.g. {@code "/"} or {@code "/chat"}. */
  public String name() {
    return name;
  }

  /** The server this namespace belongs to. */
  public SocketIoServer server() {
    return server;
  }

  /**
   * This namespace's adapter: its rooms and their delivery, across the cluster with a cluster adapter.
   * Public as socket.io's {@code namespace.adapter} is, to read room membership: {@code rooms()},
   * {@code sockets(rooms)}, {@code socketRooms(id)}, {@code allRooms()}, {@code serverCount()}. Its
   * other methods are the server's side of the adapter SPI ({@code addAll}, {@code broadcast},
   * {@code persistSession}, ...), which Parley calls: calling them directly bypasses the Socket.IO
   * layer (no socket state, no encoding checks, no observers); use {@link Socket} and
   * {@link BroadcastOperator} ({@code io.to(room)}, {@code io.in(room).socketsJoin(...)}) instead.
   *
   * <pre>{@code
   * Set<String> rooms = io.sockets().adapter().rooms();                 // rooms with a local socket
   * int here = io.sockets().adapter().sockets(Set.of("lobby")).size();  // local sockets in "lobby"
   * }</pre>
   */
  public Adapter adapter() {
    return adapter;
  }

  /** The sockets connected to this namespace on this node, by id (a live read-only view). */
  public Map<String, Socket> sockets() {
    return Collections.unmodifiableMap(sockets);
  }

  /**
   * Adds connect middleware, run in registration order before a socket joins (after the middleware
   * of the dynamic namespace this one was created for, if any).
   *
   * <pre>{@code
   * io.of("/admin").use((socket, next) -> {
   *   if (isAdmin(socket.handshake())) next.proceed();
   *   else next.fail(new ConnectError("forbidden"));
   * });
   * }</pre>
   *
   * @return this namespace
   */
  public Namespace use(ConnectMiddleware middleware) {
    middlewares.add(Objects.requireNonNull(middleware, "middleware == null"));
    return this;
  }

  /**
   * Adds a handler for new sockets; it runs on the connection's lane, after the socket joined its own
   * room (and the rooms middleware joined) and before the client can act on its CONNECT.
   *
   * <pre>{@code
   * chat.onConnection(socket -> {
   *   socket.join("general");
   *   socket.on("message", (args, ack) -> chat.to("general").emit("message", args.get(0)));
   * });
   * }</pre>
   *
   * @return this namespace
   */
  public Namespace onConnection(Consumer<Socket> handler) {
    connectionHandlers.add(Objects.requireNonNull(handler, "handler == null"));
    return this;
  }

  /**
   * Adds a listener for this server's room events: a room created or deleted, a socket joined or
   * left. Called on the thread that changed the membership; it must not block.
   *
   * <pre>{@code
   * io.sockets().onRoomEvent(e -> {
   *   if (e.kind() == RoomEvent.Kind.CREATE) log.info("room {} created", e.room());
   * });
   * }</pre>
   *
   * @return this namespace
   */
  public Namespace onRoomEvent(Consumer<RoomEvent> listener) {
    roomListeners.add(Objects.requireNonNull(listener, "listener == null"));
    return this;
  }

  // ------------------------------------------------------------------ broadcasting

  /**
   * The sockets in these rooms (a socket in several is reached once).
   *
   * <pre>{@code
   * chat.to("room1").to("room2").emit("news", item);
   * }</pre>
   */
  public BroadcastOperator to(String... rooms) {
    return operator.to(rooms);
  }

  /** Same as {@link #to}. */
  public BroadcastOperator in(String... rooms) {
    return operator.to(rooms);
  }

  /**
   * Every socket of the namespace except those in these rooms.
   *
   * <pre>{@code
   * chat.except("muted").emit("announcement", text);
   * }</pre>
   */
  public BroadcastOperator except(String... rooms) {
    return operator.except(rooms);
  }

  /** Only this server's sockets, even with a cluster adapter. */
  public BroadcastOperator local() {
    return operator.local();
  }

  /**
   * Events dropped for clients that cannot take them now (socket.io's {@code volatile}).
   *
   * <pre>{@code
   * chat.unreliable().emit("cursor", position);
   * }</pre>
   */
  public BroadcastOperator unreliable() {
    return operator.unreliable();
  }

  /** Whether the payload may be compressed (permessage-deflate, when enabled). */
  public BroadcastOperator compress(boolean compress) {
    return operator.compress(compress);
  }

  /**
   * How long {@link BroadcastOperator#emitWithAck} waits for every client.
   *
   * <pre>{@code
   * chat.timeout(Duration.ofSeconds(5)).emitWithAck("vote", question)
   *     .thenAccept(answers -> log.info("{} votes", answers.size()));
   * }</pre>
   */
  public BroadcastOperator timeout(Duration timeout) {
    return operator.timeout(timeout);
  }

  /**
   * Sends an event to every socket of the namespace (on every server, with a cluster adapter).
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public void emit(String event, Object... args) {
    operator.emit(event, args);
  }

  /** Sends a {@code "message"} event to every socket: the same as {@code emit("message", args)}. */
  public void send(Object... args) {
    operator.emit("message", args);
  }

  /** Handles to every socket of the namespace (cluster-wide with a cluster adapter). */
  public CompletableFuture<List<RemoteSocket>> fetchSockets() {
    return operator.fetchSockets();
  }

  /** Makes every socket of the namespace join rooms. */
  public void socketsJoin(String... rooms) {
    operator.socketsJoin(rooms);
  }

  /** Makes every socket of the namespace leave rooms. */
  public void socketsLeave(String... rooms) {
    operator.socketsLeave(rooms);
  }

  /** Disconnects every socket of the namespace; with {@code close}, their whole connections. */
  public void disconnectSockets(boolean close) {
    operator.disconnectSockets(close);
  }

  /** Every room of the namespace, cluster-wide with a cluster adapter. */
  public CompletableFuture<Set<String>> allRooms() {
    return adapter.allRooms().toCompletableFuture();
  }

  // ------------------------------------------------------------------ server-side emits

  /**
   * Sends an event to the other servers of the cluster (none with the in-memory adapter). Listen on
   * other nodes with {@link #onServerSideEmit}.
   *
   * <pre>{@code
   * io.sockets().serverSideEmit("cache:invalidate", key);
   * }</pre>
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public void serverSideEmit(String event, Object... args) {
    adapter.serverSideEmit(serverSidePacket(event, args));
  }

  /**
   * Sends an event to the other servers and collects one answer from each (as single-value
   * {@link Args}); fails with {@link AckTimeoutException} (holding the answers received) when a
   * server does not answer in time. With the in-memory adapter it completes at once with no answers.
   *
   * <pre>{@code
   * io.sockets().serverSideEmitWithAck("load?").thenAccept(loads -> balance(loads));
   * }</pre>
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public CompletableFuture<List<Args>> serverSideEmitWithAck(String event, Object... args) {
    CompletableFuture<List<Args>> result = new CompletableFuture<>();
    adapter.serverSideEmitWithAck(serverSidePacket(event, args)).whenComplete((answers, error) -> {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof RequestTimeoutException) {
        result.completeExceptionally(new AckTimeoutException(cause.getMessage(),
            toArgs(((RequestTimeoutException) cause).responses())));
      } else if (cause != null) {
        result.completeExceptionally(cause);
      } else {
        result.complete(toArgs(answers));
      }
    });
    return result;
  }

  /**
   * Listens to events other servers sent with {@link #serverSideEmit} or
   * {@link #serverSideEmitWithAck}; listeners run on a pool thread.
   *
   * @return this namespace
   */
  public Namespace onServerSideEmit(ServerSideListener listener) {
    serverSideListeners.add(Objects.requireNonNull(listener, "listener == null"));
    return this;
  }

  private List<Args> toArgs(List<Object> plainAnswers) {
    List<Args> out = new ArrayList<>(plainAnswers.size());
    for (Object a : plainAnswers) {
      out.add(new Args(List.of(server.wire().fromPlain(a)), server.wire().mapper));
    }
    return out;
  }

  private List<Object> serverSidePacket(String event, Object[] args) {
    Wire.checkEventName(event);
    server.instruments().serverSideEmit(this, event, args);
    List<Object> packet = new ArrayList<>(args.length + 1);
    packet.add(event);
    for (Object a : args) {
      packet.add(Wire.toPlain(server.wire().toNode(a)));
    }
    return packet;
  }

  @Override
  public String toString() {
    return "Namespace{" + name + "}";
  }

  // ------------------------------------------------------------------ package-private: sockets and connects

  /** The operator targeting every socket of the namespace. */
  BroadcastOperator operator() {
    return operator;
  }

  Socket localSocket(String id) {
    return sockets.get(id);
  }

  int socketCount() {
    return sockets.size();
  }

  List<ConnectMiddleware> middlewares() {
    return middlewares;
  }

  List<Consumer<RoomEvent>> roomListeners() {
    return roomListeners;
  }

  List<ServerSideListener> serverSideListeners() {
    return serverSideListeners;
  }

  /** Runs the connect middleware (the dynamic parent's first) for a connecting socket. */
  void runMiddlewares(Socket socket, Consumer<ConnectError> done) {
    ConnectMiddlewareChain.run(server, server.middlewareChain(this), socket, done);
  }

  /**
   * Takes a connecting socket in, before its CONNECT is answered; false when this namespace is a child
   * removed meanwhile because its last socket left (the caller connects to its successor instead).
   */
  boolean admit(Socket socket) {
    if (removedWhenEmptyBy == null) {
      sockets.put(socket.id(), socket);
      return true;
    }
    synchronized (sockets) {
      if (retired) {
        return false;
      }
      sockets.put(socket.id(), socket);
      return true;
    }
  }

  /** The socket connected: observers first, then the connection handlers (the namespace's, the parent's). */
  void add(Socket socket) {
    sockets.put(socket.id(), socket);
    server.instruments().socketConnected(socket);
    for (Consumer<Socket> h : connectionHandlers) {
      try {
        h.accept(socket);
      } catch (Throwable e) {
        server.reportError(socket, "connection", e);
      }
    }
    server.fireConnection(this, socket);
  }

  void remove(Socket socket) {
    sockets.remove(socket.id(), socket);
    connectEnded();
  }

  /**
   * A socket left, or a CONNECT to this namespace ended without one: a child removed when empty goes
   * now if it is.
   */
  void connectEnded() {
    DynamicNamespaces owner = removedWhenEmptyBy;
    if (owner != null && sockets.isEmpty()) {
      owner.removeIfEmpty(this);
    }
  }

  /** Makes a socket being restored reachable by deliveries; false if its id is taken (or the namespace removed). */
  boolean register(Socket socket) {
    if (removedWhenEmptyBy == null) {
      return sockets.putIfAbsent(socket.id(), socket) == null;
    }
    synchronized (sockets) {
      return !retired && sockets.putIfAbsent(socket.id(), socket) == null;
    }
  }

  /** cleanupEmptyChildNamespaces: this child goes once it has no socket (set before it is published). */
  void removeWhenEmpty(DynamicNamespaces owner) {
    this.removedWhenEmptyBy = owner;
  }

  /** Marks this child removed if it has no socket; true when it did (then no socket can join it). */
  boolean retireIfEmpty() {
    synchronized (sockets) {
      if (retired || !sockets.isEmpty()) {
        return false;
      }
      retired = true;
      return true;
    }
  }

  // ------------------------------------------------------------------ package-private: acks and packets

  long nextAckId() {
    return ackIds.getAndIncrement();
  }

  /** Forgets ack {@code ackId} on every local socket (a broadcast with acks timed out). */
  void dropAck(long ackId) {
    for (Socket s : sockets.values()) {
      s.cancelAck(ackId);
    }
  }

  /** An event packet this server emits, its local deliveries counted in {@code tally}. */
  Packet eventPacket(String event, Object[] args, long ackId, DeliveryTally tally) {
    return new Packet(PacketType.EVENT, name, new JsonPayload(server.wire().eventArray(event, args), tally), ackId);
  }

  /** Encodes a packet of this namespace once, with its offset appended as the last argument when it has one. */
  EncodedFrames encode(Packet packet) {
    JsonNode array = server.wire().array(packet.data());
    JsonNode sent = array;
    String offset = packet.offset();
    if (offset != null) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(array.size() + 1);
      copy.addAll((ArrayNode) array);
      copy.add(offset);
      sent = copy;
    }
    SioPacketType type = SioPacketType.fromDigit((char) ('0' + packet.type().code()));
    DeliveryTally tally = packet.data() instanceof JsonPayload ? ((JsonPayload) packet.data()).tally() : null;
    return new EncodedFrames(server.wire().encode(new SioPacket(type, packet.nsp(), packet.id(), sent)), offset,
        array, tally);
  }
}
