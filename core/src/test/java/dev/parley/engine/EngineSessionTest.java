package dev.parley.engine;

import dev.parley.testing.DirectExecutorService;

import dev.parley.testing.ManualScheduler;

import dev.parley.testing.FakeTransport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.engine.protocol.EnginePacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The session state machine driven by hand: an inline executor, a manual clock and fake transports.
 * Times: ping every 300 ms, 200 ms to answer, 1000 ms to upgrade, 5000 ms to deliver a close.
 */
class EngineSessionTest {
  private static final long PING_INTERVAL = 300;
  private static final long PING_TIMEOUT = 200;
  private static final long UPGRADE_TIMEOUT = 1000;
  private static final long CLOSE_TIMEOUT = 5000;
  private static final byte[] ONE_TO_FOUR = {1, 2, 3, 4};

  private final ManualScheduler scheduler = new ManualScheduler();
  private final DirectExecutorService executor = new DirectExecutorService();
  private final RecordingListener listener = new RecordingListener();
  private EngineServer server = server(options().build());

  private static EngineOptions.Builder options() {
    return EngineOptions.builder()
        .pingInterval(Duration.ofMillis(PING_INTERVAL))
        .pingTimeout(Duration.ofMillis(PING_TIMEOUT))
        .upgradeTimeout(Duration.ofMillis(UPGRADE_TIMEOUT))
        .closeTimeout(Duration.ofMillis(CLOSE_TIMEOUT));
  }

  private EngineServer server(EngineOptions options) {
    EngineServer s = EngineServer.builder().options(options).executor(executor).scheduler(scheduler).build();
    s.onConnection(session -> session.setListener(listener));
    return s;
  }

  /** Heartbeat far away (10 s), for tests about longer timers such as the upgrade timeout. */
  private void quietHeartbeat() {
    server = server(options().pingInterval(Duration.ofSeconds(10)).pingTimeout(Duration.ofSeconds(5)).build());
  }

  private EngineSession open(FakeTransport transport) {
    String query = "EIO=4&transport=" + transport.kind().wireName();
    EngineRequest request = EngineRequest.builder().method("GET").uri("/engine.io/?" + query)
        .upgrade(transport.kind() == TransportKind.WEBSOCKET).build();
    return server.handshake(transport, request);
  }

  /** A WebSocket session whose open packet has been sent and forgotten. */
  private EngineSession openWebSocket(FakeTransport ws) {
    EngineSession session = open(ws);
    assertThat(ws.wire()).singleElement().asString().startsWith("0{");
    ws.clear();
    return session;
  }

  /** A polling session whose open packet has been fetched by a first GET and forgotten. */
  private EngineSession openPolling(FakeTransport polling) {
    EngineSession session = open(polling);
    polling.drain();
    assertThat(polling.wire()).singleElement().asString().startsWith("0{");
    polling.clear();
    return session;
  }

  private static String expectedHandshake(String sid, String upgrades, long interval, long timeout, int max) {
    return "0{\"sid\":\"" + sid + "\",\"upgrades\":" + upgrades + ",\"pingInterval\":" + interval
        + ",\"pingTimeout\":" + timeout + ",\"maxPayload\":" + max + "}";
  }

  // ==================================================================== handshake

  @Nested
  class Handshake {
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

  // ==================================================================== heartbeat

  @Nested
  class Heartbeat {
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

  // ==================================================================== client packets

  @Nested
  class FromClient {
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
  }

  // ==================================================================== writing

  @Nested
  class Outbox {
    @Test
    void packetsBufferedWhileNotWritableGoOutInOneBatchOnDrainInOrder() {
      FakeTransport polling = FakeTransport.polling();
      EngineSession session = openPolling(polling);

      session.send("a");
      session.send(ONE_TO_FOUR);
      session.send(EnginePacket.message("b"));
      session.send(List.of(EnginePacket.message("c"), EnginePacket.message("d")));
      assertThat(polling.batches()).isEmpty();

      polling.drain();

      assertThat(polling.payloads()).containsExactly("4a\u001ebAQIDBA==\u001e4b\u001e4c\u001e4d");
      assertThat(polling.sendsWhileNotWritable()).isZero();
    }

