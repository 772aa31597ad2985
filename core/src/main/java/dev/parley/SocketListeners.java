package dev.parley;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything registered on one socket: event handlers by event name, any-listeners (incoming and
 * outgoing), packet middleware, error listeners and the two disconnect listener lists. An immutable
 * value: each change returns a new one, which the socket publishes in one volatile field, so reading
 * takes no lock and sees a consistent set. Sockets are many and their listeners few, so the empty
 * value is shared ({@link #NONE}) and the handlers are kept compactly (see {@link #handlers}).
 */
final class SocketListeners {
  static final SocketListeners NONE = new SocketListeners(new Object[0], List.of(), List.of(), List.of(), List.of(),
      List.of(), List.of());

  /**
   * The handlers as a flat table {@code [event, handlers, event, handlers, ...]}, where handlers is
   * one {@link EventHandler} (nearly always) or an {@code EventHandler[]} of several, in registration
   * order: one small array per socket, instead of a hash map and a list per event. Looked up by a
   * linear scan, which for the few events a socket handles is as fast as hashing.
   */
  private final Object[] handlers;
  private final List<AnyEventListener> incoming;
  private final List<AnyEventListener> outgoing;
  private final List<PacketMiddleware> middlewares;
  private final List<Consumer<Exception>> errors;
  private final List<Consumer<DisconnectReason>> disconnecting;
  private final List<Consumer<DisconnectReason>> disconnect;

  private SocketListeners(Object[] handlers, List<AnyEventListener> incoming, List<AnyEventListener> outgoing,
      List<PacketMiddleware> middlewares, List<Consumer<Exception>> errors,
      List<Consumer<DisconnectReason>> disconnecting, List<Consumer<DisconnectReason>> disconnect) {
    this.handlers = handlers;
    this.incoming = incoming;
    this.outgoing = outgoing;
    this.middlewares = middlewares;
    this.errors = errors;
    this.disconnecting = disconnecting;
    this.disconnect = disconnect;
  }

  // ------------------------------------------------------------------ reading

  /** The handlers of {@code event}: one {@link EventHandler}, an {@code EventHandler[]}, or null. */
  Object handlersOf(String event) {
    Object[] table = handlers;
    for (int i = 0; i < table.length; i += 2) {
      if (event.equals(table[i])) {
        return table[i + 1];
      }
    }
    return null;
  }

  List<AnyEventListener> incoming() {
    return incoming;
  }

  List<AnyEventListener> outgoing() {
    return outgoing;
  }

  List<PacketMiddleware> middlewares() {
    return middlewares;
  }

  List<Consumer<Exception>> errors() {
    return errors;
  }

  List<Consumer<DisconnectReason>> disconnecting() {
    return disconnecting;
  }

  List<Consumer<DisconnectReason>> disconnect() {
    return disconnect;
  }

  // ------------------------------------------------------------------ changing (each returns a new value)

  SocketListeners withHandler(String event, EventHandler handler) {
    Object[] table = handlers;
    for (int i = 0; i < table.length; i += 2) {
      if (event.equals(table[i])) {
        Object[] next = table.clone();
        Object current = table[i + 1];
        if (current instanceof EventHandler) {
          next[i + 1] = new EventHandler[] {(EventHandler) current, handler};
        } else {
          EventHandler[] several = (EventHandler[]) current;
          EventHandler[] more = Arrays.copyOf(several, several.length + 1);
          more[several.length] = handler;
          next[i + 1] = more;
        }
        return withHandlers(next);
      }
    }
    Object[] next = Arrays.copyOf(table, table.length + 2);
    next[table.length] = event;
    next[table.length + 1] = handler;
    return withHandlers(next);
  }

  SocketListeners withoutHandlers(String event) {
    Object[] table = handlers;
    for (int i = 0; i < table.length; i += 2) {
      if (event.equals(table[i])) {
        Object[] next = new Object[table.length - 2];
        System.arraycopy(table, 0, next, 0, i);
        System.arraycopy(table, i + 2, next, i, table.length - i - 2);
        return withHandlers(next);
      }
    }
    return this;
  }

  private SocketListeners withHandlers(Object[] next) {
    return new SocketListeners(next, incoming, outgoing, middlewares, errors, disconnecting, disconnect);
  }

  SocketListeners withIncoming(AnyEventListener l, boolean first) {
    return new SocketListeners(handlers, plus(incoming, l, first), outgoing, middlewares, errors, disconnecting,
        disconnect);
  }

  /** Without {@code l}, or without every incoming any-listener when {@code l} is null. */
  SocketListeners withoutIncoming(AnyEventListener l) {
    return new SocketListeners(handlers, minus(incoming, l), outgoing, middlewares, errors, disconnecting,
        disconnect);
  }

  SocketListeners withOutgoing(AnyEventListener l) {
    return new SocketListeners(handlers, incoming, plus(outgoing, l, false), middlewares, errors, disconnecting,
        disconnect);
  }

  /** Without {@code l}, or without every outgoing any-listener when {@code l} is null. */
  SocketListeners withoutOutgoing(AnyEventListener l) {
    return new SocketListeners(handlers, incoming, minus(outgoing, l), middlewares, errors, disconnecting,
        disconnect);
  }

  SocketListeners withMiddleware(PacketMiddleware m) {
    return new SocketListeners(handlers, incoming, outgoing, plus(middlewares, m, false), errors, disconnecting,
        disconnect);
  }

  SocketListeners withError(Consumer<Exception> l) {
    return new SocketListeners(handlers, incoming, outgoing, middlewares, plus(errors, l, false), disconnecting,
        disconnect);
  }

  SocketListeners withDisconnecting(Consumer<DisconnectReason> l) {
    return new SocketListeners(handlers, incoming, outgoing, middlewares, errors, plus(disconnecting, l, false),
        disconnect);
  }

  SocketListeners withDisconnect(Consumer<DisconnectReason> l) {
    return new SocketListeners(handlers, incoming, outgoing, middlewares, errors, disconnecting,
        plus(disconnect, l, false));
  }

  /** {@code list} plus {@code item} (first or last), as a new immutable list. */
  private static <T> List<T> plus(List<T> list, T item, boolean first) {
    if (list.isEmpty()) {
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
    return Collections.unmodifiableList(next);
  }

  /** {@code list} without the first occurrence of {@code item}, or empty when {@code item} is null. */
  private static <T> List<T> minus(List<T> list, T item) {
    if (item == null) {
      return List.of();
    }
    List<T> next = new ArrayList<>(list);
    next.remove(item);
    return next.isEmpty() ? List.of() : Collections.unmodifiableList(next);
  }
}
