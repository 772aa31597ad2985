package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.adapter.AckResult;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.engine.Scheduler;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connected to one namespace: events in and out, acknowledgements both ways, rooms, and
 * its disconnect. A client connected to several namespaces over one connection has one socket in
 * each, with different ids.
 *
 * <p>Handlers run on the connection's executor, one at a time and in arrival order. Every method may
 * be called from any thread; emitting never blocks.
 *
 * <pre>{@code
 * io.onConnection(socket -> {
 *   socket.join("lobby");
 *   socket.on("chat message", (args, ack) -> {
 *     socket.to("lobby").emit("chat message", args.get(0));   // everyone in the lobby but the sender
 *     ack.send("delivered");
 *   });
 *   socket.onDisconnect(reason -> log.info("{} left: {}", socket.id(), reason));
 * });
 * }</pre>
 */
public final class Socket {
  private static final Logger log = LoggerFactory.getLogger(Socket.class);

  private final String id;
  private final Namespace nsp;
  private final Client client;
  private final Handshake handshake;
  private final Wire wire;
  /** Created on first use: most sockets never carry data. */
  private volatile Map<String, Object> data;
  // Handlers and listeners are copy-on-write: immutable values in volatile fields, replaced under
  // this socket's lock. Sockets are many and these are mostly empty or small, so an empty one costs
  // nothing (the shared empty List/Map) and reading them takes no lock.
  /**
   * Event handlers as a flat table, {@code [event, handlers, event, handlers, ...]}, where handlers is
   * one {@code EventHandler} or an immutable {@code List} of them: a socket with a few events keeps one
   * small array instead of a hash map and a list per event (every connection has its own table, as
   * every socket.io socket has its own listeners).
   */
  private volatile Object[] handlers = NO_HANDLERS;
  private static final Object[] NO_HANDLERS = new Object[0];
  private volatile List<AnyEventListener> anyListeners = List.of();
  private volatile List<AnyEventListener> outgoingListeners = List.of();
  private volatile List<PacketMiddleware> middlewares = List.of();
  private volatile List<Consumer<String>> disconnectingListeners = List.of();
  private volatile List<Consumer<String>> disconnectListeners = List.of();
  private volatile List<Consumer<Exception>> errorListeners = List.of();
  /** Created on first use (an emit with an ack): most sockets never wait for one. */
  private volatile Map<Long, Consumer<AckResult>> pendingAcks;
  private volatile boolean connected;
  private volatile boolean closed;
  /** Guarded by this; rooms joined by connect middleware, created on first use, dropped once connected. */
  private Set<String> roomsBeforeConnect;
  /** Connection state recovery: the private session id (null when recovery is off). */
  private final String pid;
  private final boolean recovered;
  /** While a restored socket replays what it missed: deliveries wait here (guarded by this). */
  private volatile List<EncodedFrames> pendingDeliveries;
  private boolean restoring;
  private boolean restoreEnded;

  Socket(String id, Namespace nsp, Client client, Handshake handshake) {
    this(id, nsp, client, handshake, null, false);
  }

  Socket(String id, Namespace nsp, Client client, Handshake handshake, String pid, boolean recovered) {
    this.id = id;
    this.nsp = nsp;
    this.client = client;
    this.handshake = handshake;
    this.wire = nsp.server().wire();
    this.pid = pid;
    this.recovered = recovered;
    SocketIoServer server = nsp.server();
    this.rateLimit = server.maxEventsPerSecond() > 0
        ? new TokenBucket(server.maxEventsPerSecond(), server.eventBurst(), server.engine().scheduler().nowMillis())
        : null;
  }

  /** Lane only: the event rate limit, or null when there is none. */
  private final TokenBucket rateLimit;

  /** The socket id: random, unguessable, distinct from the connection's Engine.IO id. */
  public String id() {
    return id;
  }

  /** The namespace this socket belongs to. */
  public Namespace namespace() {
    return nsp;
  }

  /** The handshake: headers, query, auth, address, time, URL. */
  public Handshake handshake() {
    return handshake;
  }