    @Test
    void webSocketSendsEachPacketAsItIsQueued() {
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openWebSocket(ws);

      session.send("a");
      session.send(ONE_TO_FOUR);

      assertThat(ws.payloads()).containsExactly("4a", "bAQIDBA==");
    }

    @Test
    void webSocketBuffersWhileAWriteIsInFlight() {
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openWebSocket(ws);
      ws.setWritable(false);

      session.send("x");
      session.send("y");
      assertThat(ws.batches()).isEmpty();
      ws.drain();
      session.send("z");

      assertThat(ws.payloads()).containsExactly("4x\u001e4y", "4z");
      assertThat(ws.sendsWhileNotWritable()).isZero();
    }

    @Test
    void drainWithNothingQueuedSendsNothing() {
      FakeTransport polling = FakeTransport.polling();
      openPolling(polling);

      polling.drain();

      assertThat(polling.batches()).isEmpty();
    }

    @Test
    void sharedPacketInstanceGoesToEverySession() {
      FakeTransport a = FakeTransport.webSocket();
      FakeTransport b = FakeTransport.webSocket();
      EngineSession sa = openWebSocket(a);
      EngineSession sb = openWebSocket(b);
      EnginePacket shared = EnginePacket.message("all");

      sa.send(shared);
      sb.send(shared);

      assertThat(a.batches()).singleElement().satisfies(batch -> assertThat(batch.get(0)).isSameAs(shared));
      assertThat(b.batches()).singleElement().satisfies(batch -> assertThat(batch.get(0)).isSameAs(shared));
    }
  }

  // ==================================================================== server close

  @Nested
  class ServerClose {
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

  // ==================================================================== upgrade

  @Nested
  class Upgrade {
    @Test
    void probeIsAnsweredOnTheProbeTransportAndPendingPollIsReleasedWithNoop() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      polling.drain(); // a GET is pending
      assertThat(server.offerUpgrade(session.id(), ws)).isTrue();
      assertThat(ws.bindCount()).isEqualTo(1);
      assertThat(ws.batches()).isEmpty();

      ws.receive("2probe");

      assertThat(ws.payloads()).containsExactly("3probe");
      assertThat(polling.payloads()).containsExactly("6");
      assertThat(session.transportKind()).isEqualTo(TransportKind.POLLING);
      assertThat(session.transport()).isSameAs(polling);
      assertThat(session.upgraded()).isFalse();
      assertThat(polling.discarded()).isFalse();
    }

    @Test
    void getArrivingWhileUpgradingIsReleasedWithNoopOnTheNextTick() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      assertThat(server.offerUpgrade(session.id(), ws)).isTrue();
      ws.receive("2probe");
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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);

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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");
      polling.drain();          // GET pending, not yet released by the tick

      ws.receive("5");
      session.send("after");

      assertThat(polling.discarded()).isTrue();
      assertThat(polling.batches()).isEmpty();
      assertThat(ws.wire()).containsExactly("3probe", "4after");
    }

    @Test
    void bufferWaitsForTheWebSocketToDrainWhenTheProbeAnswerIsStillBeingWritten() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");
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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");
      session.send("for polling");

      ws.drain();

      assertThat(ws.wire()).containsExactly("3probe");
      polling.drain();
      assertThat(polling.wire()).containsExactly("4for polling");
    }

    @Test
    void probePingOnTheActiveTransportIsAClientPing() {
      FakeTransport polling = FakeTransport.polling();
      EngineSession session = openPolling(polling);

      polling.receive("2probe");

      assertThat(listener.closeReasons).containsExactly("transport error");
      assertThat(session.isOpen()).isFalse();
    }

    @Test
    void afterTheSwitchTheOldTransportIsIgnoredAndNoMoreNoops() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");
      ws.receive("5");

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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");
      ws.receive("5");

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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");
      ws.receive("5");

      ws.receive("1");

