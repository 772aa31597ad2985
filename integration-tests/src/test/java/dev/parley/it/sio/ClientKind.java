package dev.parley.it.sio;

/** Which official client. */
enum ClientKind {
  /** socket.io-client 4.8.4 in a Node process, driven by {@code sio-client.mjs} ({@link SioNodeClient}). */
  NODE,
  /** io.socket:socket.io-client 2.1.2 in this JVM ({@link JavaClient}). */
  JAVA
}
