package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.FakeTransport;
import org.junit.jupiter.api.Test;

/** {@link Heartbeat}: the server's ping every interval and the ping timeout, over WebSocket and polling. */
class HeartbeatTest extends SessionTestBase {
  @Test
  void pingIsSentAtExactlyPingInterval() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);

    scheduler.advance(PING_INTERVAL - 1);
    assertThat(ws.wire()).isEmpty();

    scheduler.advance(1);
    assertThat(ws.wire()).containsExactly("2");
  }

  @Test
  void pongReschedulesTheNextPingOneIntervalLater() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);
    scheduler.advance(PING_INTERVAL);            // t=300 ping
    scheduler.advance(50);
    ws.receive("3");                              // t=350 pong

    scheduler.advance(PING_INTERVAL - 1);         // t=649
    assertThat(ws.wire()).containsExactly("2");
    assertThat(session.isOpen()).isTrue();        // the old timeout (t=500) did not fire

    scheduler.advance(1);                         // t=650
    assertThat(ws.wire()).containsExactly("2", "2");
  }

  @Test
  void noPongClosesWithPingTimeoutAtIntervalPlusTimeout() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);
    String sid = session.id();

    scheduler.advance(PING_INTERVAL + PING_TIMEOUT - 1);
    assertThat(session.isOpen()).isTrue();
    assertThat(listener.closeReasons).isEmpty();
    assertThat(server.session(sid)).isSameAs(session);

    scheduler.advance(1);
    assertThat(listener.closeReasons).containsExactly("ping timeout");
    assertThat(session.isOpen()).isFalse();
    assertThat(server.session(sid)).isNull();
    assertThat(server.sessionCount()).isZero();
    assertThat(ws.closed()).isTrue();
    assertThat(ws.wire()).containsExactly("2");
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void severalCyclesWithPongsKeepTheSessionAlive() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    for (int i = 0; i < 5; i++) {
      scheduler.advance(PING_INTERVAL);
      scheduler.advance(PING_TIMEOUT - 1);
      ws.receive("3");
    }

    assertThat(ws.wire()).containsExactly("2", "2", "2", "2", "2");
    assertThat(session.isOpen()).isTrue();
    assertThat(scheduler.nowMillis()).isEqualTo(5 * (PING_INTERVAL + PING_TIMEOUT - 1));
  }

  @Test
  void pongWithoutOutstandingPingDoesNotMoveTheSchedule() {
    FakeTransport ws = FakeTransport.webSocket();
    openWebSocket(ws);
    scheduler.advance(100);
    ws.receive("3");

    scheduler.advance(PING_INTERVAL - 100);
    assertThat(ws.wire()).containsExactly("2");
  }

  @Test
  void pingsStayOnScheduleWhileDataFlows() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);

    for (int t = 0; t < PING_INTERVAL - 1; t += 50) {
      ws.receive("4in" + t);
      session.send("out" + t);
      scheduler.advance(50);
    }

    assertThat(ws.wire()).filteredOn("2"::equals).hasSize(1);
    int pingIndex = ws.wire().indexOf("2");
    assertThat(ws.wire().subList(0, pingIndex)).allMatch(s -> s.startsWith("4out"));
    assertThat(listener.messages()).hasSize(6);
  }

  @Test
  void clientMessagesDoNotCountAsPong() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);
    scheduler.advance(PING_INTERVAL);
    ws.receive("4busy");
    ws.receive("4busy");

    scheduler.advance(PING_TIMEOUT);

    assertThat(session.isOpen()).isFalse();
    assertThat(listener.closeReasons).containsExactly("ping timeout");
  }

  @Test
  void pingOverPollingWaitsForTheNextGet() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);

    scheduler.advance(PING_INTERVAL);
    assertThat(polling.batches()).isEmpty(); // no GET pending: the ping waits

    polling.drain();
    assertThat(polling.payloads()).containsExactly("2");
    polling.receive("3");

    scheduler.advance(PING_INTERVAL);
    polling.drain();
    assertThat(polling.payloads()).containsExactly("2", "2");
    assertThat(session.isOpen()).isTrue();
    assertThat(polling.sendsWhileNotWritable()).isZero();
  }

  @Test
  void pingTimeoutAppliesWhileThePingIsStillBuffered() {
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);

    scheduler.advance(PING_INTERVAL + PING_TIMEOUT);

    assertThat(session.isOpen()).isFalse();
    assertThat(listener.closeReasons).containsExactly("ping timeout");
    assertThat(polling.batches()).isEmpty();
  }
}
