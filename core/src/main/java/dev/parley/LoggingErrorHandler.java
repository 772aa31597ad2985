package dev.parley;

import dev.parley.internal.engine.RateLimitedLog;

/**
 * The default {@link ErrorHandler}: logs at ERROR without letting a client flood the log. The first
 * failure of each handler (event) and exception type is logged with its stack trace and the socket;
 * later ones are counted and reported once per interval ({@code errorLogInterval}, 10 s by default).
 * A flood of 20,000 failing events thus writes one stack trace and a few lines of counts.
 */
final class LoggingErrorHandler implements ErrorHandler {
  /** Event names come from clients: at most this much of one goes into a log line. */
  private static final int MAX_EVENT_CHARS = 100;

  private final RateLimitedLog log;

  LoggingErrorHandler(RateLimitedLog log) {
    this.log = log;
  }

  @Override
  public void onError(Socket socket, String event, Throwable error) {
    String name = event == null ? "-" : event.length() > MAX_EVENT_CHARS ? event.substring(0, MAX_EVENT_CHARS) + "..." : event;
    String type = error == null ? "-" : error.getClass().getName();
    log.error("handler for \"" + name + "\" threw " + type,
        "handler for \"" + name + "\" on socket " + (socket == null ? "-" : socket.id()) + " threw", error);
  }
}
