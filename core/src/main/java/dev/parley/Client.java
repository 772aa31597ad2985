package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.engine.ParleyExecutors;
import dev.parley.engine.Scheduler;
import dev.parley.internal.engine.EngineInternals;
import dev.parley.internal.engine.Ids;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import dev.parley.protocol.SioParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO connection multiplexed over the namespaces the client joined: it decodes Socket.IO
 * packets, answers CONNECTs (connect middleware, or a restore by {@link SocketRestore}), routes the
 * other packets to the socket of their namespace, and closes the sockets when the connection goes.
 *
 * <p>Two lanes per connection: the Engine.IO session's executor decodes packets (and keeps the
 * heartbeat and writes going), and this client's own serial {@link #lane()} runs everything at the
 * Socket.IO level, user code included, in arrival order. So a handler that blocks delays only this
 * client's later events, never its pings or its outgoing packets. Fields marked "lane only" are
 * touched on the client lane only; {@code decoder} and {@code inputBytes} on the session lane only.
 */
final class Client implements EngineSession.NonBlockingListener {
  private static final Logger log = LoggerFactory.getLogger(Client.class);
  /** The least a received message counts for in the session's input backlog: what its objects cost. */
  private static final int MIN_INPUT_WEIGHT = 64;

  private final SocketIoServer server;
  private final EngineSession session;
  private final Executor lane;
  /** Session lane only. */
  private final PacketAssembler decoder;
  /** Session lane only: bytes of the messages of the packet being decoded (with its attachments). */
  private long inputBytes;
  /**
   * Lane only: namespace -> its connected Socket. Immutable, replaced on change: nearly every
   * connection joins one namespace, and a one-entry {@code Map.of} costs a fraction of a HashMap.
   */
  private Map<String, Socket> sockets = Map.of();
  /** Lane only: namespaces whose CONNECT is being handled. */
  private final PendingConnects pending = new PendingConnects();
  /** Lane only: set once the connection is going away; no more packets are routed. */
  private boolean closing;
  /** Set from either lane when the connection is going away: nothing more is decoded. */
  private volatile boolean closed;
  /** Cancelled from the session lane on close; replaced by NONE once cancelled (no retained future). */
  private volatile Scheduler.Cancellable connectTimer;

  Client(SocketIoServer server, EngineSession session) {
    this.server = server;
    this.session = session;
    this.decoder = new PacketAssembler(new SioDecoder(server.wire().strictReader, server.maxAttachments()),
        server.partialPacketBudget());
    this.lane = ParleyExecutors.serial(server.engine().executor());
    this.connectTimer = server.engine().scheduler().schedule(() -> lane.execute(() -> {
      if (sockets.isEmpty() && !closed) {
        log.debug("connection {}: no namespace joined within connectTimeout; closing", session.id());
        session.close();
      }
    }), server.connectTimeoutMillis());
  }

  EngineSession session() {
    return session;
  }

  SocketIoServer server() {
    return server;
  }

  /** The serial executor Socket.IO-level work of this connection runs on. */
  Executor lane() {
    return lane;
  }

  void write(List<EnginePacket> frames) {
    session.send(frames);
  }

  void writeDroppable(List<EnginePacket> frames) {
    session.sendIfWritable(frames);
  }

  // ------------------------------------------------------------------ incoming (session lane, then client lane)

  @Override
  public void onMessage(EngineSession s, EnginePacket message) {
    if (closed) {
      return;
    }
    SioPacket packet;
    try {
      packet = decoder.add(message, session.id());
    } catch (SioParseException e) {
      log.debug("connection {}: {}; closing", session.id(), e.getMessage());
      closed = true;
      lane.execute(() -> closeWith(DisconnectReason.PARSE_ERROR));
      return;
    }
    // what waits for the lane is counted (at least a small object's worth per message), so a
    // client that sends faster than its handlers run is held back (EngineInternals.inputQueued)
    inputBytes += Math.max(MIN_INPUT_WEIGHT, message.isBinary() ? message.binary().length : message.text().length());
    if (packet != null) {
      SioPacket p = packet;
      long weight = inputBytes;
      inputBytes = 0;
      EngineInternals.inputQueued(session, weight);
      lane.execute(() -> {
        try {
          route(p);
        } finally {
          EngineInternals.inputHandled(session, weight);
        }
      });
    }
  }

