package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.FakeTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link UpgradeProbe} and the switch from polling to WebSocket: the probe, the noops that pause the poll
 * loop, the switch without loss, duplicate or reordering, and every way an upgrade is aborted.
 */
class UpgradeProbeTest extends SessionTestBase {
  private final FakeTransport polling = FakeTransport.polling();
  private final FakeTransport ws = FakeTransport.webSocket();
  private EngineSession session;

  /** A polling session (its OPEN fetched, no GET pending) and {@link #ws} offered as its upgrade. */
  private void offer() {
    session = openPolling(polling);
    assertThat(server.offerUpgrade(session.id(), ws)).isTrue();
  }

  /** As {@link #offer()}, and the probe answered ({@code 2probe}, {@code 3probe}). */
  private void probe() {
    offer();
    ws.receive("2probe");
  }

  /** As {@link #probe()}, and the upgrade completed ({@code 5}): the session is on the WebSocket. */
  private void upgrade() {
    probe();
    ws.receive("5");
  }

  @Test
  void probeIsAnsweredOnTheProbeTransportAndPendingPollIsReleasedWithNoop() {
    session = openPolling(polling);
    polling.drain(); // a GET is pending
    assertThat(server.offerUpgrade(session.id(), ws)).isTrue();
    assertThat(ws.bindCount()).isEqualTo(1);
    assertThat(ws.batches()).isEmpty();

    ws.receive("2probe");

    assertThat(ws.payloads()).containsExactly("3probe");
    // as the reference: the pending GET gets its noop at the first 100 ms check, not at once
    assertThat(polling.batches()).isEmpty();
    scheduler.advance(99);
    assertThat(polling.batches()).isEmpty();
    scheduler.advance(1);
    assertThat(polling.payloads()).containsExactly("6");
    assertThat(session.transportKind()).isEqualTo(TransportKind.POLLING);
    assertThat(session.transport()).isSameAs(polling);
    assertThat(session.upgraded()).isFalse();
    assertThat(polling.discarded()).isFalse();
  }

  @Test
  void getArrivingWhileUpgradingIsReleasedWithNoopOnTheNextTick() {
    offer();
    ws.receive("2probe"); // no GET pending: no noop now
    assertThat(polling.batches()).isEmpty();

    polling.drain();      // the client's GET arrives
    scheduler.advance(99);
    assertThat(polling.batches()).isEmpty();
    scheduler.advance(1);
    assertThat(polling.payloads()).containsExactly("6");

    polling.drain();      // and again
    scheduler.advance(100);
    assertThat(polling.payloads()).containsExactly("6", "6");
  }

  @Test
  void upgradeSwitchesTransportsAndFlushesTheBufferToTheWebSocket() {
    probe();
    for (int i = 0; i < 10; i++) {
      session.send("m" + i);
    }

    ws.receive("5");

    assertThat(session.upgraded()).isTrue();
    assertThat(session.transportKind()).isEqualTo(TransportKind.WEBSOCKET);
    assertThat(session.transport()).isSameAs(ws);
    assertThat(polling.discarded()).isTrue();
    assertThat(ws.batches()).hasSize(2);
    assertThat(ws.payloads().get(0)).isEqualTo("3probe");
    assertThat(ws.payloads().get(1))
        .isEqualTo("4m0\u001e4m1\u001e4m2\u001e4m3\u001e4m4\u001e4m5\u001e4m6\u001e4m7\u001e4m8\u001e4m9");
    assertThat(polling.batches()).isEmpty();
  }

  @Test
  void nothingIsLostOrDuplicatedAcrossTheSwitch() {
    session = openPolling(polling);

    // before: one delivered by a GET, one left buffered
    session.send("m1");
    polling.drain();
    session.send("m2");
    polling.receive("4c1");

    // during
    assertThat(server.offerUpgrade(session.id(), ws)).isTrue();
    ws.receive("2probe");
    session.send(ONE_TO_FOUR);
    polling.drain();          // the GET still in flight when the client paused
    session.send("m3");
    polling.receive("4c2");   // the POST still in flight
    session.send("m4");

    // switch
    ws.receive("5");

    // after
    session.send("m5");
    ws.receive("4c3");
    session.send(EnginePacket.message(new byte[] {9}));

    assertThat(polling.wire()).containsExactly("4m1", "4m2", "bAQIDBA==");
    assertThat(ws.wire()).containsExactly("3probe", "4m3", "4m4", "4m5", "bCQ==");
    List<String> received = new ArrayList<>(polling.wire());
    received.addAll(ws.wire());
    received.remove("3probe");
    assertThat(received).containsExactly("4m1", "4m2", "bAQIDBA==", "4m3", "4m4", "4m5", "bCQ==");
    assertThat(listener.messages()).containsExactly("4c1", "4c2", "4c3");
    assertThat(polling.sendsWhileNotWritable()).isZero();
    assertThat(ws.sendsWhileNotWritable()).isZero();
  }

