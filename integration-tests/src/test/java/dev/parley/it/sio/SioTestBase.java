package dev.parley.it.sio;

import dev.parley.SocketIoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh {@link SioServer} and {@link SioClients} for every test; at the end of the class the shared
 * OkHttp client of the Java client is shut down and no thread of it may remain. Override
 * {@link #configure} for server settings.
 */
abstract class SioTestBase {
  SioServer server;
  SioClients clients;

  /** Settings on top of the fixture's; runs before each test's server is built. */
  void configure(SocketIoServer.Builder builder) {}

  @BeforeEach
  void startServer() {
    server = SioServer.start(this::configure);
    clients = new SioClients(server);
  }

  @AfterEach
  void stopServerAndClients() {
    try {
      if (clients != null) {
        clients.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @AfterAll
  static void stopJavaClientThreads() {
    JavaClient.shutdownOkHttp();
  }
}