  /** Free-form per-socket data, visible to {@code fetchSockets}; thread-safe. */
  public Map<String, Object> data() {
    Map<String, Object> d = data;
    if (d == null) {
      synchronized (this) {
        d = data;
        if (d == null) {
          d = new ConcurrentHashMap<>();
          data = d;
        }
      }
    }
    return d;
  }

  /**
   * True when connection state recovery restored this socket: same id, rooms and data as before its
   * connection was lost, and the events it missed were sent before its connect.
   */
  public boolean recovered() {
    return recovered;
  }

  /** The private session id of connection state recovery (never sent to other clients); null when off. */
  String pid() {
    return pid;
  }

  /** True from the connection to the disconnect. */
  public boolean connected() {
    return connected;
  }

  /** The Engine.IO session id of the underlying connection. */
  public String connectionId() {
    return client.session().id();
  }

  /** The transport the connection uses now: {@code "polling"} or {@code "websocket"}. */
  public String transport() {
    return client.session().transportKind().wireName();
  }

  // ------------------------------------------------------------------ rooms

  /** Joins rooms (each socket is also always in the room named by its id). */
  public void join(String... rooms) {
    join(Arrays.asList(rooms));
  }

  /**
   * Joins rooms. Called from connect middleware, before the socket is connected, the rooms are
   * joined at the moment it connects (and forgotten if the connection is refused).
   */
  public void join(Collection<String> rooms) {
    Set<String> copy = Set.copyOf(rooms);
    checkRoomLimit(copy);
    synchronized (this) {
      if (!connected && !closed) {
        if (roomsBeforeConnect == null) {
          roomsBeforeConnect = new java.util.HashSet<>();
        }
        roomsBeforeConnect.addAll(copy);
        return;
      }
    }
    if (connected) {
      nsp.adapter().addAll(id, copy);
    }
  }

  private void checkRoomLimit(Set<String> joining) {
    int max = nsp.server().maxRoomsPerSocket();
    if (max <= 0) {
      return;
    }
    Set<String> after = new java.util.HashSet<>(connected ? rooms() : roomsBeforeConnectSnapshot());
    after.addAll(joining);
    after.remove(id);
    if (after.size() > max) {
      throw new LimitExceededException("socket " + id + " may be in at most " + max
          + " rooms (maxRoomsPerSocket); joining " + joining + " would make " + after.size());
    }
  }

  private synchronized Set<String> roomsBeforeConnectSnapshot() {
    return roomsBeforeConnect == null ? new java.util.HashSet<>() : new java.util.HashSet<>(roomsBeforeConnect);
  }

  /** Leaves rooms. */
  public void leave(String... rooms) {
    for (String room : rooms) {
      leave(room);
    }
  }

  /** Leaves a room. */
  public void leave(String room) {
    synchronized (this) {
      if (!connected) {
        if (roomsBeforeConnect != null) {
          roomsBeforeConnect.remove(room);
        }
        return;
      }
    }
    nsp.adapter().del(id, room);
  }

  /** The rooms this socket is in, its own id room included. */
  public Set<String> rooms() {
    return nsp.adapter().socketRooms(id);
  }

  // ------------------------------------------------------------------ handlers

  /** Adds a handler for an event with raw arguments. */
  public Socket on(String event, EventHandler handler) {
    Objects.requireNonNull(event, "event == null");
    Objects.requireNonNull(handler, "handler == null");
    synchronized (this) {
      Object[] table = handlers;
      int i = indexOf(table, event);
      Object[] next;
      if (i < 0) {
        next = Arrays.copyOf(table, table.length + 2);
        next[table.length] = event;
        next[table.length + 1] = handler;
      } else {
        next = table.clone();
        Object current = table[i + 1];
        next[i + 1] = current instanceof EventHandler
            ? List.of((EventHandler) current, handler)
            : with(handlersIn(current), handler, false);
      }
      handlers = next;
    }
    return this;
  }

