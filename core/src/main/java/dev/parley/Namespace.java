package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.adapter.AckResult;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.EncodedPacket;
import dev.parley.adapter.Packet;
import dev.parley.adapter.PacketType;
import dev.parley.adapter.RoomEvent;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A namespace: a channel of its own over the shared connections, with its own middleware, sockets,
 * rooms and adapter. The main namespace is {@code "/"}; others come from
 * {@link SocketIoServer#of(String)} or from a dynamic pattern.
 *
 * <pre>{@code
 * Namespace chat = io.of("/chat");
 * chat.use((socket, next) -> next.proceed());
 * chat.onConnection(socket -> socket.join("general"));
 * chat.to("general").emit("announcement", "welcome");
 * }</pre>
 */
public final class Namespace {
  private final String name;
  private final SocketIoServer server;
  private final Adapter adapter;
  private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<ConnectMiddleware> middlewares = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<Socket>> connectionHandlers = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<RoomEvent>> roomListeners = new CopyOnWriteArrayList<>();
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
    this.adapter = adapterFactory.create(new Context());
    this.adapter.init();
    this.operator = new BroadcastOperator(this, java.util.Set.of(), java.util.Set.of(), BroadcastFlags.NONE);
  }

  /** The name, e.g. {@code "/"} or {@code "/chat"}. */
  public String name() {
    return name;
  }

  /** The server this namespace belongs to. */
  public SocketIoServer server() {
    return server;
  }

  /** This namespace's adapter (rooms and delivery). */
  public Adapter adapter() {
    return adapter;
  }

  /** The sockets connected to this namespace on this node, by id (a live read-only view). */
  public Map<String, Socket> sockets() {
    return Collections.unmodifiableMap(sockets);
  }

  /** Adds connect middleware, run in registration order before a socket joins. */
  public Namespace use(ConnectMiddleware middleware) {
    middlewares.add(Objects.requireNonNull(middleware, "middleware == null"));
    return this;
  }

  /** Adds a handler for new sockets; it runs on the connection's executor. */
  public Namespace onConnection(Consumer<Socket> handler) {
    connectionHandlers.add(Objects.requireNonNull(handler, "handler == null"));
    return this;
  }

  /** Adds a listener for room events: create, delete, join, leave. */
  public Namespace onRoomEvent(Consumer<RoomEvent> listener) {
    roomListeners.add(Objects.requireNonNull(listener, "listener == null"));
    return this;
  }

  // ------------------------------------------------------------------ broadcasting

  /** The operator targeting every socket of the namespace. */
  BroadcastOperator operator() {
    return operator;
  }

  public BroadcastOperator to(String... rooms) {
    return operator.to(rooms);
  }

  public BroadcastOperator in(String... rooms) {
    return operator.to(rooms);
  }

  public BroadcastOperator except(String... rooms) {
    return operator.except(rooms);
  }

  public BroadcastOperator local() {
    return operator.local();
  }

  public BroadcastOperator unreliable() {
    return operator.unreliable();
  }

  public BroadcastOperator compress(boolean compress) {
    return operator.compress(compress);
  }

  public BroadcastOperator timeout(Duration timeout) {
    return operator.timeout(timeout);
  }

  /** Sends an event to every socket of the namespace. */
  public void emit(String event, Object... args) {
    operator.emit(event, args);
  }

  /** Alias of {@code emit("message", args)}. */
  public void send(Object... args) {
    operator.emit("message", args);
  }

  /** Handles to every socket of the namespace (cluster-wide with a cluster adapter). */
  public CompletableFuture<List<RemoteSocket>> fetchSockets() {
    return operator.fetchSockets();
  }

  /** Makes every socket join rooms. */
  public void socketsJoin(String... rooms) {
    operator.socketsJoin(rooms);
  }

  /** Makes every socket leave rooms. */
  public void socketsLeave(String... rooms) {
    operator.socketsLeave(rooms);
  }

  /** Disconnects every socket. */
  public void disconnectSockets(boolean close) {
    operator.disconnectSockets(close);
  }

  /**
   * Sends an event to the other servers of the cluster (none with the in-memory adapter). Listen on
   * other nodes with {@link #onServerSideEmit}.
   */
  public void serverSideEmit(String event, Object... args) {
    adapter.serverSideEmit(serverSidePacket(event, args));
  }

  /**
   * Sends an event to the other servers and collects one answer from each (as single-value
   * {@link Args}); fails with the adapter's timeout error when a server does not answer in time.
   * With the in-memory adapter it completes at once with no answers.
   */
  public CompletableFuture<List<Args>> serverSideEmitWithAck(String event, Object... args) {
    CompletableFuture<List<Args>> result = new CompletableFuture<>();
    adapter.serverSideEmitWithAck(serverSidePacket(event, args)).whenComplete((answers, error) -> {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (cause instanceof dev.parley.adapter.RequestTimeoutException) {
        result.completeExceptionally(new AckTimeoutException(cause.getMessage(),
            toArgs(((dev.parley.adapter.RequestTimeoutException) cause).responses())));
      } else if (cause != null) {
        result.completeExceptionally(cause);
      } else {
        result.complete(toArgs(answers));
      }
    });
    return result;
  }

  private List<Args> toArgs(List<Object> plainAnswers) {
    List<Args> out = new java.util.ArrayList<>(plainAnswers.size());
    for (Object a : plainAnswers) {
      out.add(new Args(List.of(server.wire().fromPlain(a)), server.wire().mapper));
    }
    return out;
  }

  private List<Object> serverSidePacket(String event, Object[] args) {
    Wire.checkEventName(event);
    List<Object> packet = new java.util.ArrayList<>(args.length + 1);
    packet.add(event);
    for (Object a : args) {
      packet.add(Wire.toPlain(server.wire().toNode(a)));
    }
    return packet;
  }

  private final CopyOnWriteArrayList<ServerSideListener> serverSideListeners = new CopyOnWriteArrayList<>();

  /** Listens to events other servers sent with {@link #serverSideEmit} or {@link #serverSideEmitWithAck}. */
  public Namespace onServerSideEmit(ServerSideListener listener) {
    serverSideListeners.add(Objects.requireNonNull(listener, "listener == null"));
    return this;
  }

  /** Every room of the namespace, cluster-wide with a cluster adapter. */
  public CompletableFuture<java.util.Set<String>> allRooms() {
    return adapter.allRooms().toCompletableFuture();
  }

  // ------------------------------------------------------------------ internals

  /** Forgets ack {@code ackId} on every local socket (a broadcast with acks timed out). */
  void dropAck(long ackId) {
    for (Socket s : sockets.values()) {
      s.cancelAck(ackId);
    }
  }

  long nextAckId() {
    return ackIds.getAndIncrement();
  }

  void runMiddlewares(Socket socket, Consumer<ConnectError> done) {
    runMiddleware(0, socket, done);
  }

  private void runMiddleware(int index, Socket socket, Consumer<ConnectError> done) {
    List<ConnectMiddleware> chain = server.middlewareChain(this);
    if (index >= chain.size()) {
      done.accept(null);
      return;
    }
    AtomicBoolean called = new AtomicBoolean();
    try {
      chain.get(index).handle(socket, new ConnectMiddleware.Next() {
        @Override
        public void proceed() {
          if (called.compareAndSet(false, true)) {
            runMiddleware(index + 1, socket, done);
          }
        }

        @Override
        public void fail(ConnectError error) {
          if (called.compareAndSet(false, true)) {
            done.accept(Objects.requireNonNull(error, "error == null"));
          }
        }
      });
    } catch (ConnectError e) {
      if (called.compareAndSet(false, true)) {
        done.accept(e);
      }
    } catch (Throwable e) {
      server.reportError(socket, "middleware", e);
      if (called.compareAndSet(false, true)) {
        done.accept(new ConnectError(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      }
    }
  }

  List<ConnectMiddleware> middlewares() {
    return middlewares;
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

  void add(Socket socket) {
    sockets.put(socket.id(), socket);
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

  Packet eventPacket(String event, Object[] args, long ackId) {
    return new Packet(PacketType.EVENT, name, new JsonPayload(server.wire().eventArray(event, args)), ackId);
  }

  /** Encodes a packet of this namespace once, with its offset appended as the last argument when it has one. */
  EncodedFrames encode(Packet packet) {
    JsonNode array = server.wire().array(packet.data());
    String offset = packet.offset();
    if (offset != null) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(array.size() + 1);
      copy.addAll((ArrayNode) array);
      copy.add(offset);
      array = copy;
    }
    SioPacketType type = SioPacketType.fromDigit((char) ('0' + packet.type().code()));
    return new EncodedFrames(server.wire().encode(new SioPacket(type, packet.nsp(), packet.id(), array)), offset);
  }

  /** The adapter's view of this namespace. */
  private final class Context implements AdapterContext {
    @Override
    public String namespace() {
      return name;
    }

    @Override
    public EncodedPacket encode(Packet packet) {
      return Namespace.this.encode(packet);
    }

    @Override
    public long maxDisconnectionDurationMillis() {
      ConnectionStateRecovery r = server.recovery();
      return r == null ? 0 : r.maxDisconnectionDuration().toMillis();
    }

    @Override
    public long nowMillis() {
      return server.engine().scheduler().nowMillis();
    }

    // an adapter only has the packets this context encoded: EncodedFrames
    @Override
    public void deliver(String socketId, EncodedPacket encoded, BroadcastFlags flags) {
      Socket s = sockets.get(socketId);
      if (s != null) {
        s.deliver((EncodedFrames) encoded, flags);
      }
    }

    @Override
    public void deliverWithAck(String socketId, EncodedPacket encoded, long ackId, Consumer<AckResult> onAck) {
      Socket s = sockets.get(socketId);
      if (s != null) {
        s.expectAck(ackId, onAck);
        s.deliver((EncodedFrames) encoded, BroadcastFlags.NONE);
      }
    }

    @Override
    public Optional<SocketDetails> socketDetails(String socketId) {
      Socket s = sockets.get(socketId);
      if (s == null) {
        return Optional.empty();
      }
      // the shape socket.io's fetchSockets gives, so Node nodes of a mixed cluster can read it
      Handshake h = s.handshake();
      Map<String, Object> headers = new java.util.LinkedHashMap<>();
      h.headers().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(", ", v)));
      Map<String, Object> query = new java.util.LinkedHashMap<>();
      h.query().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
      Map<String, Object> hs = new java.util.LinkedHashMap<>();
      hs.put("headers", headers);
      hs.put("time", h.time().toString());
      hs.put("address", h.address());
      hs.put("xdomain", h.header("Origin") != null);
      hs.put("secure", h.secure());
      hs.put("issued", h.time().toEpochMilli());
      hs.put("url", h.url());
      hs.put("query", query);
      hs.put("auth", Wire.toPlain(h.auth()));
      Map<String, Object> data = new java.util.LinkedHashMap<>();
      s.data().forEach((k, v) -> data.put(k, Wire.toPlain(server.wire().toNode(v))));
      java.util.Set<String> rooms = new java.util.LinkedHashSet<>();
      rooms.add(s.id());
      rooms.addAll(s.rooms());
      return Optional.of(new SocketDetails(s.id(), hs, rooms, data));
    }

    @Override
    public void disconnect(String socketId, boolean close) {
      Socket s = sockets.get(socketId);
      if (s != null) {
        s.disconnect(close);
      }
    }

    @Override
    public Object toPlain(Object value) {
      return Wire.toPlain(server.wire().toNode(value)); // a socket's data value, for persisting a session
    }

    @Override
    public long nextAckId() {
      return Namespace.this.nextAckId();
    }

    @Override
    public void dropAck(long ackId) {
      Namespace.this.dropAck(ackId);
    }

    @Override
    public void serverSideEvent(List<Object> packet, Consumer<Object> reply) {
      if (packet.isEmpty() || !(packet.get(0) instanceof String)) {
        return;
      }
      String event = (String) packet.get(0);
      List<JsonNode> values = new java.util.ArrayList<>(packet.size() - 1);
      for (Object a : packet.subList(1, packet.size())) {
        values.add(server.wire().fromPlain(a));
      }
      Args args = new Args(values, server.wire().mapper);
      AtomicBoolean answered = new AtomicBoolean();
      Ack ack = reply == null ? Ack.NONE : results -> {
        if (answered.compareAndSet(false, true)) {
          reply.accept(results.length == 0 ? null : Wire.toPlain(server.wire().toNode(results[0])));
        }
      };
      // listeners are user code: never on the adapter's (message-reading) thread
      server.engine().executor().execute(() -> {
        for (ServerSideListener l : serverSideListeners) {
          try {
            l.onEvent(event, args, ack);
          } catch (Throwable e) {
            server.reportError(null, "serverSideEmit " + event, e);
          }
        }
      });
    }

    @Override
    public void roomEvent(RoomEvent event) {
      for (Consumer<RoomEvent> l : roomListeners) {
        try {
          l.accept(event);
        } catch (Throwable e) {
          server.reportError(null, "room " + event.kind(), e);
        }
      }
    }
  }

  Socket localSocket(String id) {
    return sockets.get(id);
  }
}
