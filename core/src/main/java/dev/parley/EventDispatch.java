package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one incoming event through a socket's listeners in socket.io's order: the any-listeners
 * (which see every event, also those middleware then rejects), the packet middleware one after the
 * other (each may continue later, from any thread: the next step goes back to the connection's lane),
 * then the handlers. When a handler throws without having answered the event's ack, the client gets
 * the failure answer ({@link EventAck#fail}). Every throwable of user code goes to the server's error
 * handler with the socket and event; the connection stays up.
 *
 * <p>Lane only. Each step reads the socket's listeners as they are then, so a handler registered by
 * middleware sees the event it was registered for.
 */
final class EventDispatch {
  private static final Logger log = LoggerFactory.getLogger(EventDispatch.class);

  private EventDispatch() {}

  /**
   * An event packet from the client ({@code [event, ...args]}, with {@code ackId} when it asks for
   * an answer): past the rate limit it is dropped and reported to the socket's error listeners; else
   * it is counted and observed, then run.
   */
  static void onEvent(Socket socket, Client client, JsonNode array, long ackId) {
    String event = array.get(0).asText();
    SocketIoServer server = socket.server();
    if (!socket.takeEventToken()) {
      error(socket, new LimitExceededException("socket " + socket.id() + " sent more than "
          + server.maxEventsPerSecond() + " events per second; \"" + event + "\" was dropped"));
      return;
    }
    Args args = server.wire().args(array, 1);
    server.instruments().eventReceived(socket, event, args);
    Ack ack = ackId >= 0 ? new EventAck(socket, client, server.wire(), ackId) : Ack.NONE;
    run(socket, event, args, ack);
  }

  static void run(Socket socket, String event, Args args, Ack ack) {
    for (AnyEventListener l : socket.listeners().incoming()) {
      try {
        l.onEvent(event, args);
      } catch (Throwable e) {
        socket.server().reportError(socket, event, e);
      }
    }
    middleware(socket, 0, event, args, ack);
  }

  /** Runs middleware {@code index} and, when it proceeds, the next; after the last, the handlers. */
  private static void middleware(Socket socket, int index, String event, Args args, Ack ack) {
    List<PacketMiddleware> chain = socket.listeners().middlewares();
    if (index >= chain.size()) {
      handlers(socket, event, args, ack);
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    try {
      chain.get(index).handle(event, args, new PacketMiddleware.Next() {
        @Override
        public void proceed() {
          if (done.compareAndSet(false, true)) {
            socket.lane().execute(() -> middleware(socket, index + 1, event, args, ack));
          }
        }

        @Override
        public void reject(Exception error) {
          if (done.compareAndSet(false, true)) {
            socket.lane().execute(() -> error(socket, error));
          }
        }
      });
    } catch (Throwable e) {
      socket.server().reportError(socket, event, e);
    }
  }

  private static void handlers(Socket socket, String event, Args args, Ack ack) {
    if (!socket.connected()) {
      return;
    }
    Object found = socket.listeners().handlersOf(event);
    if (found == null) {
      return;
    }
    Throwable failed;
    if (found instanceof EventHandler) {
      failed = invoke(socket, (EventHandler) found, event, args, ack); // the usual case: one handler
    } else {
      failed = null;
      for (EventHandler h : (EventHandler[]) found) {
        Throwable f = invoke(socket, h, event, args, ack);
        failed = failed == null ? f : failed;
      }
    }
    if (failed != null && ack instanceof EventAck) {
      ((EventAck) ack).fail(failed); // the client waiting for an answer is told, unless one was sent
    }
  }

  /** Runs a handler; what it threw (reported to the error handler with this socket and event), or null. */
  private static Throwable invoke(Socket socket, EventHandler h, String event, Args args, Ack ack) {
    try {
      h.handle(args, ack);
      return null;
    } catch (Throwable e) { // an Error too
      socket.server().reportError(socket, event, e);
      return e;
    }
  }

  /** Tells the socket's error listeners (a middleware rejection, a rate limit). */
  static void error(Socket socket, Exception error) {
    List<Consumer<Exception>> listeners = socket.listeners().errors();
    if (listeners.isEmpty()) {
      log.debug("socket {}: packet rejected: {}", socket.id(), error.toString());
    }
    for (Consumer<Exception> l : listeners) {
      try {
        l.accept(error);
      } catch (Throwable e) {
        socket.server().reportError(socket, "error", e);
      }
    }
  }
}
