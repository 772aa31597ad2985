package dev.parley.it;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.transport.jetty.ParleyHandler;
import dev.parley.transport.jetty.ParleyJetty;
import dev.parley.transport.jetty.WebSocketPath;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * An echo Engine.IO server on a real Jetty at {@code 127.0.0.1:<free port>}: every message packet is
 * sent back unchanged (unless {@link #echo(boolean)} turns that off), and connections, messages and
 * closes are recorded in {@link #events()}.
 */
final class TestServer implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** What the server saw: {@code connection}, {@code message} or {@code close}. */
  record Event(String type, String sid, EnginePacket packet, String reason) {
    boolean is(String type, String sid) {
      return this.type.equals(type) && this.sid.equals(sid);
    }

    @Override
    public String toString() {
      return type + " " + sid + (packet != null ? " " + packet : "") + (reason != null ? " reason=" + reason : "");
    }
  }

  private final EngineServer engine;
  private final ParleyJetty.Running running;
  private final EventLog<Event> events = new EventLog<>("server");
  private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
  private volatile boolean echo = true;
  private volatile BiConsumer<EngineSession, EnginePacket> onMessage = (s, p) -> {};
  private volatile java.util.function.Consumer<EngineSession> onConnection = s -> {};

  private TestServer(EngineServer engine) {
    this(engine, ParleyJetty.Options.defaults());
  }

  private TestServer(EngineServer engine, ParleyJetty.Options jetty) {
    this.engine = engine;
    engine.onConnection(session -> {
      sessions.put(session.id(), session);
      onConnection.accept(session); // before the event: a test that awaits it sees what the hook sent
      events.add(new Event("connection", session.id(), null, null));
      session.setListener(new EngineSession.Listener() {
        @Override
        public void onMessage(EngineSession s, EnginePacket packet) {
          events.add(new Event("message", s.id(), packet, null));
          onMessage.accept(s, packet);
          if (echo) {
            s.send(packet);
          }
        }

        @Override
        public void onClose(EngineSession s, String reason) {
          events.add(new Event("close", s.id(), null, reason));
        }
      });
    });
    this.running = ParleyJetty.listen(engine, "127.0.0.1", 0, jetty);
  }

  /** Runs for each new session, during its handshake (before the client has its open packet). */
  void onConnection(java.util.function.Consumer<EngineSession> hook) {
    this.onConnection = hook;
  }

  static TestServer start(EngineOptions options) {
    return new TestServer(EngineServer.builder().options(options).build());
  }

  /** With connector limits of its own (idle timeout, header size). */
  static TestServer start(EngineOptions options, ParleyJetty.Options jetty) {
    return new TestServer(EngineServer.builder().options(options).build(), jetty);
  }

  /** On the given WebSocket path ({@link WebSocketPath#FAST} fails to start where the fast path cannot run). */
  static TestServer start(EngineOptions options, WebSocketPath path) {
    return start(options, jettyOptions(path));
  }

  /** The embedded server's options with the WebSocket path forced. */
  static ParleyJetty.Options jettyOptions(WebSocketPath path) {
    return ParleyJetty.Options.builder()
        .handler(ParleyHandler.Options.builder().webSocketPath(path).build())
        .build();
  }

  /** The path this server's WebSocket connections take. */
  WebSocketPath webSocketPath() {
    return running.handler().webSocketPath();
  }

  static TestServer start() {
    return start(EngineOptions.defaults());
  }

  /** Short heartbeat, so that ping timeouts happen within a test and pings interleave with data. */
  static EngineOptions.Builder fastHeartbeat() {
    return EngineOptions.builder().pingInterval(Duration.ofMillis(400)).pingTimeout(Duration.ofMillis(300));
  }

  TestServer echo(boolean on) {
    this.echo = on;
    return this;
  }

  /** Also called for each message, before the echo. */
  TestServer onMessage(BiConsumer<EngineSession, EnginePacket> handler) {
    this.onMessage = handler;
    return this;
  }

  EngineServer engine() {
    return engine;
  }

  ParleyJetty.Running running() {
    return running;
  }

  int port() {
    return running.port();
  }

  /** {@code http://127.0.0.1:<port>}, what a client gets as its URL. */
  String origin() {
    return "http://127.0.0.1:" + port();
  }

  /** The engine path with a query, e.g. {@code uri("EIO=4&transport=polling")}. */
  URI uri(String query) {
    return URI.create(origin() + engine.options().path() + "?" + query);
  }

  URI wsUri(String query) {
    return URI.create("ws://127.0.0.1:" + port() + engine.options().path() + "?" + query);
  }

  EventLog<Event> events() {
    return events;
  }

  /**
   * The session object the server handed to the connection handler (kept after it closes), waiting
   * for the handler to run: a client may see the open packet a moment before that.
   */
  EngineSession session(String sid) {
    awaitConnection(sid);
    EngineSession s = sessions.get(sid);
    if (s == null) {
      throw new AssertionError("no session " + sid + "\n" + events.describe());
    }
    return s;
  }

  Event awaitConnection() {
    return events.awaitFirst(e -> e.type().equals("connection"), TIMEOUT, "connection");
  }

  Event awaitConnection(String sid) {
    return events.awaitFirst(e -> e.is("connection", sid), TIMEOUT, "connection of " + sid);
  }

  /** The reason the server gave when session {@code sid} closed. */
  String awaitClose(String sid) {
    return events.awaitFirst(e -> e.is("close", sid), TIMEOUT, "close of " + sid).reason();
  }

  @Override
  public void close() {
    running.close();
  }
}
