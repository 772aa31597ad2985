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
  /** A set, not a copy-on-write list: with cleanupEmptyChildNamespaces children come and go all the time. */
  private final java.util.Set<Namespace> children = java.util.concurrent.ConcurrentHashMap.newKeySet();

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

  /**
   * The child namespaces that exist now, in no particular order: every one created from this pattern
   * so far, or, with {@code cleanupEmptyChildNamespaces}, those that have sockets.
   */
  public List<Namespace> children() {
    return Collections.unmodifiableList(new ArrayList<>(children));
  }

  /** Sends an event to every socket of every child namespace that exists now. */
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

  void removeChild(Namespace child) {
    children.remove(child);
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
