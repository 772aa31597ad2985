package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.engine.Ids;
import dev.parley.engine.Scheduler;
import dev.parley.engine.protocol.EnginePacket;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioPacketType;
import dev.parley.protocol.SioParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO connection multiplexed over the namespaces the client joined. Everything here runs on
 * the session's executor (the Engine.IO listener contract), so the maps need no locks.
 */
final class Client implements EngineSession.Listener {
  private static final Logger log = LoggerFactory.getLogger(Client.class);

  private final SocketIoServer server;
  private final EngineSession session;
  private final SioDecoder decoder;
  private final Map<String, Socket> sockets = new HashMap<>();
  private final Map<String, Socket> connecting = new HashMap<>();
  private Scheduler.Cancellable connectTimer;
  private boolean closed;

  Client(SocketIoServer server, EngineSession session) {
    this.server = server;
    this.session = session;
    this.decoder = new SioDecoder(server.wire().mapper, server.maxAttachments());
    this.connectTimer = server.engine().scheduler().schedule(() -> session.executor().execute(() -> {
      if (sockets.isEmpty() && !closed) {
        log.debug("connection {}: no namespace joined within connectTimeout; closing", session.id());
        session.close();
      }
    }), server.connectTimeoutMillis());
  }

  EngineSession session() {
    return session;
  }

  void write(List<EnginePacket> frames) {
    session.send(frames);
  }

  void writeDroppable(List<EnginePacket> frames) {
    session.sendIfWritable(frames);
  }

  @Override
  public void onMessage(EngineSession s, EnginePacket message) {
    if (closed) {
      return;
    }
    SioPacket packet;
    try {
      packet = decoder.add(message);
    } catch (SioParseException e) {
      log.debug("connection {}: {}; closing", session.id(), e.getMessage());
      closeWith(DisconnectReason.PARSE_ERROR);
      return;
    }
    if (packet != null) {
      route(packet);
    }
  }

  private void route(SioPacket packet) {
    String nsp = packet.nsp();
    Socket socket = sockets.get(nsp);
    if (packet.type() == SioPacketType.CONNECT) {
      if (socket != null || connecting.containsKey(nsp)) {
        log.debug("connection {}: second CONNECT to {}; closing", session.id(), nsp);
        closeWith(DisconnectReason.PARSE_ERROR);
        return;
      }
      connect(nsp, packet.data());
      return;
    }
    if (socket == null || packet.type() == SioPacketType.CONNECT_ERROR) {
      log.debug("connection {}: {} for namespace {} not joined; closing", session.id(), packet.type(), nsp);
      closeWith(DisconnectReason.PARSE_ERROR);
      return;
    }
    socket.onPacket(packet);
  }

  private void connect(String name, JsonNode authData) {
    Namespace nsp = server.namespaceFor(name);
    if (nsp == null) {
      write(server.wire().connectError(name, "Invalid namespace", null));
      return;
    }
    JsonNode auth = authData == null ? JsonNodeFactory.instance.objectNode() : authData;
    Socket socket = new Socket(Ids.random(), nsp, this, handshake(auth));
    connecting.put(name, socket);
    nsp.runMiddlewares(socket, error -> session.executor().execute(() -> finishConnect(name, socket, error)));
  }

  private void finishConnect(String name, Socket socket, ConnectError error) {
    if (connecting.remove(name) != socket || closed) {
      return;
    }
    if (error != null) {
      write(server.wire().connectError(name, error.getMessage(), error.data()));
      return;
    }
    sockets.put(name, socket);
    connectTimer.cancel();
    socket.onConnected();
    write(server.wire().connectOk(name, socket.id()));
    socket.namespace().add(socket);
  }

  private Handshake handshake(JsonNode auth) {
    EngineRequest r = session.request();
    return new Handshake(r.headers(), r.queryParameters(), auth, r.remoteAddress(), Instant.now(),
        r.url(), r.secure());
  }

  void remove(Socket socket) {
    sockets.remove(socket.namespace().name(), socket);
  }

  /** Sends DISCONNECT on every namespace, then closes the connection ("disconnect(true)"). */
  void disconnectAll() {
    for (Socket s : new ArrayList<>(sockets.values())) {
      s.disconnect(false);
    }
    session.executor().execute(session::close);
  }

  private void closeWith(String reason) {
    closed = true;
    session.close();
    closeSockets(reason);
  }

  private void closeSockets(String reason) {
    for (Socket s : new ArrayList<>(sockets.values())) {
      s.onClose(reason);
    }
    sockets.clear();
    connecting.clear();
  }

  /** Server shutdown: sockets see "server shutting down" before the connection closes. */
  void shutdown() {
    session.executor().execute(() -> closeSockets(DisconnectReason.SERVER_SHUTTING_DOWN));
  }

  @Override
  public void onClose(EngineSession s, String reason) {
    closed = true;
    connectTimer.cancel();
    closeSockets(reason);
    server.removeClient(this);
  }

}