  private void route(SioPacket packet) {
    if (closing) {
      return;
    }
    String nsp = packet.nsp();
    Socket socket = sockets.get(nsp);
    if (packet.type() == SioPacketType.CONNECT) {
      if (socket != null) {
        // as the reference server: a CONNECT to a namespace already joined is an invalid state
        log.debug("connection {}: CONNECT to {}, already connected; closing", session.id(), nsp);
        closeWith(DisconnectReason.PARSE_ERROR);
        return;
      }
      if (!pending.repeat(nsp)) { // a repeat gets the pending one's answer
        connect(nsp, packet.data(), 1);
      }
      return;
    }
    if (socket == null || packet.type() == SioPacketType.CONNECT_ERROR) {
      log.debug("connection {}: {} for namespace {} not joined; closing", session.id(), packet.type(), nsp);
      closeWith(DisconnectReason.PARSE_ERROR);
      return;
    }
    socket.onPacket(packet);
  }

  // ------------------------------------------------------------------ connecting (lane only)

  /** Connects to {@code name}; the answer goes out {@code answers} times (the CONNECT and its repeats). */
  void connect(String name, JsonNode authData, int answers) {
    JsonNode auth = authData == null ? JsonNodeFactory.instance.objectNode() : authData;
    Handshake handshake = handshake(auth);
    Namespace nsp;
    try {
      nsp = server.namespaceFor(name);
    } catch (LimitExceededException e) { // maxDynamicNamespaces reached (logged, rate-limited)
      refuse(name, handshake, ConnectRefusal.TOO_MANY_NAMESPACES, "Too many namespaces", null, answers);
      return;
    }
    if (nsp == null) {
      refuse(name, handshake, ConnectRefusal.INVALID_NAMESPACE, "Invalid namespace", null, answers);
      return;
    }
    ConnectionStateRecovery recovery = server.recovery();
    // as Node: pid and offset stay in the auth the application sees
    if (recovery != null && auth.path("pid").isTextual() && auth.path("offset").isTextual()) {
      new SocketRestore(this, name, nsp, handshake, recovery, auth.get("pid").textValue(), auth.get("offset").textValue())
          .start();
    } else {
      connectFresh(name, nsp, handshake);
    }
    for (int i = 1; i < answers; i++) {
      pending.repeat(name);
    }
  }

  /** A new socket: the connect middleware decides. */
  void connectFresh(String name, Namespace nsp, Handshake handshake) {
    String pid = server.recovery() == null ? null : Ids.random();
    Socket socket = new Socket(Ids.random(), nsp, this, handshake, pid, false);
    pending.put(name, socket);
    nsp.runMiddlewares(socket, error -> lane.execute(() -> finishConnect(name, socket, error)));
  }

  private void finishConnect(String name, Socket socket, ConnectError error) {
    int answers = pending.remove(name, socket);
    if (answers == 0 || closing) {
      socket.namespace().connectEnded();
      return;
    }
    if (error != null) {
      socket.namespace().connectEnded();
      refuse(name, socket.handshake(), ConnectRefusal.MIDDLEWARE, error.getMessage(), error.data(), answers);
      return;
    }
    if (!socket.namespace().admit(socket)) {
      // a dynamic child removed meanwhile, its last socket gone (cleanupEmptyChildNamespaces): the
      // client connects to the one that takes its name, as if its CONNECT had come a moment later
      connect(name, socket.handshake().auth(), answers);
      return;
    }
    accept(name, socket, () -> {
      socket.onConnected();
      answer(answers, server.wire().connectOk(name, socket.id(), socket.pid()));
    });
  }

  /**
   * The socket is in: it becomes the client's socket for {@code name}, the connect timer stops, and
   * {@code connect} (joins and the CONNECT reply) and the connection handlers run corked: as on Node's
   * single thread, the client cannot act on its CONNECT before the handlers ran (joined rooms,
   * emitted), yet their packets follow the CONNECT.
   */
  void accept(String name, Socket socket, Runnable connect) {
    socketsPut(name, socket);
    connectTimer.cancel();
    connectTimer = Scheduler.Cancellable.NONE;
    EngineInternals.cork(session);
    try {
      connect.run();
      socket.namespace().add(socket);
    } finally {
      EngineInternals.uncork(session);
    }
  }