  @Test
  void pendingGetAtTheSwitchIsHandedToTheOldTransportAndDataGoesToTheWebSocket() {
    probe();
    polling.drain();          // GET pending, not yet released by the tick

    ws.receive("5");
    session.send("after");

    assertThat(polling.discarded()).isTrue();
    assertThat(polling.batches()).isEmpty();
    assertThat(ws.wire()).containsExactly("3probe", "4after");
  }

  @Test
  void bufferWaitsForTheWebSocketToDrainWhenTheProbeAnswerIsStillBeingWritten() {
    probe();
    ws.setWritable(false);    // the 3probe write is still in flight
    session.send("a");

    ws.receive("5");
    session.send("b");
    assertThat(ws.wire()).containsExactly("3probe");

    ws.drain();

    assertThat(ws.payloads()).containsExactly("3probe", "4a\u001e4b");
    assertThat(ws.sendsWhileNotWritable()).isZero();
    assertThat(polling.batches()).isEmpty();
  }

  @Test
  void drainOfTheProbeBeforeTheSwitchDoesNotFlushToIt() {
    probe();
    session.send("for polling");

    ws.drain();

    assertThat(ws.wire()).containsExactly("3probe");
    polling.drain();
    assertThat(polling.wire()).containsExactly("4for polling");
  }

  @Test
  void probePingOnTheActiveTransportIsAClientPing() {
    session = openPolling(polling);

    polling.receive("2probe");

    assertThat(listener.closeReasons).containsExactly("transport error");
    assertThat(session.isOpen()).isFalse();
  }

  @Test
  void afterTheSwitchTheOldTransportIsIgnoredAndNoMoreNoops() {
    upgrade();

    polling.receive("4stale");
    polling.fireError("stale");
    polling.fireClose();
    polling.drain();
    scheduler.advance(250);

    assertThat(session.isOpen()).isTrue();
    assertThat(listener.packets).isEmpty();
    assertThat(polling.batches()).isEmpty();
  }

  @Test
  void heartbeatMovesToTheWebSocket() {
    upgrade();

    scheduler.advance(PING_INTERVAL);
    assertThat(ws.wire()).containsExactly("3probe", "2");
    ws.receive("3");
    scheduler.advance(PING_INTERVAL);
    assertThat(ws.wire()).containsExactly("3probe", "2", "2");
    scheduler.advance(PING_TIMEOUT);

    assertThat(listener.closeReasons).containsExactly("ping timeout");
    assertThat(session.isOpen()).isFalse();
    assertThat(ws.closed()).isTrue();
  }

  @Test
  void clientCloseOverTheNewTransportClosesTheSession() {
    upgrade();

    ws.receive("1");

    assertThat(listener.closeReasons).containsExactly("transport close");
    assertThat(server.sessionCount()).isZero();
  }

  @Test
  void upgradeTimeoutClosesTheProbeAndPollingKeepsWorking() {
    quietHeartbeat();
    probe();

    scheduler.advance(UPGRADE_TIMEOUT - 1);
    assertThat(ws.closed()).isFalse();
    scheduler.advance(1);

    assertThat(ws.closed()).isTrue();
    assertThat(ws.closeCalls()).first().isEqualTo(false);
    assertThat(session.isOpen()).isTrue();
    assertThat(session.upgraded()).isFalse();
    assertThat(session.transport()).isSameAs(polling);
    assertThat(listener.closeReasons).isEmpty();

    ws.receive("5"); // too late: ignored
    assertThat(session.upgraded()).isFalse();
    session.send("still polling");
    polling.drain();
    polling.receive("4from client");
    scheduler.advance(100); // no noop tick any more
    assertThat(polling.payloads()).containsExactly("4still polling");
    assertThat(listener.messages()).containsExactly("4from client");
  }

  @Test
  void upgradeTimeoutWithoutProbeAlsoAborts() {
    quietHeartbeat();
    offer();

    scheduler.advance(UPGRADE_TIMEOUT);

    assertThat(ws.closed()).isTrue();
    assertThat(session.isOpen()).isTrue();
    assertThat(ws.batches()).isEmpty();
  }

  @Test
  void nonProbePacketOnTheProbeAbortsTheUpgrade() {
    offer();

    ws.receive("4hello");

    assertThat(ws.closed()).isTrue();
    assertThat(ws.batches()).isEmpty();
    assertThat(listener.packets).isEmpty();
    assertThat(session.isOpen()).isTrue();
    assertThat(session.upgraded()).isFalse();
    ws.receive("2probe");
    assertThat(ws.batches()).isEmpty();
  }

  @Test
  void messageBetweenProbeAndUpgradeAbortsTheUpgrade() {
    probe();

    ws.receive("4oops");
    ws.receive("5");

    assertThat(ws.closed()).isTrue();
    assertThat(session.upgraded()).isFalse();
    assertThat(session.transport()).isSameAs(polling);
    assertThat(listener.packets).isEmpty();
  }

