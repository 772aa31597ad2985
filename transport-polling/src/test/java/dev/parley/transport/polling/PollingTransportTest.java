package dev.parley.transport.polling;

import static dev.parley.transport.polling.PollingHarness.TEXT_PLAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineSession;
import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Long-polling GET and POST behaviour of a session (PROTOCOL.md §1.5, §1.6, §1.8), over fake exchanges. */
class PollingTransportTest {
  private static final String JSON = "application/json";

  private PollingHarness h = new PollingHarness();

  private static EngineOptions.Builder shortTimers() {
    return EngineOptions.builder()
        .pingInterval(Duration.ofMillis(300))
        .pingTimeout(Duration.ofMillis(200))
        .upgradeTimeout(Duration.ofMillis(1000))
        .closeTimeout(Duration.ofMillis(5000));
  }

  // ==================================================================== POST

  @Nested
  class Post {
    @Test
    void payloadOfTextAndBinaryIsDeliveredAsTwoPacketsAndAnsweredOk() {
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "4hello\u001ebAQIDBA==");

      assertThat(h.messages).containsExactly("4hello", "bAQIDBA==");
      assertThat(post.status()).isEqualTo(200);
      assertThat(post.contentType()).isEqualTo("text/html");
      assertThat(post.bodyText()).isEqualTo("ok");
      assertThat(post.respondCalls()).isEqualTo(1);
      assertThat(post.maxBytesAsked()).isEqualTo(1_000_000);
    }

