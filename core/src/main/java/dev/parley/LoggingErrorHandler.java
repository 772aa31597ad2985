package dev.parley;

import dev.parley.internal.engine.LogText;
import dev.parley.internal.engine.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link ErrorHandler}: logs at ERROR without letting a client flood the log. The first
 * failure of each handler (event) and exception type is logged with its stack trace and the socket;
 * later ones are counted and reported once per interval ({@code errorLogInterval}, 10 s by default).
 * A flood of 20,000 failing events thus writes one stack trace and a few lines of counts. An
 * {@link InvalidArgumentException} (what a client sent did not convert) is the client's mistake, not
 * the server's: it is logged at DEBUG, one line without a stack trace.
 */
final class LoggingErrorHandler implements ErrorHandler {
  private static final Logger debugLog = LoggerFactory.getLogger(SocketIoServer.class);

  private final RateLimitedLog log;

  LoggingErrorHandler(RateLimitedLog log) {
    this.log = log;
  }

  @Override
  public void onError(Socket socket, String event, Throwable error) {
    String name = LogText.clip(event); // event names come from clients
    if (error instanceof InvalidArgumentException) {
      if (debugLog.isDebugEnabled()) {
        debugLog.debug("socket {}: \"{}\": {}", socket == null ? "-" : socket.id(), name, error.getMessage());
      }
      return;
    }
    String type = error == null ? "-" : error.getClass().getName();
    log.error("handler for \"" + name + "\" threw " + type,
        "handler for \"" + name + "\" on socket " + (socket == null ? "-" : socket.id()) + " threw", error);
  }
}