  /** Adds a handler whose first argument is converted to {@code type}. */
  public <T> Socket on(String event, Class<T> type, TypedEventHandler<T> handler) {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(handler, "handler == null");
    return on(event, (args, ack) -> handler.handle(args.get(0, type), ack));
  }

  /** Removes every handler of an event. */
  public Socket off(String event) {
    synchronized (this) {
      Object[] table = handlers;
      int i = indexOf(table, event);
      if (i >= 0) {
        Object[] next = new Object[table.length - 2];
        System.arraycopy(table, 0, next, 0, i);
        System.arraycopy(table, i + 2, next, i, table.length - i - 2);
        handlers = next;
      }
    }
    return this;
  }

  /**
   * Adds a listener that sees every incoming event, after earlier any-listeners. As in socket.io,
   * any-listeners run before packet middleware, so they also see events the middleware rejects.
   */
  public Socket onAny(AnyEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (this) {
      anyListeners = with(anyListeners, listener, false);
    }
    return this;
  }

  /** Adds a listener that sees every incoming event, before the others. */
  public Socket prependAny(AnyEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (this) {
      anyListeners = with(anyListeners, listener, true);
    }
    return this;
  }

  /** Removes one any-listener, or all of them when {@code listener} is null. */
  public Socket offAny(AnyEventListener listener) {
    synchronized (this) {
      anyListeners = listener == null ? List.of() : without(anyListeners, listener);
    }
    return this;
  }

  /** Adds a listener that sees every event this socket emits. */
  public Socket onAnyOutgoing(AnyEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (this) {
      outgoingListeners = with(outgoingListeners, listener, false);
    }
    return this;
  }

  /** Removes one outgoing listener, or all when null. */
  public Socket offAnyOutgoing(AnyEventListener listener) {
    synchronized (this) {
      outgoingListeners = listener == null ? List.of() : without(outgoingListeners, listener);
    }
    return this;
  }

  /** Adds per-packet middleware for incoming events. */
  public Socket use(PacketMiddleware middleware) {
    Objects.requireNonNull(middleware, "middleware == null");
    synchronized (this) {
      middlewares = with(middlewares, middleware, false);
    }
    return this;
  }

  /** Called with errors from packet middleware rejections. */
  public Socket onError(Consumer<Exception> listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (this) {
      errorListeners = with(errorListeners, listener, false);
    }
    return this;
  }

  /** Called just before the socket leaves its rooms on disconnect (rooms are still visible). */
  public Socket onDisconnecting(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (this) {
      disconnectingListeners = with(disconnectingListeners, listener, false);
    }
    return this;
  }

  /** Called once the socket has disconnected, with a {@link DisconnectReason} string. */
  public Socket onDisconnect(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (this) {
      disconnectListeners = with(disconnectListeners, listener, false);
    }
    return this;
  }

