package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testing.FakeTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The handshake: the OPEN packet's exact JSON, ids, registration, and the connection handler's place. */
class HandshakeTest extends SessionTestBase {
  @Test
  void pollingSessionAdvertisesWebSocketUpgrade() throws Exception {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = open(polling);

    assertThat(polling.batches()).isEmpty(); // no GET yet
    polling.drain();

    assertThat(polling.payloads())
        .containsExactly(expectedHandshake(session.id(), "[\"websocket\"]", 300, 200, 1_000_000));
    Map<String, Object> json = new ObjectMapper().readValue(polling.wire().get(0).substring(1),
        new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
    assertThat(new ArrayList<>(json.keySet()))
        .containsExactly("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
    assertThat(json.get("upgrades")).isEqualTo(List.of("websocket"));
  }

  @Test
  void webSocketSessionAdvertisesNoUpgrade() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = open(ws);

    assertThat(ws.payloads()).containsExactly(expectedHandshake(session.id(), "[]", 300, 200, 1_000_000));
  }

  @Test
  void noUpgradeWhenUpgradesAreDisabled() {
    server = server(options().allowUpgrades(false).build());
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = open(polling);
    polling.drain();

    assertThat(polling.payloads()).containsExactly(expectedHandshake(session.id(), "[]", 300, 200, 1_000_000));
  }

  @Test
  void noUpgradeWhenWebSocketIsNotEnabled() {
    server = server(options().transports(TransportKind.POLLING).build());
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = open(polling);
    polling.drain();

    assertThat(polling.payloads()).containsExactly(expectedHandshake(session.id(), "[]", 300, 200, 1_000_000));
  }

  @Test
  void referenceDefaults() {
    server = EngineServer.builder().executor(executor).scheduler(scheduler).build();
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = open(polling);
    polling.drain();

    assertThat(polling.payloads())
        .containsExactly(expectedHandshake(session.id(), "[\"websocket\"]", 25000, 20000, 1_000_000));
  }

  @Test
  void maxPayloadIsTheHttpBufferSize() {
    server = server(options().maxHttpBufferSize(4096).build());
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = open(ws);

    assertThat(ws.payloads()).containsExactly(expectedHandshake(session.id(), "[]", 300, 200, 4096));
  }

  @Test
  void sessionIdsAreUnguessableAndRegistered() {
    EngineSession a = open(FakeTransport.webSocket());
    EngineSession b = open(FakeTransport.webSocket());

    assertThat(a.id()).matches("[A-Za-z0-9_-]{20}");
    assertThat(b.id()).matches("[A-Za-z0-9_-]{20}").isNotEqualTo(a.id());
    assertThat(server.session(a.id())).isSameAs(a);
    assertThat(server.session(b.id())).isSameAs(b);
    assertThat(server.sessionCount()).isEqualTo(2);
    assertThat(a.isOpen()).isTrue();
    assertThat(a.upgraded()).isFalse();
    assertThat(a.transportKind()).isEqualTo(TransportKind.WEBSOCKET);
    assertThat(a.request().query("EIO")).isEqualTo("4");
  }

  @Test
  void transportIsBoundOnce() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = open(ws);

    assertThat(ws.bindCount()).isEqualTo(1);
    assertThat(session.transport()).isSameAs(ws);
  }

  @Test
  void connectionHandlerRunsAfterOpenAndBeforeClientPackets() {
    List<String> events = new ArrayList<>();
    server.onConnection(s -> {
      events.add("connected");
      s.setListener(new RecordingListener() {
        @Override
        public void onMessage(EngineSession session, EnginePacket packet) {
          events.add("message " + packet.text());
        }
      });
      s.send("welcome");
    });
    FakeTransport ws = FakeTransport.webSocket();
    open(ws);
    ws.receive("4hi");

    assertThat(events).containsExactly("connected", "message hi");
    assertThat(ws.wire()).hasSize(2);
    assertThat(ws.wire().get(0)).startsWith("0{");
    assertThat(ws.wire().get(1)).isEqualTo("4welcome");
  }

  @Test
  void throwingConnectionHandlerDoesNotBreakTheSession() {
    server.onConnection(s -> {
      s.setListener(listener);
      throw new IllegalStateException("boom");
    });
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = open(ws);
    ws.receive("4still here");

    assertThat(session.isOpen()).isTrue();
    assertThat(listener.messages()).containsExactly("4still here");
  }

}
