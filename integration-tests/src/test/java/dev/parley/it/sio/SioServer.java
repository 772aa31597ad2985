package dev.parley.it.sio;

import dev.parley.it.EventLog;

import dev.parley.Namespace;
import dev.parley.ParentNamespace;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;
import dev.parley.transport.jetty.WebSocketPath;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A Parley {@link SocketIoServer} on a real Jetty at {@code 127.0.0.1:<free port>}, with a short
 * heartbeat (ping every 1 s, 2 s to answer) and a record of what happened server-side:
 *
 * <ul>
 *   <li>{@code connection}, {@code disconnecting} (with the rooms at that moment) and
 *       {@code disconnect} (with the reason) of every socket of "/" and of the namespaces and
 *       parents obtained through {@link #of(String)} and {@link #of(Pattern)};
 *   <li>{@code error}: every call of the {@code ErrorHandler} (socket, event, exception);
 *   <li>anything a test adds with {@link #note}.
 * </ul>
 *
 * Register handlers on {@link #io()} before a client connects.
 */
final class SioServer implements AutoCloseable {
  /** What the server saw. {@code socket} is null for errors without a socket and for notes. */
  record ServerEvent(String type, String nsp, String socketId, String detail, Set<String> rooms, Throwable error,
      Socket socket) {
    boolean is(String type) {
      return this.type.equals(type);
    }

    @Override
    public String toString() {
      return type + " " + nsp + " " + socketId + (detail != null ? " " + detail : "")
          + (rooms != null ? " rooms=" + rooms : "") + (error != null ? " error=" + error : "");
    }
  }

  private final SocketIoServer io;
  private final ParleyJetty.Running running;
  private final String scheme;
  private final EventLog<ServerEvent> events = new EventLog<>("server");
  private final Set<Object> tracked = Collections.newSetFromMap(new ConcurrentHashMap<>());
  private volatile boolean closed;

  private SioServer(Consumer<SocketIoServer.Builder> configure) {
    this(configure, ParleyJetty.Options.defaults());
  }

  private SioServer(Consumer<SocketIoServer.Builder> configure, ParleyJetty.Options jetty) {
    SocketIoServer.Builder b = SocketIoServer.builder()
        .pingInterval(Duration.ofSeconds(1))
        .pingTimeout(Duration.ofSeconds(2))
        .errorHandler((socket, event, error) -> events.add(new ServerEvent("error",
            socket == null ? null : socket.namespace().name(), socket == null ? null : socket.id(), event, null,
            error, socket)));
    configure.accept(b);
    this.io = b.build();
    this.scheme = jetty.tls() != null ? "https" : "http";
    track(io.sockets());
    try {
      this.running = ParleyJetty.listen(io, "127.0.0.1", 0, jetty);
    } catch (RuntimeException e) {
      io.close();
      throw e;
    }
  }

  static SioServer start() {
    return start(b -> {});
  }

  /** With builder settings on top of the fixture's (heartbeat, recording error handler). */
  static SioServer start(Consumer<SocketIoServer.Builder> configure) {
    return new SioServer(configure);
  }

  /** With the embedded server's options of its own (the WebSocket path, for one). */
  static SioServer start(Consumer<SocketIoServer.Builder> configure, ParleyJetty.Options jetty) {
    return new SioServer(configure, jetty);
  }

  /** The WebSocket path the server's handler took. */
  WebSocketPath webSocketPath() {
    return running.handler().webSocketPath();
  }

  SocketIoServer io() {
    return io;
  }

  int port() {
    return running.port();
  }

  /** {@code http://127.0.0.1:<port>} ({@code https} with TLS), what a client connects to (plus a namespace). */
  String url() {
    return scheme + "://127.0.0.1:" + port();
  }

  EventLog<ServerEvent> events() {
    return events;
  }

  /** {@code io.of(name)}, with connections and disconnects recorded. */
  Namespace of(String name) {
    Namespace nsp = io.of(name);
    track(nsp);
    return nsp;
  }

  /** {@code io.of(pattern)}, with the children's connections and disconnects recorded. */
  ParentNamespace of(Pattern pattern) {
    ParentNamespace parent = io.of(pattern);
    if (tracked.add(parent)) {
      parent.onConnection(this::recordSocket);
    }
    return parent;
  }

  private void track(Namespace nsp) {
    if (tracked.add(nsp)) {
      nsp.onConnection(this::recordSocket);
    }
  }

  private void recordSocket(Socket s) {
    String nsp = s.namespace().name();
    events.add(new ServerEvent("connection", nsp, s.id(), s.connectionId(), null, null, s));
    s.onDisconnecting(reason -> events.add(new ServerEvent("disconnecting", nsp, s.id(), reason.wireName(), s.rooms(), null, s)));
    s.onDisconnect(reason -> events.add(new ServerEvent("disconnect", nsp, s.id(), reason.wireName(), s.rooms(), null, s)));
  }

  /** Adds a test's own event, e.g. {@code note("order", socket, "handler")}. */
  void note(String type, Socket socket, String detail) {
    events.add(new ServerEvent(type, socket == null ? null : socket.namespace().name(),
        socket == null ? null : socket.id(), detail, null, null, socket));
  }

  /** The server socket of the first connection to {@code nsp}. */
  Socket awaitConnection(String nsp) {
    return events.awaitFirst(e -> e.is("connection") && e.nsp().equals(nsp), "connection to " + nsp).socket();
  }

  /** The server socket with this id (the id a client saw in its connect event). */
  Socket socket(String socketId) {
    return events.awaitFirst(e -> e.is("connection") && e.socketId().equals(socketId), "connection of " + socketId)
        .socket();
  }

  /** The server-side disconnect reason of socket {@code socketId}. */
  String awaitDisconnect(String socketId) {
    return events.awaitFirst(e -> e.is("disconnect") && socketId.equals(e.socketId()), "disconnect of " + socketId)
        .detail();
  }

  /** The first {@code n} ErrorHandler calls. */
  java.util.List<ServerEvent> awaitErrors(int n) {
    return events.awaitCount(e -> e.is("error"), n, "error");
  }

  /** {@code io.close()} and Jetty stop; safe to call twice. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      running.close();
    }
  }
}