  private static int indexOf(Object[] table, String event) {
    for (int i = 0; i < table.length; i += 2) {
      if (event.equals(table[i])) {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  private static List<EventHandler> handlersIn(Object entry) {
    return entry instanceof EventHandler ? List.of((EventHandler) entry) : (List<EventHandler>) entry;
  }

  /** {@code list} plus {@code item} (first or last), as a new immutable list. */
  private static <T> List<T> with(List<T> list, T item, boolean first) {
    if (list == null || list.isEmpty()) {
      return List.of(item);
    }
    List<T> next = new ArrayList<>(list.size() + 1);
    if (first) {
      next.add(item);
    }
    next.addAll(list);
    if (!first) {
      next.add(item);
    }
    return java.util.Collections.unmodifiableList(next);
  }

  /** {@code list} without the first occurrence of {@code item}, as a new immutable list. */
  private static <T> List<T> without(List<T> list, T item) {
    List<T> next = new ArrayList<>(list);
    next.remove(item);
    return next.isEmpty() ? List.of() : java.util.Collections.unmodifiableList(next);
  }

  // ------------------------------------------------------------------ emitting

  /**
   * Sends an event to this client. Arguments may be records, POJOs, maps, lists, primitives,
   * {@code JsonNode}, {@code byte[]} or {@code ByteBuffer} (binary at any depth is sent as binary).
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public void emit(String event, Object... args) {
    emitter(0, false).emit(event, args);
  }

  /** Sends an event and returns the client's answer; fails if the socket disconnects first. */
  public CompletableFuture<Args> emitWithAck(String event, Object... args) {
    return emitter(0, false).emitWithAck(event, args);
  }

  /** Sends an event; {@code callback} receives the client's answer or the error, once. */
  public void emitWithAck(String event, AckCallback callback, Object... args) {
    emitter(0, false).emitWithAck(event, callback, args);
  }

  /** An emitter whose acks fail with {@link AckTimeoutException} after {@code timeout}. */
  public Emitter timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    return emitter(Math.max(1, timeout.toMillis()), false);
  }

  /** An emitter whose events are dropped if the client cannot take them now ({@code volatile}). */
  public Emitter unreliable() {
    return emitter(0, true);
  }

  /** Alias of {@link #emit}: sends a {@code "message"} event. */
  public void send(Object... args) {
    emit("message", args);
  }

  private Emitter emitter(long timeoutMillis, boolean droppable) {
    return new Emitter(this, timeoutMillis, droppable);
  }

  // ------------------------------------------------------------------ broadcasting from this socket

  /** Everyone in {@code room} except this socket. */
  public BroadcastOperator to(String... rooms) {
    return broadcast().to(rooms);
  }

  /** Same as {@link #to}. */
  public BroadcastOperator in(String... rooms) {
    return to(rooms);
  }

  /** Everyone in the namespace except this socket and the given rooms. */
  public BroadcastOperator except(String... rooms) {
    return broadcast().except(rooms);
  }

  /** Everyone in the namespace except this socket. */
  public BroadcastOperator broadcast() {
    return nsp.operator().except(id);
  }

  // ------------------------------------------------------------------ disconnect

  /** Disconnects this socket from its namespace; the connection stays up for other namespaces. */
  public void disconnect() {
    disconnect(false);
  }

  /**
   * Disconnects this socket; with {@code close} the whole connection closes, disconnecting the
   * client's sockets in every namespace.
   */
  public void disconnect(boolean close) {
    client.lane().execute(() -> {
      if (!connected) {
        return;
      }
      if (close) {
        client.disconnectAll();
      } else {
        disconnectNow();
      }
    });
  }

  /** Lane only: tells the client ({@code 1[/nsp,]}) and disconnects with "server namespace disconnect". */
  void disconnectNow() {
    if (!connected) {
      return;
    }
    client.write(wire.encode(new SioPacket(SioPacketType.DISCONNECT, nsp.name(), SioPacket.NO_ID, null)));
    onClose(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
  }

  @Override
  public String toString() {
    return "Socket{" + id + ", " + nsp.name() + "}";
  }

  // ------------------------------------------------------------------ internals (connection executor)

  void onConnected() {
    Set<String> rooms;
    synchronized (this) {
      connected = true;
      rooms = new java.util.LinkedHashSet<>();
      rooms.add(id);
      if (roomsBeforeConnect != null) {
        rooms.addAll(roomsBeforeConnect);
        roomsBeforeConnect = null;
      }
    }
    nsp.adapter().addAll(id, rooms);
  }

  void onPacket(SioPacket packet) {
    switch (packet.type()) {
      case EVENT:
      case BINARY_EVENT:
        onEvent(packet);
        break;
      case ACK:
      case BINARY_ACK:
        Map<Long, Consumer<AckResult>> acks = pendingAcks;
        Consumer<AckResult> pending = acks == null ? null : acks.remove(packet.id());
        if (pending != null) {
          pending.accept(new AckResult.Answered(new JsonPayload(packet.data())));
        }
        break;
      case DISCONNECT:
        onClose(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
        break;
      default:
        break;
    }
  }

  private void onEvent(SioPacket packet) {
    JsonNode array = packet.data();
    String event = array.get(0).asText();
    if (rateLimit != null && !rateLimit.tryTake(scheduler().nowMillis())) {
      fireError(new LimitExceededException("socket " + id + " sent more than "
          + nsp.server().maxEventsPerSecond() + " events per second; \"" + event + "\" was dropped"));
      return;
    }
    Args args = wire.args(array, 1);
    Ack ack = packet.hasId() ? ackFor(packet.id()) : Ack.NONE;
    // as socket.io: any-listeners see every event, also those packet middleware then rejects
    for (AnyEventListener l : anyListeners) {
      try {
        l.onEvent(event, args);
      } catch (Throwable e) {
        nsp.server().reportError(this, event, e);
      }
    }
    runMiddlewares(0, event, args, () -> dispatch(event, args, ack));
  }

  private void runMiddlewares(int index, String event, Args args, Runnable last) {
    List<PacketMiddleware> chain = middlewares;
    if (index >= chain.size()) {
      last.run();
      return;
    }
    PacketMiddleware m = chain.get(index);
    AtomicBoolean done = new AtomicBoolean();
    try {
      m.handle(event, args, new PacketMiddleware.Next() {
        @Override
        public void proceed() {
          if (done.compareAndSet(false, true)) {
            runOnConnection(() -> runMiddlewares(index + 1, event, args, last));
          }
        }

        @Override
        public void reject(Exception error) {
          if (done.compareAndSet(false, true)) {
            runOnConnection(() -> fireError(error));
          }
        }
      });
    } catch (Throwable e) {
      nsp.server().reportError(this, event, e);
    }
  }

  private void runOnConnection(Runnable r) {
    client.lane().execute(r);
  }

  private void fireError(Exception error) {
    if (errorListeners.isEmpty()) {
      log.debug("socket {}: packet rejected by middleware: {}", id, error.toString());
    }
    for (Consumer<Exception> l : errorListeners) {
      try {
        l.accept(error);
      } catch (Throwable e) {
        nsp.server().reportError(this, "error", e);
      }
    }
  }

  private void dispatch(String event, Args args, Ack ack) {
    if (!connected) {
      return;
    }
    Object[] table = handlers;
    int i = indexOf(table, event);
    if (i < 0) {
      return;
    }
    Object entry = table[i + 1];
    boolean failed = false;
    if (entry instanceof EventHandler) {
      failed = !invoke((EventHandler) entry, event, args, ack); // the usual case: one handler, no list
    } else {
      for (EventHandler h : handlersIn(entry)) {
        failed |= !invoke(h, event, args, ack);
      }
    }
    if (failed && ack instanceof EventAck) {
      ((EventAck) ack).fail(); // the client waiting for an answer is told, unless one was sent
    }
  }

  /** Runs a handler; false when it threw (reported to the error handler with this socket and event). */
  private boolean invoke(EventHandler h, String event, Args args, Ack ack) {
    try {
      h.handle(args, ack);
      return true;
    } catch (Throwable e) { // an Error too (a StackOverflowError from a self-referencing value)
      nsp.server().reportError(this, event, e);
      return false;
    }
  }

  private Ack ackFor(long ackId) {
    return new EventAck(this, client, wire, ackId);
  }

  /** Encodes and sends one event packet (the Emitter's terminal step). */
  void sendEvent(String event, ArrayNode array, long ackId, boolean droppable) {
    notifyOutgoing(event, array);
    if (pid != null && ackId < 0 && !droppable) {
      // connection state recovery: through the adapter, which gives it an offset and keeps it
      nsp.adapter().broadcast(dev.parley.adapter.Packet.event(nsp.name(), new JsonPayload(array)),
          new dev.parley.adapter.BroadcastOptions(Set.of(id), Set.of(), BroadcastFlags.NONE.withLocal(true)));
      return;
    }
    List<EnginePacket> frames = wire.encode(SioPacket.event(nsp.name(), array, ackId));
    if (droppable) {
      client.writeDroppable(frames);
    } else {
      client.write(frames);
    }
  }

  void notifyOutgoing(String event, ArrayNode array) {
    if (outgoingListeners.isEmpty()) {
      return;
    }
    Args args = wire.args(array, 1);
    for (AnyEventListener l : outgoingListeners) {
      try {
        l.onEvent(event, args);
      } catch (Throwable e) {
        nsp.server().reportError(this, event, e);
      }
    }
  }

  /** Registers a pending ack; the callback receives the answer, or a failure when the socket disconnects first. */
  void expectAck(long ackId, Consumer<AckResult> onAck) {
    Map<Long, Consumer<AckResult>> acks = pendingAcks;
    if (acks == null) {
      synchronized (this) {
        acks = pendingAcks;
        if (acks == null) {
          acks = new ConcurrentHashMap<>();
          pendingAcks = acks;
        }
      }
    }
    acks.put(ackId, onAck);
  }

  /** Removes a pending ack (after a timeout); true when it was still pending. */
  boolean cancelAck(long ackId) {
    Map<Long, Consumer<AckResult>> acks = pendingAcks;
    return acks != null && acks.remove(ackId) != null;
  }

  /** Delivers an already-encoded broadcast; droppable packets are skipped for a busy client. */
  void deliver(EncodedFrames encoded, BroadcastFlags flags) {
    if (pendingDeliveries != null) {
      synchronized (this) {
        if (pendingDeliveries != null) {
          pendingDeliveries.add(encoded);
          return;
        }
      }
    }
    if (!connected) {
      return;
    }
    if (flags.droppable()) {
      client.writeDroppable(encoded.frames());
    } else {
      client.write(encoded.frames());
    }
  }

  Scheduler scheduler() {
    return nsp.server().engine().scheduler();
  }

  // ------------------------------------------------------------------ connection state recovery

  /** Restoring: from now on deliveries wait until {@link #completeRestore}. */
  synchronized void beginRestore() {
    restoring = true;
    pendingDeliveries = new java.util.ArrayList<>();
  }

  /**
   * Ends a restore that did not complete; true the first time only (the caller then undoes the
   * registration and the room joins).
   */
  synchronized boolean abortRestore() {
    if (!restoring || restoreEnded) {
      return false;
    }
    restoreEnded = true;
    pendingDeliveries = null;
    closed = true;
    return true;
  }

  /**
   * Lane only: sends the missed packets, then what was delivered meanwhile (minus those already among
   * the missed ones), then {@code connectReply}; from then on deliveries go straight out.
   */
  void completeRestore(List<dev.parley.adapter.Packet> missed, List<EnginePacket> connectReply) {
    Set<String> rooms;
    synchronized (this) {
      restoreEnded = true;
      connected = true;
      rooms = roomsBeforeConnect == null ? new java.util.HashSet<>() : new java.util.HashSet<>(roomsBeforeConnect);
      roomsBeforeConnect = null;
      Set<String> replayed = new java.util.HashSet<>();
      for (dev.parley.adapter.Packet p : missed) {
        EncodedFrames frames = nsp.encode(p);
        if (frames.offset() != null) {
          replayed.add(frames.offset());
        }
        client.write(frames.frames());
      }
      for (EncodedFrames frames : pendingDeliveries) {
        if (frames.offset() != null && replayed.contains(frames.offset())) {
          continue;
        }
        client.write(frames.frames());
      }
      pendingDeliveries = null;
      client.write(connectReply);
    }
    if (!rooms.isEmpty()) {
      nsp.adapter().addAll(id, rooms);
    }
  }

  /** Disconnects with {@code reason}: "disconnecting", leave rooms, fail acks, "disconnect". */
  void onClose(String reason) {
    if (!connected) {
      return;
    }
    for (Consumer<String> l : disconnectingListeners) {
      try {
        l.accept(reason);
      } catch (Throwable e) {
        nsp.server().reportError(this, "disconnecting", e);
      }
    }
    synchronized (this) {
      connected = false;
      closed = true;
    }
    if (pid != null && ConnectionStateRecovery.RECOVERABLE_REASONS.contains(reason)) {
      try {
        nsp.adapter().persistSession(new dev.parley.adapter.SessionToPersist(id, pid, rooms(),
            data == null ? new java.util.HashMap<>() : new java.util.HashMap<>(data)));
      } catch (RuntimeException e) {
        log.warn("socket {}: could not persist its session for recovery", id, e);
      }
    }
    nsp.adapter().delAll(id);
    nsp.remove(this);
    client.remove(this);
    SocketDisconnectedException gone = new SocketDisconnectedException("socket has been disconnected");
    Map<Long, Consumer<AckResult>> acks;
    synchronized (this) {
      acks = pendingAcks;
    }
    for (Long ackId : acks == null ? Set.<Long>of() : acks.keySet()) {
      Consumer<AckResult> pending = acks.remove(ackId);
      if (pending != null) {
        pending.accept(new AckResult.Failed(gone));
      }
    }
    for (Consumer<String> l : disconnectListeners) {
      try {
        l.accept(reason);
      } catch (Throwable e) {
        nsp.server().reportError(this, "disconnect", e);
      }
    }
  }

  /**
   * Emits to one socket with options (ack timeout, droppable). Immutable: {@link Socket#timeout}
   * and {@link Socket#unreliable} return new ones.
   *
   * <pre>{@code
   * socket.timeout(Duration.ofSeconds(2)).emitWithAck("ping")
   *     .thenAccept(answer -> log.info("pong {}", answer));
   * }</pre>
   */
  public static final class Emitter {
    private final Socket socket;
    private final long timeoutMillis;
    private final boolean droppable;

    Emitter(Socket socket, long timeoutMillis, boolean droppable) {
      this.socket = socket;
      this.timeoutMillis = timeoutMillis;
      this.droppable = droppable;
    }

    public Emitter timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      return new Emitter(socket, Math.max(1, timeout.toMillis()), droppable);
    }

    public Emitter unreliable() {
      return new Emitter(socket, timeoutMillis, true);
    }

    /** Sends an event without expecting an answer. */
    public void emit(String event, Object... args) {
      Wire.checkEventName(event);
      if (!socket.connected) {
        return;
      }
      socket.sendEvent(event, socket.wire.eventArray(event, args), SioPacket.NO_ID, droppable);
    }

    /** Sends an event and completes with the client's answer (or fails). */
    public CompletableFuture<Args> emitWithAck(String event, Object... args) {
      CompletableFuture<Args> f = new CompletableFuture<>();
      emitWithAck(event, (err, res) -> {
        if (err != null) {
          f.completeExceptionally(err);
        } else {
          f.complete(res);
        }
      }, args);
      return f;
    }

    /** Sends an event; {@code callback} gets the answer or the error, once. */
    public void emitWithAck(String event, AckCallback callback, Object... args) {
      Wire.checkEventName(event);
      Objects.requireNonNull(callback, "callback == null");
      ArrayNode array = socket.wire.eventArray(event, args);
      if (!socket.connected) {
        callback.onAck(new SocketDisconnectedException("socket is not connected"), null);
        return;
      }
      long ackId = socket.nsp.nextAckId();
      AtomicBoolean done = new AtomicBoolean();
      Scheduler.Cancellable timer = Scheduler.Cancellable.NONE;
      if (timeoutMillis > 0) {
        timer = socket.scheduler().schedule(() -> socket.runOnConnection(() -> {
          if (socket.cancelAck(ackId) && done.compareAndSet(false, true)) {
            invoke(callback, new AckTimeoutException("operation has timed out", List.of()), null);
          }
        }), timeoutMillis);
      }
      Scheduler.Cancellable t = timer;
      socket.expectAck(ackId, result -> {
        t.cancel();
        if (done.compareAndSet(false, true)) {
          if (result instanceof AckResult.Answered) {
            invoke(callback, null, socket.wire.args(((AckResult.Answered) result).arguments()));
          } else {
            invoke(callback, ((AckResult.Failed) result).cause(), null);
          }
        }
      });
      socket.sendEvent(event, array, ackId, droppable);
    }

    private void invoke(AckCallback callback, Throwable error, Args response) {
      try {
        callback.onAck(error, response);
      } catch (Throwable e) {
        socket.nsp.server().reportError(socket, "ack", e);
      }
    }
  }
}
