package dev.parley;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Dynamic namespaces: every namespace name a client asks for that the predicate (or regex) accepts
 * is created on first use. Middleware and connection handlers added here apply to all of them;
 * {@link #emit} reaches the sockets of every namespace created so far.
 *
 * <pre>{@code
 * ParentNamespace workspaces = io.of(Pattern.compile("^/workspace-\\d+$"));
 * workspaces.use((socket, next) -> next.proceed());
 * workspaces.onConnection(socket -> log.info("joined {}", socket.namespace().name()));
 * workspaces.emit("maintenance", "in 5 minutes");
 * }</pre>
 */
public final class ParentNamespace {
  private final Predicate<String> matcher;
  private final CopyOnWriteArrayList<ConnectMiddleware> middlewares = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<Socket>> connectionHandlers = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Namespace> children = new CopyOnWriteArrayList<>();

  ParentNamespace(Predicate<String> matcher) {
    this.matcher = matcher;
  }

  /** Adds connect middleware run for every child namespace, before the child's own. */
  public ParentNamespace use(ConnectMiddleware middleware) {
    middlewares.add(Objects.requireNonNull(middleware, "middleware == null"));
    return this;
  }

  /** Adds a connection handler for sockets of every child namespace. */
  public ParentNamespace onConnection(Consumer<Socket> handler) {
    connectionHandlers.add(Objects.requireNonNull(handler, "handler == null"));
    return this;
  }

  /** The namespaces created from this pattern so far. */
  public List<Namespace> children() {
    return Collections.unmodifiableList(new ArrayList<>(children));
  }

  /** Sends an event to every socket of every child namespace. */
  public void emit(String event, Object... args) {
    Wire.checkEventName(event);
    for (Namespace n : children) {
      n.emit(event, args);
    }
  }

  boolean matches(String name) {
    return matcher.test(name);
  }

  void addChild(Namespace child) {
    children.add(child);
  }

  List<ConnectMiddleware> middlewares() {
    return middlewares;
  }

  void fireConnection(Socket socket, SocketIoServer server) {
    for (Consumer<Socket> h : connectionHandlers) {
      try {
        h.accept(socket);
      } catch (Throwable e) {
        server.reportError(socket, "connection", e);
      }
    }
  }
}