  /** Answers {@code CONNECT_ERROR} and reports the refusal. */
  void refuse(String name, Handshake handshake, ConnectRefusal cause, String message, Object data, int answers) {
    answer(answers, server.wire().connectError(name, message, data));
    server.instruments().connectRefused(name, handshake, cause, message);
  }

  /**
   * Writes the answer to a CONNECT {@code times} times (once, plus once per CONNECT that joined it),
   * in one write, so the answers leave together.
   */
  void answer(int times, List<EnginePacket> packets) {
    if (times <= 0) {
      return;
    }
    if (times == 1) {
      write(packets);
      return;
    }
    List<EnginePacket> all = new ArrayList<>(times * packets.size());
    for (int i = 0; i < times; i++) {
      all.addAll(packets);
    }
    write(all);
  }

  /** Lane only: the CONNECTs being handled. */
  PendingConnects pending() {
    return pending;
  }

  /** Lane only: true once the connection is going away. */
  boolean closing() {
    return closing;
  }

  private Handshake handshake(JsonNode auth) {
    EngineRequest r = session.request();
    return new Handshake(r.headers(), r.queryParameters(), auth, r.remoteAddress(), Instant.now(),
        r.url(), r.secure());
  }

  // ------------------------------------------------------------------ the namespace -> socket map (lane only)

  void remove(Socket socket) {
    String name = socket.namespace().name();
    if (sockets.get(name) != socket) {
      return;
    }
    if (sockets.size() == 1) {
      sockets = Map.of();
      return;
    }
    Map<String, Socket> next = new HashMap<>(sockets);
    next.remove(name);
    sockets = Map.copyOf(next);
  }

  private void socketsPut(String name, Socket socket) {
    if (sockets.isEmpty()) {
      sockets = Map.of(name, socket);
      return;
    }
    Map<String, Socket> next = new HashMap<>(sockets);
    next.put(name, socket);
    sockets = Map.copyOf(next);
  }

  // ------------------------------------------------------------------ closing

  /**
   * Lane only: sends DISCONNECT on every namespace, then closes the connection ("disconnect(true)").
   * The DISCONNECT packets are queued before the close, so the client receives them first.
   */
  void disconnectAll() {
    for (Socket s : sockets.values()) { // immutable: disconnecting replaces it, this loop goes on
      s.disconnectNow();
    }
    closing = true;
    session.close();
  }

  private void closeWith(DisconnectReason reason) {
    closed = true;
    closing = true;
    session.close();
    closeSockets(reason);
  }

  private void closeSockets(DisconnectReason reason) {
    for (Socket s : sockets.values()) { // immutable: closing replaces it, this loop goes on
      s.onClose(reason);
    }
    sockets = Map.of();
    for (Object target : pending.clear()) {
      if (target instanceof Socket) {
        SocketRestore.abort((Socket) target); // does nothing for a socket that is not being restored
      }
    }
  }

  /** Server shutdown: sockets see "server shutting down" before the connection closes. */
  CompletableFuture<Void> shutdown() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lane.execute(() -> {
      try {
        closeSockets(DisconnectReason.SERVER_SHUTTING_DOWN);
      } finally {
        done.complete(null);
      }
    });
    return done;
  }

  /**
   * Session lane: the connection upgraded to WebSocket. The observers hear it per connected socket,
   * on the client lane, so that it comes after the socket's connect and before its disconnect.
   */
  @Override
  public void onUpgrade(EngineSession s) {
    if (!server.instruments().observed()) {
      return;
    }
    lane.execute(() -> {
      for (Socket socket : sockets.values()) {
        server.instruments().transportUpgraded(socket);
      }
    });
  }

  @Override
  public void onClose(EngineSession s, String engineReason) {
    closed = true;
    decoder.close(); // what an unfinished packet held goes back to the server's budget
    connectTimer.cancel();
    DisconnectReason reason = DisconnectReason.ofEngineReason(engineReason);
    server.instruments().connectionClosed(reason);
    lane.execute(() -> {
      closing = true;
      closeSockets(reason);
      server.removeClient(this);
    });
  }
}
