package dev.parley;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs a namespace's connect middleware for one connecting socket, in order: each calls
 * {@code next.proceed()} (the next runs, on the thread that called it) or {@code next.fail(error)};
 * only a middleware's first call counts. {@code done} receives null once the last proceeded, or the
 * refusal: the {@link ConnectError} given or thrown, or, for any other exception (also reported to
 * the error handler), a {@code ConnectError} with its message. The caller hops back to the
 * connection's lane.
 */
final class ConnectMiddlewareChain {
  private ConnectMiddlewareChain() {}

  static void run(SocketIoServer server, List<ConnectMiddleware> chain, Socket socket, Consumer<ConnectError> done) {
    step(server, chain, 0, socket, done);
  }

  private static void step(SocketIoServer server, List<ConnectMiddleware> chain, int index, Socket socket,
      Consumer<ConnectError> done) {
    if (index >= chain.size()) {
      done.accept(null);
      return;
    }
    AtomicBoolean called = new AtomicBoolean();
    try {
      chain.get(index).handle(socket, new ConnectMiddleware.Next() {
        @Override
        public void proceed() {
          if (called.compareAndSet(false, true)) {
            step(server, chain, index + 1, socket, done);
          }
        }

        @Override
        public void fail(ConnectError error) {
          if (called.compareAndSet(false, true)) {
            done.accept(Objects.requireNonNull(error, "error == null"));
          }
        }
      });
    } catch (ConnectError e) {
      if (called.compareAndSet(false, true)) {
        done.accept(e);
      }
    } catch (Throwable e) {
      server.reportError(socket, "middleware", e);
      if (called.compareAndSet(false, true)) {
        done.accept(new ConnectError(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      }
    }
  }
}
