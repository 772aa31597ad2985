package dev.parley;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** How Node.js writes the values of {@code socket.handshake}: its header joining and {@code Date.toString()}. */
final class NodeShape {
  /** The request headers Node's {@code IncomingMessage} keeps the first value of (it drops repeats). */
  private static final Set<String> SINGLE = Set.of("age", "authorization", "content-length", "content-type",
      "etag", "expires", "from", "host", "if-modified-since", "if-unmodified-since", "last-modified", "location",
      "max-forwards", "proxy-authorization", "referer", "retry-after", "server", "user-agent");

  /** {@code Date.prototype.toString()}: {@code Sun Dec 06 2026 00:31:00 GMT+0000 (Coordinated Universal Time)}. */
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern(
      "EEE MMM dd yyyy HH:mm:ss 'GMT'xx '('zzzz')'", Locale.US);

  private NodeShape() {}

  /**
   * The value Node gives a header {@code key} (lower-case) after {@code values}, when it had
   * {@code previous} already (null: none).
   */
  static String joinHeader(String key, String previous, List<String> values) {
    String out = previous;
    for (String v : values) {
      if (out == null) {
        out = v;
      } else if (SINGLE.contains(key)) {
        return out;
      } else {
        out = out + ("cookie".equals(key) ? "; " : ", ") + v;
      }
    }
    return out;
  }

  /** {@code String(new Date(ms))} in the JVM's default time zone (Node's is the process's {@code TZ}). */
  static String dateToString(Instant time) {
    return DATE.format(time.atZone(ZoneId.systemDefault()));
  }
}
