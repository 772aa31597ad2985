package dev.parley.engine;

/**
 * The transports Parley serves, by their wire names.
 *
 * <pre>{@code
 * EngineOptions.builder().transports(TransportKind.WEBSOCKET); // WebSocket only
 * TransportKind.fromWireName("polling");                       // POLLING
 * }</pre>
 */
public enum TransportKind {
  POLLING("polling"),
  WEBSOCKET("websocket");

  private final String wireName;

  TransportKind(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in the {@code transport} query parameter. */
  public String wireName() {
    return wireName;
  }

  /** The kind for a wire name, or {@code null} for an unknown name. */
  public static TransportKind fromWireName(String name) {
    if ("polling".equals(name)) {
      return POLLING;
    }
    if ("websocket".equals(name)) {
      return WEBSOCKET;
    }
    return null;
  }
}