    @Test
    void binaryFromTheJavaClientWithMimeLineBreaksIsDecoded() {
      String sid = h.handshake();
      byte[] data = new byte[200];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) i;
      }
      String mime = Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(data) + "\n";

      FakeExchange post = h.post(sid, "bAQIDBA==\n\u001eb" + mime);

      assertThat(post.status()).isEqualTo(200);
      assertThat(h.messages).containsExactly("bAQIDBA==", "b" + Base64.getEncoder().encodeToString(data));
    }

    @Test
    void utf8TextIsDecodedFromBytes() {
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "4héllo €\u001e4😀");

      assertThat(post.bodyText()).isEqualTo("ok");
      assertThat(h.messages).containsExactly("4héllo €", "4😀");
    }

    @Test
    void severalPostsInTurnAreAllDelivered() {
      String sid = h.handshake();

      h.post(sid, "4a");
      h.post(sid, "4b\u001e4c");

      assertThat(h.messages).containsExactly("4a", "4b", "4c");
      assertThat(h.isOpen(sid)).isTrue();
    }

    @Test
    void duplicatePostIsRefusedAndClosesTheSession() {
      String sid = h.handshake();
      FakeExchange first = FakeExchange.post("EIO=4&transport=polling&sid=" + sid, "4first").holdBody();
      h.handle(first);
      assertThat(first.bodyHeld()).isTrue();

      FakeExchange second = h.post(sid, "4second");

      assertThat(second.status()).isEqualTo(400);
      assertThat(second.body()).isEmpty();
      assertThat(h.isOpen(sid)).isFalse();
      assertThat(h.closeReasons).containsExactly("transport error");
      first.deliverBody();
      assertThat(h.messages).isEmpty();
      assertThat(first.status()).isEqualTo(400);
      h.assertSessionUnknown(sid);
    }

    @Test
    void tooLargeBodyGets413AndTheSessionStaysOpen() {
      h = new PollingHarness(EngineOptions.builder().maxHttpBufferSize(10).build());
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "4" + "x".repeat(10));

      assertThat(post.status()).isEqualTo(413);
      assertThat(post.body()).isEmpty();
      assertThat(post.maxBytesAsked()).isEqualTo(10);
      assertThat(h.isOpen(sid)).isTrue();
      assertThat(h.messages).isEmpty();
      assertThat(h.post(sid, "4" + "x".repeat(9)).bodyText()).isEqualTo("ok");
      assertThat(h.messages).containsExactly("4xxxxxxxxx");
    }

    @Test
    void hostReportedTooLargeGets413AndNextPostIsNotADuplicate() {
      String sid = h.handshake();

      FakeExchange big = h.handle(FakeExchange.post("EIO=4&transport=polling&sid=" + sid, "4x").tooLarge());
      FakeExchange next = h.post(sid, "4y");

      assertThat(big.status()).isEqualTo(413);
      assertThat(next.status()).isEqualTo(200);
      assertThat(h.messages).containsExactly("4y");
    }

    @Test
    void octetStreamPostIsRefusedAndClosesTheSession() {
      String sid = h.handshake();
      FakeExchange post = FakeExchange.request("POST", "EIO=4&transport=polling&sid=" + sid,
          "Content-Type", "application/octet-stream").body(new byte[] {1, 2, 3, 4});

      h.handle(post);

      assertThat(post.status()).isEqualTo(400);
      assertThat(post.body()).isEmpty();
      assertThat(h.messages).isEmpty();
      assertThat(h.isOpen(sid)).isFalse();
      h.assertSessionUnknown(sid);
    }

    @Test
    void invalidPayloadIsRefusedAndClosesTheSession() {
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "abc");

      assertThat(post.status()).isEqualTo(400);
      assertThat(h.isOpen(sid)).isFalse();
      assertThat(h.closeReasons).containsExactly("parse error");
      h.assertSessionUnknown(sid);
    }

    @Test
    void packetsBeforeAnInvalidOneAreDeliveredThenTheSessionCloses() {
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "4ok\u001ebAQIDBA==\u001e9bad\u001e4never");

      assertThat(h.messages).containsExactly("4ok", "bAQIDBA==");
      assertThat(post.status()).isEqualTo(400);
      assertThat(h.closeReasons).containsExactly("parse error");
    }

    @Test
    void emptyBodyClosesTheSession() {
      String sid = h.handshake();

      h.post(sid, "");

      assertThat(h.isOpen(sid)).isFalse();
      assertThat(h.closeReasons).containsExactly("parse error");
    }

    @Test
    void invalidUtf8ClosesTheSession() {
      String sid = h.handshake();
      FakeExchange post = FakeExchange.request("POST", "EIO=4&transport=polling&sid=" + sid)
          .body(new byte[] {'4', (byte) 0xff, (byte) 0xfe});

      h.handle(post);

      assertThat(post.status()).isEqualTo(400);
      assertThat(h.messages).isEmpty();
      assertThat(h.closeReasons).containsExactly("parse error");
    }

    @Test
    void bodyReadFailureClosesTheSession() {
      String sid = h.handshake();
      FakeExchange post = FakeExchange.post("EIO=4&transport=polling&sid=" + sid, "4x")
          .bodyFails(new IOException("reset"));

      h.handle(post);

      assertThat(post.status()).isEqualTo(400);
      assertThat(h.closeReasons).containsExactly("transport error");
    }

    @Test
    void clientCloseReleasesThePendingGetWithNoopAndClosesTheSession() {
      String sid = h.handshake();
      FakeExchange get = h.get(sid);
      assertThat(get.responded()).isFalse();

      FakeExchange post = h.post(sid, "1");

      assertThat(get.status()).isEqualTo(200);
      assertThat(get.contentType()).isEqualTo(TEXT_PLAIN);
      assertThat(get.bodyText()).isEqualTo("6");
      assertThat(get.respondCalls()).isEqualTo(1);
      assertThat(post.status()).isEqualTo(200);
      assertThat(post.bodyText()).isEqualTo("ok");
      assertThat(h.closeReasons).containsExactly("transport close");
      assertThat(h.isOpen(sid)).isFalse();
      h.assertSessionUnknown(sid);
    }

    @Test
    void packetsAfterAClientCloseInTheSamePayloadAreDropped() {
      String sid = h.handshake();

      h.post(sid, "4before\u001e1\u001e4after");
      h.scheduler.advance(200); // no GET was pending: the close waits briefly for one in flight

      assertThat(h.messages).containsExactly("4before");
      assertThat(h.closeReasons).containsExactly("transport close");
    }

    @Test
    void aGetStillInFlightWhenTheClientClosesIsReleasedWithNoop() {
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "1");
      assertThat(post.status()).isEqualTo(200);
      assertThat(h.closeReasons).isEmpty();

      FakeExchange get = h.get(sid); // the GET raced the POST on another connection and lost
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.bodyText()).isEqualTo("6");
      assertThat(h.closeReasons).containsExactly("transport close");
      h.assertSessionUnknown(sid);
    }

    @Test
    void withoutAGetTheClientCloseCompletesAfterTheGraceTime() {
      String sid = h.handshake();

      h.post(sid, "1");
      h.scheduler.advance(199);
      assertThat(h.closeReasons).isEmpty();
      h.scheduler.advance(1);

      assertThat(h.closeReasons).containsExactly("transport close");
      h.assertSessionUnknown(sid);
    }

    @Test
    void clientPingClosesTheSessionButThePostIsAnsweredOk() {
      String sid = h.handshake();

      FakeExchange post = h.post(sid, "2");

      assertThat(post.status()).isEqualTo(200);
      assertThat(post.bodyText()).isEqualTo("ok");
      assertThat(h.closeReasons).containsExactly("transport error");
      h.assertSessionUnknown(sid);
    }
  }

  // ==================================================================== GET

  @Nested
  class Get {
    @Test
    void getIsHeldUntilSomethingIsSent() {
      String sid = h.handshake();

      FakeExchange get = h.get(sid);
      assertThat(get.responded()).isFalse();

      h.session(sid).send("hi");

      assertThat(get.status()).isEqualTo(200);
      assertThat(get.contentType()).isEqualTo(TEXT_PLAIN);
      assertThat(get.bodyText()).isEqualTo("4hi");
      assertThat(get.respondCalls()).isEqualTo(1);
    }

    @Test
    void getIsAnsweredAtOnceWithEverythingBufferedInOnePayload() {
      String sid = h.handshake();
      EngineSession session = h.session(sid);
      session.send("a");
      session.send(new byte[] {1, 2, 3, 4});
      session.send("€");

      FakeExchange get = h.get(sid);

      assertThat(get.bodyText()).isEqualTo("4a\u001ebAQIDBA==\u001e4€");
      assertThat(get.body()).hasSize(2 + 1 + 9 + 1 + 4);
      FakeExchange next = h.get(sid);
      assertThat(next.responded()).isFalse();
    }

    @Test
    void duplicateGetGets400AndTheFirstGetsCloseAndTheSessionCloses() {
      String sid = h.handshake();
      FakeExchange first = h.get(sid);

      FakeExchange second = h.get(sid);

      assertThat(second.status()).isEqualTo(400);
      assertThat(second.body()).isEmpty();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.bodyText()).isEqualTo("1");
      assertThat(first.respondCalls()).isEqualTo(1);
      assertThat(h.isOpen(sid)).isFalse();
      assertThat(h.closeReasons).containsExactly("transport error");
      h.assertSessionUnknown(sid);
    }

    @Test
    void abortedPendingGetClosesTheSession() {
      String sid = h.handshake();
      FakeExchange get = h.get(sid);

      get.abort();

      assertThat(h.isOpen(sid)).isFalse();
      assertThat(h.closeReasons).containsExactly("transport error");
      assertThat(h.engine.sessionCount()).isZero();
      h.assertSessionUnknown(sid);
    }

    @Test
    void abortAfterTheAnswerIsHarmless() {
      String sid = h.handshake();
      FakeExchange get = h.get(sid);
      h.session(sid).send("x");
      get.abort();

      assertThat(h.isOpen(sid)).isTrue();
      assertThat(h.get(sid).responded()).isFalse();
    }

    @Test
    void getsAndPostsInterleave() {
      String sid = h.handshake();
      EngineSession session = h.session(sid);
      FakeExchange get = h.get(sid);
      h.post(sid, "4ping me");
      session.send("pong you");
      FakeExchange get2 = h.get(sid);
      h.post(sid, "4again");
      session.send("and again");

      assertThat(get.bodyText()).isEqualTo("4pong you");
      assertThat(get2.bodyText()).isEqualTo("4and again");
      assertThat(h.messages).containsExactly("4ping me", "4again");
    }
  }

  // ==================================================================== heartbeat and close

  @Nested
  class HeartbeatAndClose {
    @Test
    void pendingGetReceivesThePingAndAPostedPongKeepsTheSession() {
      h = new PollingHarness(shortTimers().build());
      String sid = h.handshake();
      FakeExchange get = h.get(sid);

      h.scheduler.advance(299);
      assertThat(get.responded()).isFalse();
      h.scheduler.advance(1);
      assertThat(get.bodyText()).isEqualTo("2");

      h.post(sid, "3");
      FakeExchange get2 = h.get(sid);
      h.scheduler.advance(299);
      assertThat(get2.responded()).isFalse();
      h.scheduler.advance(1);
      assertThat(get2.bodyText()).isEqualTo("2");
      assertThat(h.isOpen(sid)).isTrue();
    }

    @Test
    void noPongClosesThePendingGetWithClose() {
      h = new PollingHarness(shortTimers().build());
      String sid = h.handshake();
      h.get(sid);
      h.scheduler.advance(300);  // ping answered
      FakeExchange get = h.get(sid);

      h.scheduler.advance(200);

      assertThat(h.closeReasons).containsExactly("ping timeout");
      assertThat(get.bodyText()).isEqualTo("1");
      h.assertSessionUnknown(sid);
    }

    @Test
    void serverCloseAnswersThePendingGetWithClose() {
      String sid = h.handshake();
      FakeExchange get = h.get(sid);

      h.session(sid).close();

      assertThat(get.bodyText()).isEqualTo("1");
      assertThat(get.respondCalls()).isEqualTo(1);
      assertThat(h.closeReasons).containsExactly("forced close");
      h.assertSessionUnknown(sid);
    }

    @Test
    void serverCloseWithoutPendingGetIsDeliveredByTheNextGetAfterQueuedData() {
      String sid = h.handshake();
      EngineSession session = h.session(sid);
      session.send("last words");
      session.close();
      assertThat(h.closeReasons).isEmpty();

      FakeExchange get = h.get(sid);
      assertThat(get.bodyText()).isEqualTo("4last words");
      assertThat(h.closeReasons).isEmpty();

      FakeExchange next = h.get(sid);               // the close comes alone, as engine.io sends it
      assertThat(next.bodyText()).isEqualTo("1");
      assertThat(h.closeReasons).containsExactly("forced close");
      h.assertSessionUnknown(sid);
    }

    @Test
    void serverShutdownAnswersPendingGetsWithClose() {
      String a = h.handshake();
      String b = h.handshake();
      FakeExchange getA = h.get(a);
      FakeExchange getB = h.get(b);

      h.engine.close();

      assertThat(getA.bodyText()).isEqualTo("1");
      assertThat(getB.bodyText()).isEqualTo("1");
      assertThat(h.closeReasons).containsExactly("server shutting down", "server shutting down");
      assertThat(h.engine.sessionCount()).isZero();
    }
  }

  // ==================================================================== upgrade

  @Nested
  class Upgrade {
    private String sid;
    private FakeWebSocket ws;

    private void startUpgrade() {
      h = new PollingHarness(shortTimers().pingInterval(Duration.ofSeconds(10)).pingTimeout(Duration.ofSeconds(5))
          .build());
      sid = h.handshake();
      ws = new FakeWebSocket();
      assertThat(h.engine.offerUpgrade(sid, ws)).isTrue();
    }

    @Test
    void pendingGetIsReleasedWithNoopAtTheFirstTickAfterTheProbe() {
      startUpgrade();
      FakeExchange get = h.get(sid);

      ws.receive("2probe");

      assertThat(ws.frames()).containsExactly("3probe");
      // as the reference: the noop at the first 100 ms check, not at once
      assertThat(get.responded()).isFalse();
      h.scheduler.advance(100);
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.bodyText()).isEqualTo("6");
    }

    @Test
    void getDuringTheUpgradeIsReleasedWithNoopAfterTheTick() {
      startUpgrade();
      ws.receive("2probe");

      FakeExchange get = h.get(sid);
      assertThat(get.responded()).isFalse();
      h.scheduler.advance(100);

      assertThat(get.bodyText()).isEqualTo("6");
    }

    @Test
    void getPendingWhenTheUpgradeCompletesIsRefusedAsBadRequest() {
      startUpgrade();
      ws.receive("2probe");
      FakeExchange get = h.get(sid);

      ws.receive("5");

      assertThat(get.status()).isEqualTo(400);
      assertThat(get.contentType()).isEqualTo(JSON);
      assertThat(get.bodyText()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
      assertThat(h.session(sid).transportKind()).isEqualTo(TransportKind.WEBSOCKET);
    }

    @Test
    void pollingRequestsAfterTheUpgradeAreBadRequests() {
      startUpgrade();
      ws.receive("2probe");
      ws.receive("5");

      FakeExchange get = h.get(sid);
      FakeExchange post = h.post(sid, "4late");

      for (FakeExchange x : List.of(get, post)) {
        assertThat(x.status()).isEqualTo(400);
        assertThat(x.contentType()).isEqualTo(JSON);
        assertThat(x.bodyText()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
      }
      assertThat(h.messages).isEmpty();
      assertThat(h.isOpen(sid)).isTrue();
    }

    @Test
    void dataQueuedDuringTheUpgradeGoesToTheWebSocketOnce() {
      startUpgrade();
      EngineSession session = h.session(sid);
      FakeExchange get = h.get(sid);
      session.send("before");          // answers the pending GET
      ws.receive("2probe");
      h.post(sid, "4from polling");     // the client's last POST
      session.send("during");
      session.send(new byte[] {1, 2, 3, 4});

      ws.receive("5");
      session.send("after");
      ws.receive("4from ws");

      assertThat(get.bodyText()).isEqualTo("4before");
      assertThat(ws.frames()).containsExactly("3probe", "4during", "bAQIDBA==", "4after");
      assertThat(h.messages).containsExactly("4from polling", "4from ws");
    }

    @Test
    void pollingKeepsWorkingAfterAnUpgradeTimeout() {
      startUpgrade();
      ws.receive("2probe");

      h.scheduler.advance(1000);

      assertThat(ws.closed()).isTrue();
      FakeExchange get = h.get(sid);
      h.session(sid).send("still here");
      assertThat(get.bodyText()).isEqualTo("4still here");
      assertThat(h.post(sid, "4me too").bodyText()).isEqualTo("ok");
      assertThat(h.messages).containsExactly("4me too");
    }
  }

  // ==================================================================== the Transport contract, directly

  @Nested
  class Contract {
    private final List<String> events = new ArrayList<>();
    private final List<Runnable> queued = new ArrayList<>();
    private final PollingTransport transport = new PollingTransport(100);

    /** Events are queued, as on a real session executor, and run by {@link #runQueued()}. */
    private final Executor executor = queued::add;

    Contract() {
      transport.bind(new Transport.Listener() {
        @Override
        public void onPacket(EnginePacket packet) {
          events.add("packet " + EngineCodec.encodePayload(List.of(packet)));
        }

        @Override
        public void onDrain() {
          events.add("drain");
        }

        @Override
        public void onClose() {
          events.add("close");
        }

        @Override
        public void onParseError(String detail) {
          events.add("parse error " + detail);
        }

        @Override
        public void onError(String detail, Throwable cause) {
          events.add("error " + detail);
        }
      }, executor);
    }

    private void runQueued() {
      while (!queued.isEmpty()) {
        queued.remove(0).run();
      }
    }

    private FakeExchange request(String method, String body) {
      FakeExchange x = FakeExchange.request(method, "EIO=4&transport=polling&sid=s").body(body);
      transport.onRequest(x);
      runQueued();
      return x;
    }

    @Test
    void requestWorkRunsOnTheSessionExecutor() {
      FakeExchange get = FakeExchange.get("EIO=4&transport=polling&sid=s");
      transport.onRequest(get);

      assertThat(events).isEmpty();
      assertThat(transport.isWritable()).isFalse();
      runQueued();
      assertThat(events).containsExactly("drain");
      assertThat(transport.isWritable()).isTrue();
    }

    @Test
    void sendAnswersThePendingGetAndEndsWritability() {
      FakeExchange get = request("GET", "");

      transport.send(List.of(EnginePacket.message("a"), EnginePacket.PING));

      assertThat(get.bodyText()).isEqualTo("4a\u001e2");
      assertThat(get.contentType()).isEqualTo(TEXT_PLAIN);
      assertThat(transport.isWritable()).isFalse();
    }

    @Test
    void closeWithClosePacketAnswersOne() {
      FakeExchange get = request("GET", "");

      transport.close(true);
      transport.close(true);

      assertThat(get.bodyText()).isEqualTo("1");
      assertThat(get.respondCalls()).isEqualTo(1);
      assertThat(transport.isWritable()).isFalse();
    }

    @Test
    void closeWithoutClosePacketAnswersNoop() {
      FakeExchange get = request("GET", "");

      transport.close(false);

      assertThat(get.bodyText()).isEqualTo("6");
    }

    @Test
    void requestsAfterCloseAreToldTheSessionIsUnknown() {
      transport.close(true);

      FakeExchange get = request("GET", "");
      FakeExchange post = request("POST", "4x");

      assertThat(get.status()).isEqualTo(400);
      assertThat(get.bodyText()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
      assertThat(post.bodyText()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
      assertThat(events).isEmpty();
    }

    @Test
    void discardAnswersThePendingGetWithBadRequestAndLaterRequestsToo() {
      FakeExchange get = request("GET", "");

      transport.discard();
      FakeExchange post = request("POST", "4x");

      assertThat(get.status()).isEqualTo(400);
      assertThat(get.bodyText()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
      assertThat(post.bodyText()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
      assertThat(events).containsExactly("drain");
    }

    @Test
    void postReportsPacketsInOrder() {
      FakeExchange post = request("POST", "4a\u001e3\u001ebAQ==");

      assertThat(events).containsExactly("packet 4a", "packet 3", "packet bAQ==");
      assertThat(post.bodyText()).isEqualTo("ok");
    }

    @Test
    void badPostReportsAParseError() {
      FakeExchange post = request("POST", "4a\u001e");

      assertThat(events).containsExactly("packet 4a", "parse error empty packet");
      assertThat(post.status()).isEqualTo(400);
    }

    @Test
    void unsupportedMethodGets500AndNoEvent() {
      FakeExchange put = request("PUT", "4x");
      FakeExchange delete = request("DELETE", "");

      assertThat(put.status()).isEqualTo(500);
      assertThat(put.body()).isEmpty();
      assertThat(delete.status()).isEqualTo(500);
      assertThat(events).isEmpty();
    }

    @Test
    void kindIsPolling() {
      assertThat(transport.kind()).isEqualTo(TransportKind.POLLING);
    }
  }
}
