package dev.parley.it.sio;

import io.socket.client.IO;
import java.util.List;
import java.util.Map;

/** The transport sets every client runs over. */
enum TransportMode {
  /** WebSocket from the start ({@code transports: ["websocket"]}). */
  WEBSOCKET(List.of("websocket"), false),
  /** HTTP long-polling only ({@code transports: ["polling"], upgrade: false}). */
  POLLING(List.of("polling"), false),
  /** Long-polling first, then upgraded to WebSocket (the clients' default). */
  UPGRADE(List.of("polling", "websocket"), true);

  final List<String> transports;
  final boolean upgrade;

  TransportMode(List<String> transports, boolean upgrade) {
    this.transports = transports;
    this.upgrade = upgrade;
  }

  /** The transport a connection opens on. */
  String openTransport() {
    return transports.get(0);
  }

  /** The transport a connection ends up on once any upgrade is done. */
  String finalTransport() {
    return transports.get(transports.size() - 1);
  }

  /** socket.io-client options. */
  Map<String, Object> nodeOptions() {
    return Map.of("transports", transports, "upgrade", upgrade);
  }

  /** io.socket options. */
  void apply(IO.Options options) {
    options.transports = transports.toArray(new String[0]);
    options.upgrade = upgrade;
  }
}