  @Test
  void upgradeBeforeProbeAbortsTheUpgrade() {
    offer();

    ws.receive("5");

    assertThat(ws.closed()).isTrue();
    assertThat(session.upgraded()).isFalse();
  }

  @Test
  void plainPingOnTheProbeAbortsTheUpgrade() {
    offer();

    ws.receive("2");

    assertThat(ws.closed()).isTrue();
    assertThat(ws.batches()).isEmpty();
    assertThat(session.isOpen()).isTrue();
  }

  @Test
  void probeFailuresAbortTheUpgradeButKeepTheSession() {
    List<Consumer<FakeTransport>> failures = List.of(
        FakeTransport::fireClose, t -> t.fireError("reset"), t -> t.fireParseError("bad"),
        t -> t.receive("xyz"));
    for (Consumer<FakeTransport> failure : failures) {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");

      failure.accept(ws);

      assertThat(session.isOpen()).isTrue();
      assertThat(session.upgraded()).isFalse();
      assertThat(ws.closed()).isTrue();
      assertThat(server.offerUpgrade(session.id(), FakeTransport.webSocket())).isTrue();
    }
    assertThat(listener.closeReasons).isEmpty();
  }

  @Test
  void secondOfferWhileUpgradingOrUpgradedIsRefused() {
    session = openPolling(polling);
    assertThat(server.offerUpgrade(session.id(), ws)).isTrue();

    FakeTransport second = FakeTransport.webSocket();
    assertThat(server.offerUpgrade(session.id(), second)).isFalse();
    assertThat(second.bound()).isFalse();

    ws.receive("2probe");
    assertThat(server.offerUpgrade(session.id(), FakeTransport.webSocket())).isFalse();
    ws.receive("5");
    FakeTransport third = FakeTransport.webSocket();
    assertThat(server.offerUpgrade(session.id(), third)).isFalse();
    assertThat(third.bound()).isFalse();
    assertThat(session.transport()).isSameAs(ws);
  }

  @Test
  void offerAfterAnAbortedUpgradeIsAccepted() {
    quietHeartbeat();
    FakeTransport polling = FakeTransport.polling();
    EngineSession session = openPolling(polling);
    FakeTransport first = FakeTransport.webSocket();
    server.offerUpgrade(session.id(), first);
    scheduler.advance(UPGRADE_TIMEOUT);

    FakeTransport second = FakeTransport.webSocket();
    assertThat(server.offerUpgrade(session.id(), second)).isTrue();
    second.receive("2probe");
    second.receive("5");
    first.receive("2probe"); // the old probe is dead

    assertThat(session.transport()).isSameAs(second);
    assertThat(first.batches()).isEmpty();
  }

  @Test
  void offerIsRefusedForWebSocketSessionsDisabledUpgradesClosedAndUnknownSessions() {
    EngineSession ws = openWebSocket(FakeTransport.webSocket());
    assertThat(server.offerUpgrade(ws.id(), FakeTransport.webSocket())).isFalse();

    assertThat(server.offerUpgrade("no-such-sid", FakeTransport.webSocket())).isFalse();

    EngineSession closed = openPolling(FakeTransport.polling());
    closed.close();
    assertThat(server.offerUpgrade(closed.id(), FakeTransport.webSocket())).isFalse();

    server = server(options().allowUpgrades(false).build());
    EngineSession noUpgrades = openPolling(FakeTransport.polling());
    assertThat(server.offerUpgrade(noUpgrades.id(), FakeTransport.webSocket())).isFalse();
  }

  @Test
  void closingTheSessionWhileUpgradingClosesTheProbe() {
    probe();

    polling.fireError("GET aborted");

    assertThat(listener.closeReasons).containsExactly("transport error");
    assertThat(ws.closed()).isTrue();
    assertThat(scheduler.pendingCount()).isZero();
    ws.receive("5");
    assertThat(session.upgraded()).isFalse();
  }

  @Test
  void pingDuringUpgradeIsDeliveredExactlyOnce() {
    session = openPolling(polling);
    scheduler.advance(PING_INTERVAL - 50);
    server.offerUpgrade(session.id(), ws);
    ws.receive("2probe");

    scheduler.advance(50);    // ping queued; no GET pending
    ws.receive("5");          // ping flushed to the WebSocket
    ws.receive("3");
    scheduler.advance(PING_TIMEOUT);

    assertThat(polling.wire()).doesNotContain("2");
    assertThat(ws.wire()).containsExactly("3probe", "2");
    assertThat(session.isOpen()).isTrue();
  }

  @Test
  void closedSessionLeavesNoTimersBehind() {
    probe();
    scheduler.advance(PING_INTERVAL);

    session.close();
    polling.drain();                               // the pending ping
    polling.drain();                               // the close

    assertThat(listener.closeReasons).containsExactly("forced close");
    assertThat(scheduler.pendingCount()).isZero();
  }
}
