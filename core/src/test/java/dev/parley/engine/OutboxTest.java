package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.FakeTransport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Outbox}: batching, the byte bound, droppable packets and corks, through a session and alone. */
class OutboxTest extends SessionTestBase {
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
  void packetsAndBytesBothWaysAreCountedOnceEach() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws);
    long packetsBefore = server.stats().packetsSent();   // the open packet went out already
    long bytesBefore = server.stats().bytesSent();
    session.send("\u00e9\u20ac");                  // 1 + 2 + 3 bytes
    session.send(new byte[] {1, 2, 3});               // 3 bytes
    assertThat(server.stats().packetsSent() - packetsBefore).isEqualTo(2);
    assertThat(server.stats().bytesSent() - bytesBefore).isEqualTo(6 + 3);

    ws.receive("4h\u00e9");                           // 1 + 1 + 2 bytes
    ws.receive(EnginePacket.message(new byte[] {9, 9}));
    assertThat(server.stats().packetsReceived()).isEqualTo(2);
    assertThat(server.stats().bytesReceived()).isEqualTo(4 + 2);
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

  @Test
  void aCorkFromAnotherThreadBetweenTheLastUncorksReadAndWriteIsNotLost() {
    // thread A removes the last cork while thread B corks: B's cork lands after A read the count
    // (1) and before A wrote its new value. The hook plays B at exactly that point, every time.
    boolean[] corkedMeanwhile = {false};
    Outbox outbox = new Outbox() {
      @Override
      void beforeUncorkWrite() {
        if (!corkedMeanwhile[0]) {
          corkedMeanwhile[0] = true;
          cork(); // thread B
        }
      }
    };
    outbox.cork();                                   // thread A's cork

    boolean flush = outbox.uncork();                 // thread A removes it

    assertThat(corkedMeanwhile[0]).isTrue();
    assertThat(outbox.corked()).as("thread B's cork still holds writing back").isTrue();
    assertThat(flush).isFalse();
    outbox.add(EnginePacket.message("b"), Long.MAX_VALUE); // B's packet waits for B's uncork
    assertThat(outbox.claimFlush()).as("no flush while corked").isFalse();
    assertThat(outbox.uncork()).as("B's uncork is the last: it flushes").isTrue();
    assertThat(outbox.corked()).isFalse();
    assertThat(outbox.claimFlush()).isTrue();
  }

  @Test
  void anUncorkWithoutACorkIsIgnoredAndLeavesNoDebt() {
    Outbox outbox = new Outbox();
    outbox.add(EnginePacket.message("a"), Long.MAX_VALUE);

    assertThat(outbox.uncork()).isFalse();
    outbox.cork();

    assertThat(outbox.corked()).as("the stray uncork did not cancel this cork").isTrue();
    assertThat(outbox.uncork()).isTrue();
  }

  @Test
  void aBatchStopsAtTheSessionsCloseAndCountsItsBytesBack() {
    Outbox outbox = new Outbox();
    outbox.add(EnginePacket.message("a"), Long.MAX_VALUE);
    outbox.addInternal(EnginePacket.CLOSE);
    outbox.add(EnginePacket.message("late"), Long.MAX_VALUE);
    assertThat(outbox.bytes()).isEqualTo(2 + 1 + 5);

    assertThat(outbox.takeBatch(true)).containsExactly(EnginePacket.message("a"), EnginePacket.CLOSE);
    assertThat(outbox.bytes()).isEqualTo(5);
    assertThat(outbox.takeBatch(true)).containsExactly(EnginePacket.message("late"));
    assertThat(outbox.takeBatch(true)).isNull();
    assertThat(outbox.bytes()).isZero();
  }

  @Test
  void theFirstPacketPastTheLimitReportsTheOverflowOnce() {
    Outbox outbox = new Outbox();
    assertThat(outbox.add(EnginePacket.message("x".repeat(9)), 10)).isFalse(); // 10 bytes: at the limit
    assertThat(outbox.add(EnginePacket.message(""), 10)).isTrue();
    assertThat(outbox.addAll(List.of(EnginePacket.message("y")), 10)).as("reported once").isFalse();
  }
}