      assertThat(listener.closeReasons).containsExactly("transport close");
      assertThat(server.sessionCount()).isZero();
    }

    @Test
    void upgradeTimeoutClosesTheProbeAndPollingKeepsWorking() {
      quietHeartbeat();
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");

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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);

      scheduler.advance(UPGRADE_TIMEOUT);

      assertThat(ws.closed()).isTrue();
      assertThat(session.isOpen()).isTrue();
      assertThat(ws.batches()).isEmpty();
    }

    @Test
    void nonProbePacketOnTheProbeAbortsTheUpgrade() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);

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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");

      ws.receive("4oops");
      ws.receive("5");

      assertThat(ws.closed()).isTrue();
      assertThat(session.upgraded()).isFalse();
      assertThat(session.transport()).isSameAs(polling);
      assertThat(listener.packets).isEmpty();
    }

    @Test
    void upgradeBeforeProbeAbortsTheUpgrade() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);

      ws.receive("5");

      assertThat(ws.closed()).isTrue();
      assertThat(session.upgraded()).isFalse();
    }

    @Test
    void plainPingOnTheProbeAbortsTheUpgrade() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);

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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
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
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
      server.offerUpgrade(session.id(), ws);
      ws.receive("2probe");

      polling.fireError("GET aborted");

      assertThat(listener.closeReasons).containsExactly("transport error");
      assertThat(ws.closed()).isTrue();
      assertThat(scheduler.pendingCount()).isZero();
      ws.receive("5");
      assertThat(session.upgraded()).isFalse();
    }

    @Test
    void pingDuringUpgradeIsDeliveredExactlyOnce() {
      FakeTransport polling = FakeTransport.polling();
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openPolling(polling);
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
  }

  @Test
  void closedSessionLeavesNoTimersBehind() {
    FakeTransport polling = FakeTransport.polling();
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openPolling(polling);
    server.offerUpgrade(session.id(), ws);
    ws.receive("2probe");
    scheduler.advance(PING_INTERVAL);

    session.close();
    polling.drain();                               // the pending ping
    polling.drain();                               // the close

    assertThat(listener.closeReasons).containsExactly("forced close");
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Nested
  class Backpressure {
    @Test
    void aClientThatDoesNotReadIsDisconnectedPastTheBufferLimit() {
      server = server(options().maxBufferedBytes(1000).build());
      FakeTransport polling = FakeTransport.polling();
      EngineSession session = openPolling(polling);   // no GET pending from now on
      String hundred = "x".repeat(99);                 // 100 bytes with the type digit
      for (int i = 0; i < 10; i++) {
        session.send(hundred);
      }
      assertThat(session.bufferedBytes()).isEqualTo(1000);
      assertThat(listener.closeReasons).isEmpty();

      session.send("y");

      assertThat(listener.closeReasons).containsExactly("slow consumer");
      assertThat(server.stats().slowConsumerDisconnects()).isEqualTo(1);
      assertThat(server.sessionCount()).isZero();
    }

    @Test
    void bufferedBytesCountUtf8AndGoBackToZeroOnceSent() {
      FakeTransport polling = FakeTransport.polling();
      EngineSession session = openPolling(polling);
      session.send("\u00e9\u20ac");                  // 2 + 3 bytes, plus the type digit
      session.send(new byte[] {1, 2, 3});
      assertThat(session.bufferedBytes()).isEqualTo(6 + 3);
      polling.drain();
      assertThat(session.bufferedBytes()).isZero();
    }

    @Test
    void droppablePacketsAreDroppedAndCountedWhileTheClientIsBusy() {
      FakeTransport polling = FakeTransport.polling();
      EngineSession session = openPolling(polling);   // no GET pending: not writable
      assertThat(session.sendIfWritable(List.of(EnginePacket.message("v")))).isFalse();
      assertThat(server.stats().droppedPackets()).isEqualTo(1);
      polling.drain();                                 // a GET waits now
      assertThat(session.sendIfWritable(List.of(EnginePacket.message("w")))).isTrue();
      assertThat(polling.wire()).containsExactly("4w");
    }
  }

  // ==================================================================== cork and broadcasts

  @Nested
  class CorkAndSendTogether {
    private final EngineSession.NonBlockingListener nonBlocking = new EngineSession.NonBlockingListener() {
      @Override
      public void onMessage(EngineSession session, EnginePacket packet) {}

      @Override
      public void onClose(EngineSession session, String reason) {}
    };

    @Test
    void corkedPacketsLeaveTogetherAndInOrderWhenTheLastCorkIsRemoved() {
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openWebSocket(ws);

      session.cork();
      session.cork();
      session.send("a");
      session.send("b");
      session.uncork();
      assertThat(ws.wire()).as("one cork is still on").isEmpty();
      session.uncork();

      assertThat(ws.wire()).containsExactly("4a", "4b");
      assertThat(ws.batches()).hasSize(1);
      session.send("c");
      assertThat(ws.wire()).as("uncorked: writes go at once again").containsExactly("4a", "4b", "4c");
    }

    /** {@code n} open WebSocket sessions with a non-blocking listener; their transports added to {@code transports}. */
    private List<EngineSession> nonBlockingWebSockets(int n, List<FakeTransport> transports) {
      List<EngineSession> sessions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        FakeTransport ws = FakeTransport.webSocket();
        EngineSession s = openWebSocket(ws);
        s.setListener(nonBlocking);
        transports.add(ws);
        sessions.add(s);
      }
      return sessions;
    }

    @Test
    void sendTogetherWritesAfterTheLoopOnTheCallerForAFewSessions() {
      List<FakeTransport> transports = new ArrayList<>();
      List<EngineSession> sessions = nonBlockingWebSockets(3, transports);
      List<Runnable> pool = new ArrayList<>();

      EngineSession.sendTogether(pool::add, () -> {
        for (EngineSession s : sessions) {
          s.send("x");
        }
        assertThat(transports).allSatisfy(t -> assertThat(t.wire()).as("not during the loop").isEmpty());
      });

      assertThat(pool).as("a few sessions are flushed by the caller").isEmpty();
      assertThat(transports).allSatisfy(t -> assertThat(t.wire()).containsExactly("4x"));
    }

    @Test
    void sendTogetherHandsABigRoomToThePoolAndASecondPacketJoinsAPendingFlush() {
      List<FakeTransport> transports = new ArrayList<>();
      List<EngineSession> sessions = nonBlockingWebSockets(100, transports);
      List<Runnable> pool = new ArrayList<>();

      EngineSession.sendTogether(pool::add, () -> sessions.forEach(s -> s.send("x")));
      assertThat(pool).isNotEmpty();
      assertThat(transports).allSatisfy(t -> assertThat(t.wire()).as("the pool has not run yet").isEmpty());
      EngineSession.sendTogether(pool::add, () -> sessions.forEach(s -> s.send("y")));
      new ArrayList<>(pool).forEach(Runnable::run);

      assertThat(transports).allSatisfy(t -> {
        assertThat(t.wire()).containsExactly("4x", "4y");
        assertThat(t.batches()).as("both packets in one write").hasSize(1);
      });
    }

    @Test
    void aBroadcastWhileEarlierFlushTasksRunGetsOneTaskSoItsWritesTrailTheQueues() {
      List<FakeTransport> transports = new ArrayList<>();
      List<EngineSession> first = nonBlockingWebSockets(600, transports);
      List<EngineSession> second = nonBlockingWebSockets(600, transports);
      List<Runnable> pool = new ArrayList<>();
      try {
        EngineSession.sendTogether(pool::add, () -> first.forEach(s -> s.send("x")));
        int idleSplit = pool.size();
        assertThat(idleSplit).as("nothing in flight: 600 sessions over several tasks").isGreaterThan(1);

        EngineSession.sendTogether(pool::add, () -> second.forEach(s -> s.send("y")));
        assertThat(pool.size() - idleSplit).as("the first broadcast's tasks still pending: one task").isEqualTo(1);
      } finally {
        new ArrayList<>(pool).forEach(Runnable::run); // also returns the in-flight count to zero
      }

      assertThat(transports.subList(0, 600)).allSatisfy(t -> assertThat(t.wire()).containsExactly("4x"));
      assertThat(transports.subList(600, 1200)).allSatisfy(t -> assertThat(t.wire()).containsExactly("4y"));
    }

    @Test
    void aBlockingListenerIsNeverFlushedInline() {
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession session = openWebSocket(ws); // the RecordingListener: a plain Listener
      List<Runnable> pool = new ArrayList<>();

      EngineSession.sendTogether(pool::add, () -> session.send("x"));

      assertThat(pool).as("not deferred to the broadcast's pool either").isEmpty();
      assertThat(ws.wire()).containsExactly("4x"); // flushed on its own executor (direct in this test)
    }
  }
}
