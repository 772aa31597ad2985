package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.adapter.AckResult;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.adapter.SessionToPersist;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.Scheduler;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connected to one namespace: events in and out, acknowledgements both ways, rooms, and
 * its disconnect. A client connected to several namespaces over one connection has one socket in
 * each, with different ids.
 *
 * <p>Handlers run on the connection's lane (a serial executor), one at a time and in arrival order.
 * Every method may be called from any thread; emitting never blocks.
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
  /*
   * Why this file is long: it is the class users call most, some forty public methods, and about a
   * third of it is their documentation. What can live apart does: the listeners (SocketListeners,
   * run by EventDispatch), the acks (PendingAcks, SocketAck), the recovery replay (RestoreBuffer,
   * SocketRestore). What stays is the API, the state machine and the one locking rule below, which
   * belong together.
   *
   * How it is built. The socket is a facade over three package-private parts: SocketListeners (what is
   * registered: handlers, any-listeners, middleware, error and disconnect listeners; run by
   * EventDispatch), PendingAcks (the acks it waits for) and RestoreBuffer (connection state recovery's
   * held deliveries). Its life is one field, `state`:
   *
   *   CONNECTING --onConnected--> CONNECTED --onClose--> DISCONNECTED
   *   CONNECTING --beginRestore--> RESTORING --completeRestore--> CONNECTED
   *                                RESTORING --abortRestore--> DISCONNECTED
   *
   * (a socket refused by connect middleware stays CONNECTING and is dropped).
   *
   * Threading: ONE rule. Every mutable field below is written only while holding this socket's
   * monitor (synchronized (this)). What the hot paths read without it (state, listeners, data) are
   * volatile fields holding immutable values (or, for data, a thread-safe map), each read once per use;
   * the mutable parts (acks, roomsBeforeConnect, restore, rateLimit) are read under the monitor too.
   * The parts are plain classes: the socket guards them. Nothing is called under the monitor but
   * those parts and, during a restore's replay, the encoder and the session's non-blocking send (so
   * that no live delivery overtakes the replay): never user code, the adapter, or another lock. The lifecycle steps
   * (onConnected, beginRestore, completeRestore, abortRestore, onClose, onPacket) run on the
   * connection's lane, so they never race one another; the monitor orders them against the other threads.
   */

  private static final Logger log = LoggerFactory.getLogger(Socket.class);

  private enum State { CONNECTING, RESTORING, CONNECTED, DISCONNECTED }

  private final String id;
  private final Namespace nsp;
  private final Client client;
  private final Handshake handshake;
  /** Connection state recovery: the private session id (null when recovery is off). */
  private final String pid;
  private final boolean recovered;

  private volatile State state = State.CONNECTING;
  private volatile SocketListeners listeners = SocketListeners.NONE;
  /** Created on first use: most sockets never carry data. */
  private volatile Map<String, Object> data;
  /** Created on the first emit with an ack: most sockets never wait for one. */
  private PendingAcks acks;
  /** Rooms joined before the socket connected (by connect middleware); joined when it connects. */
  private Set<String> roomsBeforeConnect;
  /** Set exactly while RESTORING. */
  private RestoreBuffer restore;
  /** The event rate limit, or null when there is none. */
  private final TokenBucket rateLimit;

  Socket(String id, Namespace nsp, Client client, Handshake handshake, String pid, boolean recovered) {
    this.id = id;
    this.nsp = nsp;
    this.client = client;
    this.handshake = handshake;
    this.pid = pid;
    this.recovered = recovered;
    SocketIoServer server = nsp.server();
    this.rateLimit = server.maxEventsPerSecond() > 0
        ? new TokenBucket(server.maxEventsPerSecond(), server.eventBurst(), server.engine().scheduler().nowMillis())
        : null;
  }

  /**
   * The socket id: random, unguessable, distinct from the connection's Engine.IO id; the name of the
   * room every socket is in alone.
   */
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

  /**
   * Free-form per-socket data, visible to {@code fetchSockets} (also from other servers) and kept by
   * connection state recovery; thread-safe. Once the socket is connected, changes are reported to
   * the server's observers ({@link ServerObserver#onSocketDataChanged}).
   *
   * <pre>{@code
   * socket.data().put("user", user.name());
   * }</pre>
   */
  public Map<String, Object> data() {
    Map<String, Object> d = data;
    if (d == null) {
      synchronized (this) {
        d = data;
        if (d == null) {
          d = new SocketData(this);
          data = d;
        }
      }
    }
    return d;
  }

  /** The data map changed ({@link SocketData}); observers hear of it once the socket is connected. */
  void dataChanged(String key) {
    if (state == State.CONNECTED) {
      Instruments instruments = nsp.server().instruments();
      if (instruments.observed()) {
        instruments.socketDataChanged(this, key);
      }
    }
  }

  /**
   * True when connection state recovery restored this socket: same id, rooms and data as before its
   * connection was lost, and the events it missed were sent before its connect.
   */
  public boolean recovered() {
    return recovered;
  }

  /** True from the connection to the disconnect. */
  public boolean connected() {
    return state == State.CONNECTED;
  }

  /** The Engine.IO session id of the underlying connection (shared by its sockets in every namespace). */
  public String connectionId() {
    return client.session().id();
  }

  /** The transport the connection uses now: {@code "polling"} or {@code "websocket"}. */
  public String transport() {
    return client.session().transportKind().wireName();
  }

  // ------------------------------------------------------------------ rooms

  /**
   * Joins rooms (each socket is also always in the room named by its id). Called from connect
   * middleware, before the socket is connected, the rooms are joined at the moment it connects (and
   * forgotten if the connection is refused).
   *
   * <pre>{@code
   * socket.join("lobby", "user:" + userId);
   * }</pre>
   *
   * @throws LimitExceededException past {@code maxRoomsPerSocket}
   */
  public void join(String... rooms) {
    join(Arrays.asList(rooms));
  }

  /**
   * Joins rooms; see {@link #join(String...)}.
   *
   * @throws LimitExceededException past {@code maxRoomsPerSocket}
   */
  public void join(Collection<String> rooms) {
    Set<String> copy = Set.copyOf(rooms);
    checkRoomLimit(copy);
    synchronized (this) {
      if (state == State.CONNECTING || state == State.RESTORING) {
        if (roomsBeforeConnect == null) {
          roomsBeforeConnect = new HashSet<>();
        }
        roomsBeforeConnect.addAll(copy);
        return;
      }
    }
    if (connected()) {
      nsp.adapter().addAll(id, copy);
    }
  }

  private void checkRoomLimit(Set<String> joining) {
    int max = nsp.server().maxRoomsPerSocket();
    if (max <= 0) {
      return;
    }
    Set<String> after;
    if (connected()) {
      after = new HashSet<>(rooms());
    } else {
      synchronized (this) {
        after = roomsBeforeConnect == null ? new HashSet<>() : new HashSet<>(roomsBeforeConnect);
      }
    }
    after.addAll(joining);
    after.remove(id);
    if (after.size() > max) {
      throw new LimitExceededException("socket " + id + " may be in at most " + max
          + " rooms (maxRoomsPerSocket); joining " + joining + " would make " + after.size());
    }
  }

  /** Leaves rooms. */
  public void leave(String... rooms) {
    for (String room : rooms) {
      leave(room);
    }
  }

  /** Leaves a room (before the socket is connected: forgets a room joined by connect middleware). */
  public void leave(String room) {
    synchronized (this) {
      if (state != State.CONNECTED) {
        if (roomsBeforeConnect != null) {
          roomsBeforeConnect.remove(room);
        }
        return;
      }
    }
    nsp.adapter().del(id, room);
  }

  /** The rooms this socket is in now, its own id room included (a copy). */
  public Set<String> rooms() {
    return nsp.adapter().socketRooms(id);
  }

  // ------------------------------------------------------------------ listeners

  /**
   * Adds a handler for an event, with its raw arguments and its ack ({@link Ack#NONE} when the client
   * asked for none). Several handlers of one event run in the order added.
   *
   * <pre>{@code
   * socket.on("chat message", (args, ack) -> {
   *   io.to("lobby").emit("chat message", args.get(0));
   *   ack.send("ok");
   * });
   * }</pre>
   *
   * @return this socket
   */
  public Socket on(String event, EventHandler handler) {
    Objects.requireNonNull(event, "event == null");
    Objects.requireNonNull(handler, "handler == null");
    return update(l -> l.withHandler(event, handler));
  }

  /**
   * Adds a handler whose first argument is converted to {@code type} with the server's Jackson
   * mapper. A value that does not convert is an {@link InvalidArgumentException}: the client's ack, if
   * it asked for one, gets {@code {"error":"invalid argument","argument":0,"message":...}}.
   *
   * <pre>{@code
   * record ChatMessage(String room, String text) {}
   * socket.on("chat message", ChatMessage.class, (msg, ack) -> io.to(msg.room()).emit("chat message", msg));
   * }</pre>
   *
   * @return this socket
   */
  public <T> Socket on(String event, Class<T> type, TypedEventHandler<T> handler) {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(handler, "handler == null");
    return on(event, (args, ack) -> handler.handle(args.get(0, type), ack));
  }

  /**
   * Removes every handler of an event.
   *
   * @return this socket
   */
  public Socket off(String event) {
    Objects.requireNonNull(event, "event == null");
    return update(l -> l.withoutHandlers(event));
  }

  /**
   * Adds a listener that sees every incoming event, after earlier any-listeners. As in socket.io,
   * any-listeners run before packet middleware, so they also see events the middleware rejects.
   *
   * <pre>{@code
   * socket.onAny((event, args) -> log.debug("{} <- {} {}", socket.id(), event, args));
   * }</pre>
   *
   * @return this socket
   */
  public Socket onAny(AnyEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    return update(l -> l.withIncoming(listener, false));
  }

  /**
   * Adds a listener that sees every incoming event, before the other any-listeners.
   *
   * @return this socket
   */
  public Socket prependAny(AnyEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    return update(l -> l.withIncoming(listener, true));
  }

  /**
   * Removes one any-listener, or all of them when {@code listener} is null.
   *
   * @return this socket
   */
  public Socket offAny(AnyEventListener listener) {
    return update(l -> l.withoutIncoming(listener));
  }

  /**
   * Adds a listener that sees every event emitted to this socket with {@link #emit} and its variants
   * (not broadcasts: a {@link ServerObserver} sees those, per recipient if it asks).
   *
   * <pre>{@code
   * socket.onAnyOutgoing((event, args) -> log.debug("{} -> {} {}", socket.id(), event, args));
   * }</pre>
   *
   * @return this socket
   */
  public Socket onAnyOutgoing(AnyEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    return update(l -> l.withOutgoing(listener));
  }

  /**
   * Removes one outgoing listener, or all of them when {@code listener} is null.
   *
   * @return this socket
   */
  public Socket offAnyOutgoing(AnyEventListener listener) {
    return update(l -> l.withoutOutgoing(listener));
  }

  /**
   * Adds packet middleware: it sees every incoming event before the handlers and lets it through or
   * rejects it (see {@link PacketMiddleware}).
   *
   * @return this socket
   */
  public Socket use(PacketMiddleware middleware) {
    Objects.requireNonNull(middleware, "middleware == null");
    return update(l -> l.withMiddleware(middleware));
  }

  /**
   * Adds a listener for this socket's errors: a packet middleware's rejection, or an event dropped by
   * the rate limit ({@link LimitExceededException}). Without one, they are logged at DEBUG.
   *
   * <pre>{@code
   * socket.onError(error -> socket.emit("error message", error.getMessage()));
   * }</pre>
   *
   * @return this socket
   */
  public Socket onError(Consumer<Exception> listener) {
    Objects.requireNonNull(listener, "listener == null");
    return update(l -> l.withError(listener));
  }

  /**
   * Adds a listener called when the socket is about to disconnect, while {@link #rooms()} still lists
   * its rooms and {@link #connected()} is still true.
   *
   * <pre>{@code
   * socket.onDisconnecting(reason -> socket.rooms().forEach(r -> io.to(r).emit("user left", socket.id())));
   * }</pre>
   *
   * @return this socket
   */
  public Socket onDisconnecting(Consumer<DisconnectReason> listener) {
    Objects.requireNonNull(listener, "listener == null");
    return update(l -> l.withDisconnecting(listener));
  }

  /**
   * Adds a listener called once the socket has disconnected (it has left its rooms; its pending acks
   * have failed with {@link SocketDisconnectedException}).
   *
   * <pre>{@code
   * socket.onDisconnect(reason -> {
   *   if (reason == DisconnectReason.PING_TIMEOUT) metrics.flakyNetwork();
   * });
   * }</pre>
   *
   * @return this socket
   */
  public Socket onDisconnect(Consumer<DisconnectReason> listener) {
    Objects.requireNonNull(listener, "listener == null");
    return update(l -> l.withDisconnect(listener));
  }

  private Socket update(UnaryOperator<SocketListeners> change) {
    synchronized (this) {
      listeners = change.apply(listeners);
    }
    return this;
  }

  // ------------------------------------------------------------------ emitting

  /**
   * Sends an event to this client. Arguments may be records, POJOs, maps, lists, primitives,
   * {@code JsonNode}, {@code byte[]} or {@code ByteBuffer} (binary at any depth is sent as binary).
   * Does nothing once the socket has disconnected.
   *
   * <pre>{@code
   * socket.emit("welcome", Map.of("user", name), avatarBytes);
   * }</pre>
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public void emit(String event, Object... args) {
    emit(event, args, false);
  }

  /**
   * Sends an event and completes with the client's answer; fails with
   * {@link SocketDisconnectedException} if the socket disconnects first. Without a
   * {@link #timeout}, it waits as long as the socket stays connected.
   *
   * <pre>{@code
   * socket.emitWithAck("ready?").thenAccept(answer -> log.info("client says {}", answer.get(0)));
   * }</pre>
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public CompletableFuture<Args> emitWithAck(String event, Object... args) {
    return new Emitter(this, 0, false).emitWithAck(event, args);
  }

  /**
   * Sends an event; {@code callback} receives the client's answer or the error, once.
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public void emitWithAck(String event, AckCallback callback, Object... args) {
    emitWithAck(event, args, 0, false, callback);
  }

  /**
   * An emitter whose acks fail with {@link AckTimeoutException} after {@code timeout}.
   *
   * <pre>{@code
   * socket.timeout(Duration.ofSeconds(5)).emitWithAck("question", "?")
   *     .exceptionally(error -> null);   // an AckTimeoutException after 5 s
   * }</pre>
   */
  public Emitter timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    return new Emitter(this, Math.max(1, timeout.toMillis()), false);
  }

  /**
   * An emitter whose events are dropped if the client cannot take them now (socket.io's
   * {@code volatile}): for frequent updates where only the latest matters.
   *
   * <pre>{@code
   * socket.unreliable().emit("position", x, y);
   * }</pre>
   */
  public Emitter unreliable() {
    return new Emitter(this, 0, true);
  }

  /** Sends a {@code "message"} event: the same as {@code emit("message", args)}. */
  public void send(Object... args) {
    emit("message", args);
  }

  private void emit(String event, Object[] args, boolean droppable) {
    Wire.checkEventName(event);
    if (!connected()) {
      return;
    }
    sendEvent(event, wire().eventArray(event, args), SioPacket.NO_ID, droppable);
  }

  private void emitWithAck(String event, Object[] args, long timeoutMillis, boolean droppable, AckCallback callback) {
    Wire.checkEventName(event);
    Objects.requireNonNull(callback, "callback == null");
    ArrayNode array = wire().eventArray(event, args);
    if (!connected()) {
      SocketAck.call(this, callback, new SocketDisconnectedException("socket is not connected"), null);
      return;
    }
    long ackId = nsp.nextAckId();
    SocketAck.expect(this, ackId, timeoutMillis, callback);
    sendEvent(event, array, ackId, droppable);
  }

  /**
   * Encodes and sends one event packet to this socket (every emit's last step): the outgoing
   * listeners and observers see it, then it is queued on the connection.
   */
  private void sendEvent(String event, ArrayNode array, long ackId, boolean droppable) {
    List<AnyEventListener> outgoing = listeners.outgoing();
    Args args = outgoing.isEmpty() ? null : wire().args(array, 1);
    for (AnyEventListener l : outgoing) {
      try {
        l.onEvent(event, args);
      } catch (Throwable e) {
        server().reportError(this, event, e);
      }
    }
    server().instruments().eventSent(this, event, array, args);
    if (pid != null && ackId < 0 && !droppable) {
      sendRecoverable(array);
      return;
    }
    List<EnginePacket> frames = wire().encode(SioPacket.event(nsp.name(), array, ackId));
    if (droppable) {
      client.writeDroppable(frames);
    } else {
      client.write(frames);
    }
  }

  /**
   * Connection state recovery: an event for this socket alone goes through the adapter, as in
   * socket.io, because the adapter gives it its offset and keeps it in the log a missed packet is
   * replayed from (in memory, or the Redis stream's entry id); only this server's socket needs it, so
   * it is {@code local}. It then comes back to {@link #deliver}. An event with an ack or a volatile
   * one is never replayed, and goes straight out.
   */
  private void sendRecoverable(ArrayNode array) {
    Packet packet = Packet.event(nsp.name(), new JsonPayload(array, DeliveryTally.SINGLE_EMIT));
    nsp.adapter().broadcast(packet, new BroadcastOptions(Set.of(id), Set.of(), BroadcastFlags.NONE.withLocal(true)));
  }

  // ------------------------------------------------------------------ broadcasting from this socket

  /**
   * Everyone in the rooms except this socket.
   *
   * <pre>{@code
   * socket.to("lobby").emit("typing", socket.id());
   * }</pre>
   */
  public BroadcastOperator to(String... rooms) {
    return broadcast().to(rooms);
  }

  /** Same as {@link #to}. */
  public BroadcastOperator in(String... rooms) {
    return to(rooms);
  }

  /** Everyone in the namespace except this socket and the sockets in the given rooms. */
  public BroadcastOperator except(String... rooms) {
    return broadcast().except(rooms);
  }

  /**
   * Everyone in the namespace except this socket.
   *
   * <pre>{@code
   * socket.broadcast().emit("user joined", name);
   * }</pre>
   */
  public BroadcastOperator broadcast() {
    return nsp.operator().except(id);
  }

  // ------------------------------------------------------------------ disconnect

  /**
   * Disconnects this socket from its namespace (the client is told, with socket.io's {@code "io server
   * disconnect"}); the connection stays up for other namespaces. Listeners see
   * {@link DisconnectReason#SERVER_NAMESPACE_DISCONNECT}.
   */
  public void disconnect() {
    disconnect(false);
  }

  /**
   * Disconnects this socket; with {@code close} the whole connection closes, disconnecting the
   * client's sockets in every namespace. Asynchronous: it happens on the connection's lane.
   */
  public void disconnect(boolean close) {
    lane().execute(() -> {
      if (!connected()) {
        return;
      }
      if (close) {
        client.disconnectAll();
      } else {
        disconnectNow();
      }
    });
  }

  @Override
  public String toString() {
    return "Socket{" + id + ", " + nsp.name() + "}";
  }

  // ------------------------------------------------------------------ package-private: the API's other parts

  SocketListeners listeners() {
    return listeners;
  }

  SocketIoServer server() {
    return nsp.server();
  }

  Executor lane() {
    return client.lane();
  }

  /** The private session id of connection state recovery (never sent to other clients); null when off. */
  String pid() {
    return pid;
  }

  private Wire wire() {
    return nsp.server().wire();
  }

  private Scheduler scheduler() {
    return nsp.server().engine().scheduler();
  }

  /** Lane only: the socket connected: it joins its own room and those joined before. */
  void onConnected() {
    Set<String> rooms = new LinkedHashSet<>();
    rooms.add(id);
    synchronized (this) {
      state = State.CONNECTED;
      if (roomsBeforeConnect != null) {
        rooms.addAll(roomsBeforeConnect);
        roomsBeforeConnect = null;
      }
    }
    nsp.adapter().addAll(id, rooms);
  }

  /** Lane only: a packet from the client for this namespace. */
  void onPacket(SioPacket packet) {
    switch (packet.type()) {
      case EVENT:
      case BINARY_EVENT:
        EventDispatch.onEvent(this, client, packet.data(), packet.hasId() ? packet.id() : SioPacket.NO_ID);
        break;
      case ACK:
      case BINARY_ACK:
        onAck(packet.id(), packet.data());
        break;
      case DISCONNECT:
        onClose(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
        break;
      default:
        break;
    }
  }

  /** Lane only: takes one event from the rate limit's bucket; false when it is empty. */
  boolean takeEventToken() {
    if (rateLimit == null) {
      return true;
    }
    long now = scheduler().nowMillis();
    synchronized (this) {
      return rateLimit.tryTake(now);
    }
  }

  /** The client answered ack {@code ackId}: its callback runs (once; a late or unknown answer is ignored). */
  private void onAck(long ackId, JsonNode arguments) {
    Consumer<AckResult> waiting;
    synchronized (this) {
      waiting = acks == null ? null : acks.remove(ackId);
    }
    if (waiting != null) {
      server().instruments().ackReceived(this, waiting instanceof PendingAcks.Timed ? ((PendingAcks.Timed) waiting).sentAt() : 0);
      waiting.accept(new AckResult.Answered(new JsonPayload(arguments)));
    }
  }

  /** Waits for ack {@code ackId}; the callback receives the answer, or a failure when the socket disconnects first. */
  void expectAck(long ackId, Consumer<AckResult> onAck) {
    synchronized (this) {
      if (acks == null) {
        acks = new PendingAcks();
      }
      acks.add(ackId, onAck);
    }
  }

  /** Stops waiting for ack {@code ackId} (a timeout); true when it was still awaited. */
  boolean cancelAck(long ackId) {
    synchronized (this) {
      return acks != null && acks.remove(ackId) != null;
    }
  }

  /**
   * Delivers an encoded broadcast (any thread): queued on the connection, held while the socket is
   * being restored, ignored before it connects and after it disconnects. Droppable packets are
   * handed to the engine, which skips them for a client that cannot take them now.
   *
   * @return false when ignored
   */
  boolean deliver(EncodedFrames encoded, BroadcastFlags flags) {
    State s = state;
    if (s == State.RESTORING) {
      synchronized (this) {
        s = state;
        if (s == State.RESTORING) {
          restore.hold(encoded);
          return true;
        }
      }
    }
    if (s != State.CONNECTED) {
      return false;
    }
    if (flags.droppable()) {
      client.writeDroppable(encoded.frames());
    } else {
      client.write(encoded.frames());
    }
    return true;
  }

  /** Lane only: restoring; from now on deliveries are held until {@link #completeRestore}. */
  void beginRestore() {
    synchronized (this) {
      state = State.RESTORING;
      restore = new RestoreBuffer();
    }
  }

  /**
   * Lane only: ends a restore that did not complete; true the first time only (the caller then undoes
   * the registration and the room joins).
   */
  boolean abortRestore() {
    synchronized (this) {
      if (state != State.RESTORING) {
        return false;
      }
      state = State.DISCONNECTED;
      restore = null;
      return true;
    }
  }

  /**
   * Lane only: sends the missed packets, then what was delivered meanwhile (minus those already among
   * the missed ones), then {@code connectReply}; from then on deliveries go straight out.
   */
  void completeRestore(List<Packet> missed, List<EnginePacket> connectReply) {
    Set<String> rooms;
    synchronized (this) {
      restore.replay(missed, nsp::encode, connectReply, client::write);
      restore = null;
      rooms = roomsBeforeConnect == null ? Set.of() : new HashSet<>(roomsBeforeConnect);
      roomsBeforeConnect = null;
      state = State.CONNECTED;
    }
    if (!rooms.isEmpty()) {
      nsp.adapter().addAll(id, rooms);
    }
  }

  /** Lane only: tells the client ({@code 1[/nsp,]}) and disconnects with "server namespace disconnect". */
  void disconnectNow() {
    if (!connected()) {
      return;
    }
    client.write(wire().encode(new SioPacket(SioPacketType.DISCONNECT, nsp.name(), SioPacket.NO_ID, null)));
    onClose(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
  }

  /**
   * Lane only: disconnects with {@code reason}: the disconnecting listeners (rooms still joined),
   * the session kept for recovery, the rooms left, the pending acks failed, the disconnect listeners.
   */
  void onClose(DisconnectReason reason) {
    if (!connected()) {
      return;
    }
    for (Consumer<DisconnectReason> l : listeners.disconnecting()) {
      try {
        l.accept(reason);
      } catch (Throwable e) {
        server().reportError(this, "disconnecting", e);
      }
    }
    List<Consumer<AckResult>> failed;
    synchronized (this) {
      state = State.DISCONNECTED;
      failed = acks == null ? List.of() : acks.removeAll();
    }
    if (pid != null && reason.recoverable()) {
      persistSession();
    }
    nsp.adapter().delAll(id);
    nsp.remove(this);
    client.remove(this);
    if (!failed.isEmpty()) {
      AckResult gone = new AckResult.Failed(new SocketDisconnectedException("socket has been disconnected"));
      for (Consumer<AckResult> waiting : failed) {
        waiting.accept(gone);
      }
    }
    for (Consumer<DisconnectReason> l : listeners.disconnect()) {
      try {
        l.accept(reason);
      } catch (Throwable e) {
        server().reportError(this, "disconnect", e);
      }
    }
    server().instruments().socketDisconnected(this, reason);
  }

  private void persistSession() {
    try {
      Map<String, Object> d = data;
      nsp.adapter().persistSession(new SessionToPersist(id, pid, rooms(), d == null ? new HashMap<>() : new HashMap<>(d)));
    } catch (RuntimeException e) {
      log.warn("socket {}: could not persist its session for recovery", id, e);
    }
  }

  /**
   * Emits to one socket with options: an ack timeout, or dropping the event when the client cannot
   * take it now. Immutable: {@link #timeout} and {@link #unreliable} return new ones, so an emitter
   * can be kept and shared across threads.
   *
   * <pre>{@code
   * socket.timeout(Duration.ofSeconds(2)).emitWithAck("ping")
   *     .thenAccept(answer -> log.info("pong {}", answer));
   * socket.unreliable().emit("cursor", x, y);
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

    /** This emitter with acks failing with {@link AckTimeoutException} after {@code timeout}. */
    public Emitter timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      return new Emitter(socket, Math.max(1, timeout.toMillis()), droppable);
    }

    /** This emitter, its events dropped when the client cannot take them now (socket.io's {@code volatile}). */
    public Emitter unreliable() {
      return new Emitter(socket, timeoutMillis, true);
    }

    /**
     * Sends an event without expecting an answer (see {@link Socket#emit}).
     *
     * @throws IllegalArgumentException for a reserved event name
     */
    public void emit(String event, Object... args) {
      socket.emit(event, args, droppable);
    }

    /**
     * Sends an event and completes with the client's answer, or fails with
     * {@link AckTimeoutException} or {@link SocketDisconnectedException}.
     *
     * @throws IllegalArgumentException for a reserved event name
     */
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

    /**
     * Sends an event; {@code callback} gets the answer or the error, once.
     *
     * @throws IllegalArgumentException for a reserved event name
     */
    public void emitWithAck(String event, AckCallback callback, Object... args) {
      socket.emitWithAck(event, args, timeoutMillis, droppable, callback);
    }
  }
}
