package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.FakeTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The session's state machine: what the client's packets and the transport's events do, and the server's
 * graceful close. Its parts have tests of their own: {@link HandshakeTest}, {@link HeartbeatTest},
 * {@link OutboxTest}, {@link UpgradeProbeTest}, {@link InputGateTest}, {@link BroadcastFlusherTest}.
 */
class EngineSessionTest extends SessionTestBase {
  @Test
  void messagesAreDeliveredInOrderTextAndBinary() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);

    ws.receive("4one");
    ws.receive(EnginePacket.message(ONE_TO_FOUR));
    ws.receive("4");
    ws.receive("4three");

    assertThat(listener.messages()).containsExactly("4one", "bAQIDBA==", "4", "4three");
  }

  @Test
  void clientPingClosesWithTransportError() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    ws.receive("2");

    assertThat(listener.closeReasons).containsExactly("transport error");
    assertThat(session.isOpen()).isFalse();
    assertThat(server.sessionCount()).isZero();
    assertThat(ws.closed()).isTrue();
  }

  @Test
  void clientCloseClosesWithTransportCloseWithoutAnsweringClose() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    ws.receive("1");

    assertThat(listener.closeReasons).containsExactly("transport close");
    assertThat(session.isOpen()).isFalse();
    assertThat(server.sessionCount()).isZero();
    assertThat(ws.closeCalls()).first().isEqualTo(false);
    assertThat(ws.wire()).isEmpty();
  }

  @Test
  void invalidPacketClosesWithParseError() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    ws.receive("abc");

    assertThat(listener.closeReasons).containsExactly("parse error");
    assertThat(session.isOpen()).isFalse();
    assertThat(server.sessionCount()).isZero();
  }

  @Test
  void transportParseErrorClosesWithParseError() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);

    ws.fireParseError("bad frame");

    assertThat(listener.closeReasons).containsExactly("parse error");
  }

  @Test
  void transportErrorClosesWithTransportError() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);

    ws.fireError("connection reset");

    assertThat(listener.closeReasons).containsExactly("transport error");
    assertThat(server.sessionCount()).isZero();
  }

  @Test
  void transportCloseClosesWithTransportClose() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);

    ws.fireClose();

    assertThat(listener.closeReasons).containsExactly("transport close");
    assertThat(server.sessionCount()).isZero();
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void upgradeNoopAndOpenOnTheActiveTransportAreIgnored() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    ws.receive("5");
    ws.receive("6");
    ws.receive("0");

    assertThat(session.isOpen()).isTrue();
    assertThat(listener.packets).isEmpty();
    assertThat(ws.wire()).isEmpty();
  }

  @Test
  void nothingIsDeliveredAfterClose() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);
    ws.receive("1");

    ws.receive("4late");
    ws.fireError("late");

    assertThat(listener.packets).isEmpty();
    assertThat(listener.closeReasons).containsExactly("transport close");
  }

  @Test
  void throwingMessageListenerDoesNotCloseTheSession() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);
    List<String> seen = new ArrayList<>();
    session.setListener(new RecordingListener() {
      @Override
      public void onMessage(EngineSession s, EnginePacket packet) {
        seen.add(packet.text());
        throw new IllegalStateException("boom");
      }
    });

    ws.receive("4a");
    ws.receive("4b");

    assertThat(seen).containsExactly("a", "b");
    assertThat(session.isOpen()).isTrue();
  }

  @Test
  void queuedDataThenClosePacketThenForcedClose() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);
    session.send("a");
    session.send("b");

    session.close();
    assertThat(session.isOpen()).isFalse();
    assertThat(listener.closeReasons).isEmpty(); // waits for a GET to carry the close
    assertThat(server.sessionCount()).isEqualTo(1);
    session.send("after close");                 // ignored

    polling.drain();                             // the data first, as engine.io does...
    assertThat(polling.payloads()).containsExactly("4a\u001e4b");
    assertThat(listener.closeReasons).isEmpty();
    polling.drain();                             // ...then the close, in the next poll

    assertThat(polling.payloads()).containsExactly("4a\u001e4b", "1");
    assertThat(listener.closeReasons).containsExactly("forced close");
    assertThat(server.sessionCount()).isZero();
    assertThat(polling.closed()).isTrue();
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void aClientCloseWhileTheServerIsClosingEndsTheSessionAtOnce() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);
    session.close();                              // no GET: the close packet waits for one
    assertThat(listener.closeReasons).isEmpty();

    polling.receive("1");                         // the client closes too

    assertThat(listener.closeReasons).containsExactly("forced close");
    assertThat(server.sessionCount()).isZero();
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void writableTransportGetsTheClosePacketAtOnce() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    session.close();

    assertThat(ws.payloads()).containsExactly("1");
    assertThat(listener.closeReasons).containsExactly("forced close");
    assertThat(server.session(session.id())).isNull();
    assertThat(ws.closed()).isTrue();
  }

  @Test
  void givesUpWaitingForAGetAfterCloseTimeout() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);
    session.close();

    scheduler.advance(CLOSE_TIMEOUT - 1);
    assertThat(listener.closeReasons).isEmpty();

    scheduler.advance(1);
    assertThat(listener.closeReasons).containsExactly("forced close");
    assertThat(server.sessionCount()).isZero();
    assertThat(polling.batches()).isEmpty();
    assertThat(polling.closed()).isTrue();
  }

  @Test
  void heartbeatDoesNotFireWhileClosing() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);
    session.close();

    scheduler.advance(PING_INTERVAL + PING_TIMEOUT);

    assertThat(listener.closeReasons).isEmpty(); // no "ping timeout" while the close waits for a GET
    polling.drain();
    assertThat(polling.payloads()).containsExactly("1");
    assertThat(listener.closeReasons).containsExactly("forced close");
  }

  @Test
  void closeIsIdempotentAndListenerHearsOnce() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    session.close();
    session.close();
    ws.fireClose();

    assertThat(ws.payloads()).containsExactly("1");
    assertThat(listener.closeReasons).containsExactly("forced close");
  }

  @Test
  void clientPacketsWhileClosingAreIgnored() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);
    session.close();

    polling.receive("4late");
    polling.receive("2");

    assertThat(listener.packets).isEmpty();
    polling.drain();
    assertThat(listener.closeReasons).containsExactly("forced close");
  }
}
