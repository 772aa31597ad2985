package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.LogCapture;
import org.junit.jupiter.api.Test;

/**
 * The {@code dev.parley.connections} logger (on at DEBUG in this module's simplelogger.properties):
 * connects, refusals and disconnects, each with socket id, namespace and remote address; nothing
 * per packet.
 */
class ConnectionLogTest {
  private static InProcessServer.Conn open(InProcessServer server, String address) {
    FakeTransport t = FakeTransport.webSocket();
    EngineSession s = server.io.engine().handshake(t, EngineRequest.builder().method("GET")
        .uri("/socket.io/?EIO=4&transport=websocket").remoteAddress(address).build());
    return new InProcessServer.Conn(t, s);
  }

  @Test
  void connectsRefusalsAndDisconnectsAreLoggedWithIdNamespaceAndAddress() {
    try (InProcessServer server = new InProcessServer(b -> {});
         LogCapture log = LogCapture.start()) {
      server.io.of("/admin").use((socket, next) -> next.fail(new ConnectError("not an admin")));
      InProcessServer.Conn c = open(server, "192.0.2.7");
      c.send("40");
      String sid = c.sid();
      c.send("40/admin,");
      c.send("40/nowhere,");
      for (int i = 0; i < 50; i++) {
        c.send("42[\"chatter\",\"packet " + i + "\"]");
      }
      server.last().disconnect();

      String text = log.text();
      String connection = c.session.id();
      assertThat(text).contains("connection " + connection + " opened from 192.0.2.7 over websocket");
      assertThat(text).contains("socket " + sid + " connected to / from 192.0.2.7 (connection " + connection + ", websocket)");
      assertThat(text).contains("connect to /admin from 192.0.2.7 refused (MIDDLEWARE): not an admin");
      assertThat(text).contains("connect to /nowhere from 192.0.2.7 refused (INVALID_NAMESPACE): Invalid namespace");
      assertThat(text).contains("socket " + sid + " disconnected from / (192.0.2.7): server namespace disconnect");
      assertThat(text).doesNotContain("chatter"); // nothing per packet
    }
  }

  @Test
  void aClosedConnectionIsLoggedWithItsReason() {
    try (InProcessServer server = new InProcessServer(b -> {});
         LogCapture log = LogCapture.start()) {
      InProcessServer.Conn c = open(server, "198.51.100.9");
      c.send("40");
      c.transport.fireClose();
      assertThat(log.text()).contains("connection " + c.session.id() + " from 198.51.100.9 closed: transport close");
    }
  }
}
