package dev.parley.transport.jetty;

/**
 * Which code carries a {@link ParleyHandler}'s WebSocket connections.
 *
 * <p>Both paths speak the same protocol with the same limits; they differ in speed and in what they
 * rely on. The <b>public path</b> is Jetty's own WebSocket connection and session, reached through
 * Jetty's exported API only: it runs on every Jetty 12.0.x and 12.1.x Parley supports, over HTTP/1.1
 * and HTTP/2, with or without permessage-deflate. The <b>fast path</b> is Parley's own frame layer for
 * HTTP/1.1 upgrades without extensions: less heap per idle connection and less CPU per message (see
 * {@code docs/performance.md}), at the price of owning the frame parser and writing straight to the
 * socket. It is used only when a check at start-up confirms what it relies on: a Jetty version in the
 * range Parley's CI tests it on, and the Jetty classes and members it links against, present and
 * accessible. Upgrades it does not take (HTTP/2, permessage-deflate, malformed requests) go to the
 * public path either way.
 *
 * <p>The choice is made once per {@link ParleyHandler} when it starts and logged once at INFO with its
 * reason. Set it in code with {@link ParleyHandler.Options.Builder#webSocketPath}, or for a whole
 * process with the system property {@value #PROPERTY} ({@code auto}, {@code public} or {@code fast}),
 * which applies where the code leaves the path at {@link #AUTO}:
 *
 * <pre>{@code
 * java -Dparley.websocket.path=public -jar app.jar     // Jetty's WebSocket code only
 * }</pre>
 */
public enum WebSocketPath {
  /** The fast path when the start-up check passes, otherwise the public path (the default). */
  AUTO,
  /** Jetty's WebSocket connection and session, through Jetty's exported API only. */
  PUBLIC,
  /** Parley's own frame layer; the handler fails to start when the check does not pass. */
  FAST;

  /** The system property that sets the path where the code leaves it at {@link #AUTO}. */
  public static final String PROPERTY = "parley.websocket.path";

  /**
   * The path the system property {@value #PROPERTY} names ({@code auto}, {@code public} or
   * {@code fast}, in any case), or {@link #AUTO} when it is not set.
   *
   * @throws IllegalArgumentException when it names none of them
   */
  public static WebSocketPath fromSystemProperty() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return AUTO;
    }
    for (WebSocketPath p : values()) {
      if (p.name().equalsIgnoreCase(value.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": expected auto, public or fast");
  }
}
