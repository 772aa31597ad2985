package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RoomEvent;
import dev.parley.engine.protocol.EnginePacket;
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
    Wire.checkEventName(event);
    List<Object> packet = new java.util.ArrayList<>();
    packet.add(event);
    for (Object a : args) {
      packet.add(server.wire().toNode(a));
    }
    adapter.serverSideEmit(packet, null);
  }

  private final CopyOnWriteArrayList<AnyEventListener> serverSideListeners = new CopyOnWriteArrayList<>();

  /** Listens to events other servers sent with {@link #serverSideEmit}. */
  public Namespace onServerSideEmit(AnyEventListener listener) {
    serverSideListeners.add(Objects.requireNonNull(listener, "listener == null"));
    return this;
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
    } catch (RuntimeException e) {
      server.reportError(socket, "middleware", e);
      if (called.compareAndSet(false, true)) {
        done.accept(new ConnectError(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      }
    }
  }

  List<ConnectMiddleware> middlewares() {
    return middlewares;
  }

  void add(Socket socket) {
    sockets.put(socket.id(), socket);
    for (Consumer<Socket> h : connectionHandlers) {
      try {
        h.accept(socket);
      } catch (RuntimeException e) {
        server.reportError(socket, "connection", e);
      }
    }
    server.fireConnection(this, socket);
  }

  void remove(Socket socket) {
    sockets.remove(socket.id(), socket);
  }

  Packet eventPacket(String event, Object[] args, long ackId) {
    return new Packet(SioPacketType.EVENT.ordinal(), name, server.wire().eventArray(event, args), ackId);
  }

  /** The adapter's view of this namespace. */
  private final class Context implements AdapterContext {
    @Override
    public String namespace() {
      return name;
    }

    @Override
    public Object encode(Packet packet) {
      SioPacketType type = SioPacketType.values()[packet.type()];
      return server.wire().encode(new SioPacket(type, packet.nsp(), packet.id(), (JsonNode) packet.data()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public void deliver(String socketId, Object encoded, BroadcastFlags flags) {
      Socket s = sockets.get(socketId);
      if (s != null) {
        s.deliver((List<EnginePacket>) encoded, flags);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void deliverWithAck(String socketId, Object encoded, long ackId, Consumer<Object> onAck) {
      Socket s = sockets.get(socketId);
      if (s != null) {
        s.expectAck(ackId, onAck);
        s.deliver((List<EnginePacket>) encoded, BroadcastFlags.NONE);
      }
    }

    @Override
    public Optional<SocketDetails> socketDetails(String socketId) {
      Socket s = sockets.get(socketId);
      if (s == null) {
        return Optional.empty();
      }
      Handshake h = s.handshake();
      Map<String, Object> hs = new java.util.LinkedHashMap<>();
      hs.put("headers", h.headers());
      hs.put("time", h.time().toString());
      hs.put("address", h.address());
      hs.put("secure", h.secure());
      hs.put("issued", h.time().toEpochMilli());
      hs.put("url", h.url());
      hs.put("query", h.query());
      hs.put("auth", h.auth());
      return Optional.of(new SocketDetails(s.id(), hs, s.rooms(), Map.copyOf(s.data())));
    }

    @Override
    public void disconnect(String socketId, boolean close) {
      Socket s = sockets.get(socketId);
      if (s != null) {
        s.disconnect(close);
      }
    }

    @Override
    public void roomEvent(RoomEvent event) {
      for (Consumer<RoomEvent> l : roomListeners) {
        try {
          l.accept(event);
        } catch (RuntimeException e) {
          server.reportError(null, "room " + event.kind(), e);
        }
      }
    }
  }

  Socket localSocket(String id) {
    return sockets.get(id);
  }
}
