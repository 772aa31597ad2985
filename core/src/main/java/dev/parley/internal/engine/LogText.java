package dev.parley.internal.engine;

/**
 * Client-supplied text (a namespace, an event name, a refusal message) cut to a length fit for one
 * log line, so that a client cannot write long lines into the server's log.
 *
 * <pre>{@code
 * log.debug("connect to {} refused", LogText.clip(namespace));
 * }</pre>
 */
public final class LogText {
  /** The most characters of one client-supplied value that go into a log line. */
  public static final int MAX_CHARS = 100;

  private LogText() {}

  /** {@code text} as it is when short, else its first {@link #MAX_CHARS} characters and "..."; "-" for null. */
  public static String clip(String text) {
    if (text == null) {
      return "-";
    }
    return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text;
  }
}
