package dev.parley.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EnginePacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.WebSocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FrameWriter} against Jetty's in-memory {@link ByteArrayEndPoint}: the bytes it writes
 * (decoded by {@link #parse}), how it groups queued items into writes, and how callbacks complete
 * on close, abnormal close, connection close and write failure.
 *
 * <p>The endpoint can be held ({@link TestEndPoint#blocked}: it accepts nothing, so a write stays
 * pending) and released ({@link TestEndPoint#release}), or made to fail its next flush; it records
 * each {@code write} call so the tests can see what left together.
 */
class FrameWriterTest {
  private final ArrayByteBufferPool.Tracking pool = new ArrayByteBufferPool.Tracking();
  private final TestEndPoint endPoint = new TestEndPoint();
  private final List<Throwable> writeFailures = new CopyOnWriteArrayList<>();
  private final FrameWriter writer = new FrameWriter(endPoint, pool, writeFailures::add);

  @AfterEach
  void everyPooledBufferReleased() {
    assertThat(pool.getLeaks()).as(pool.dumpLeaks()).isEmpty();
  }

  // --- 1. Engine.IO packets become one frame each ---

  @Test
  void textPacketIsOneUnmaskedTextFrame() {
    RecordingCallback cb = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("hello")), cb);

    assertThat(output()).containsExactly(0x81, 0x06, '4', 'h', 'e', 'l', 'l', 'o');
    assertThat(cb.succeededOnce()).isTrue();
    assertThat(endPoint.writes).hasSize(1);
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void textPacketIsEncodedAsUtf8() {
    writer.send(List.of(EnginePacket.message("h\u00e9\u20ac")), new RecordingCallback());

    byte[] expectedPayload = "4h\u00e9\u20ac".getBytes(StandardCharsets.UTF_8); // 1 + 1 + 2 + 3 bytes
    List<WsFrame> frames = parse(output());
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).b0).isEqualTo(0x81);
    assertThat(frames.get(0).payload).containsExactly(expectedPayload);
  }

  @Test
  void binaryPacketIsABinaryFrameOfTheRawBytes() {
    RecordingCallback cb = new RecordingCallback();
    writer.send(List.of(EnginePacket.message(new byte[] {1, 2, 3, 0, (byte) 0xFF})), cb);

    assertThat(output()).containsExactly(0x82, 0x05, 1, 2, 3, 0, 0xFF);
    assertThat(cb.succeededOnce()).isTrue();
  }

  @Test
  void batchOfThreePacketsIsThreeFramesInOneWriteAndOneCallback() {
    RecordingCallback cb = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("a"), EnginePacket.message(new byte[] {9, 8}),
        EnginePacket.message("ccc")), cb);

    assertThat(output()).containsExactly(
        0x81, 0x02, '4', 'a',
        0x82, 0x02, 9, 8,
        0x81, 0x04, '4', 'c', 'c', 'c');
    assertThat(endPoint.writes).hasSize(1);
    assertThat(endPoint.writes.get(0).buffers).as("small frames are copied into one buffer").isEqualTo(1);
    assertThat(cb.successes.get()).isEqualTo(1);
    assertThat(cb.failures).isEmpty();
  }

  // --- 2. Lengths ---

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 4096, 4097, 65535, 65536, 70_000})
  void binaryPacketLengthHeader(int length) {
    byte[] payload = pattern(length);
    RecordingCallback cb = new RecordingCallback();
    writer.send(List.of(EnginePacket.message(payload)), cb);

    byte[] out = output();
    byte[] header = Arrays.copyOf(out, out.length - length);
    assertThat(header).containsExactly(expectedHeader(0x82, length));
    assertThat(Arrays.copyOfRange(out, header.length, out.length)).isEqualTo(payload);
    assertThat(cb.succeededOnce()).isTrue();
    // up to 4096 bytes the payload is copied after its header; above, it is written from its own array
    assertThat(endPoint.writes).hasSize(1);
    assertThat(endPoint.writes.get(0).buffers).isEqualTo(length <= 4096 ? 1 : 2);
    assertThat(endPoint.writes.get(0).arrays.contains(payload)).isEqualTo(length > 4096);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 4096, 4097, 65535, 65536, 70_000})
  void jettyFrameLengthHeader(int length) {
    byte[] payload = pattern(length);
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    RecordingCallback cb = new RecordingCallback();
    writer.enqueue(new Frame(OpCode.BINARY, buffer), cb);

    byte[] out = output();
    byte[] header = Arrays.copyOf(out, out.length - length);
    assertThat(header).containsExactly(expectedHeader(0x82, length));
    assertThat(Arrays.copyOfRange(out, header.length, out.length)).isEqualTo(payload);
    assertThat(buffer.remaining()).as("the frame's payload is not consumed").isEqualTo(length);
    assertThat(cb.succeededOnce()).isTrue();
  }

  @Test
  void textPacketOf126BytesHasA16BitLength() {
    String text = "x".repeat(125); // 4 + 125 chars = 126 bytes
    writer.send(List.of(EnginePacket.message(text)), new RecordingCallback());

    byte[] out = output();
    assertThat(Arrays.copyOf(out, 4)).containsExactly(0x81, 126, 0x00, 126);
    assertThat(new String(out, 4, out.length - 4, StandardCharsets.UTF_8)).isEqualTo("4" + text);
  }

  @Test
  void largePayloadBetweenSmallOnesIsWrittenFromItsOwnBufferInOrder() {
    byte[] large = pattern(10_000);
    RecordingCallback cb = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("before"), EnginePacket.message(large), EnginePacket.message("after")), cb);

    List<WsFrame> frames = parse(output());
    assertThat(frames).extracting(f -> f.b0).containsExactly(0x81, 0x82, 0x81);
    assertThat(frames.get(0).payload).isEqualTo("4before".getBytes(StandardCharsets.UTF_8));
    assertThat(frames.get(1).payload).isEqualTo(large);
    assertThat(frames.get(2).payload).isEqualTo("4after".getBytes(StandardCharsets.UTF_8));
    assertThat(cb.succeededOnce()).isTrue();

    // one write, gathered: [first frame + large header] [the large payload, not copied] [last frame]
    assertThat(endPoint.writes).hasSize(1);
    Write write = endPoint.writes.get(0);
    assertThat(write.buffers).isEqualTo(3);
    assertThat(write.arrays).as("the large payload is handed over as the packet's own array").anyMatch(a -> a == large);
  }

  // --- 3. Queued while a write is pending ---

  @Test
  void whileAWriteIsPendingQueuedItemsLeaveTogetherWithThePongFirst() {
    endPoint.blocked = true;
    RecordingCallback a = new RecordingCallback();
    RecordingCallback b = new RecordingCallback();
    RecordingCallback c = new RecordingCallback();
    RecordingCallback pong = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("A")), a);
    writer.send(List.of(EnginePacket.message("B")), b);
    writer.send(List.of(EnginePacket.message("C")), c);
    writer.enqueue(new Frame(OpCode.PONG, "p"), pong);

    assertThat(List.of(a, b, c, pong)).allMatch(RecordingCallback::notCompleted);
    assertThat(endPoint.writes).hasSize(1);

    endPoint.release();

    assertThat(output()).containsExactly(
        0x81, 0x02, '4', 'A',
        0x8A, 0x01, 'p',
        0x81, 0x02, '4', 'B',
        0x81, 0x02, '4', 'C');
    assertThat(endPoint.writes).as("the pong and the queued data leave in one write").hasSize(2);
    assertThat(endPoint.writes.get(1).bytes).isEqualTo(3 + 4 + 4);
    assertThat(List.of(a, b, c, pong)).allMatch(RecordingCallback::succeededOnce);
  }

  @Test
  void pingAlsoJumpsAheadOfQueuedData() {
    endPoint.blocked = true;
    writer.send(List.of(EnginePacket.message("A")), new RecordingCallback());
    writer.send(List.of(EnginePacket.message("B")), new RecordingCallback());
    writer.enqueue(new Frame(OpCode.PING, "q"), new RecordingCallback());
    endPoint.release();

    assertThat(parse(output())).extracting(f -> f.b0).containsExactly(0x81, 0x89, 0x81);
  }

  @Test
  void aWriteCarriesAtMost32QueuedItems() {
    endPoint.blocked = true;
    writer.send(List.of(EnginePacket.message("first")), new RecordingCallback());
    List<RecordingCallback> callbacks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      RecordingCallback cb = new RecordingCallback();
      callbacks.add(cb);
      writer.send(List.of(EnginePacket.message(Integer.toString(i))), cb);
    }
    endPoint.release();

    List<WsFrame> frames = parse(output());
    assertThat(frames).hasSize(41);
    for (int i = 0; i < 40; i++) {
      assertThat(new String(frames.get(i + 1).payload, StandardCharsets.UTF_8)).isEqualTo("4" + i);
    }
    assertThat(endPoint.writes).extracting(w -> w.frames).containsExactly(1, 32, 8);
    assertThat(callbacks).allMatch(RecordingCallback::succeededOnce);
  }

  @Test
  void aWriteCopiesAtMost64KiB() {
    endPoint.blocked = true;
    writer.send(List.of(EnginePacket.message("first")), new RecordingCallback());
    List<RecordingCallback> callbacks = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    // 16 frames of 4000 bytes take 64,064 bytes on the wire; a 1500-byte one more would pass 64 KiB
    for (int i = 0; i < 20; i++) {
      byte[] payload = pattern(i == 16 ? 1500 : 4000);
      payload[0] = (byte) i;
      payloads.add(payload);
      RecordingCallback cb = new RecordingCallback();
      callbacks.add(cb);
      writer.send(List.of(EnginePacket.message(payload)), cb);
    }
    endPoint.release();

    List<WsFrame> frames = parse(output());
    assertThat(frames).hasSize(21);
    for (int i = 0; i < 20; i++) {
      assertThat(frames.get(i + 1).payload).isEqualTo(payloads.get(i));
    }
    assertThat(endPoint.writes).allMatch(w -> w.bytes <= 64 * 1024);
    assertThat(endPoint.writes).extracting(w -> w.frames).containsExactly(1, 16, 4);
    assertThat(callbacks).allMatch(RecordingCallback::succeededOnce);
  }

  @Test
  void aBacklogBatchLeavesInWritesOfAtMost64KiBWithOneCallbackAtTheEnd() {
    // a slow client's whole outbox in one batch: 2,000 packets of 100 bytes, 224 KB on the wire
    List<EnginePacket> backlog = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      byte[] payload = pattern(99);
      payload[0] = (byte) i;
      payload[1] = (byte) (i >> 8);
      backlog.add(EnginePacket.message(payload));
    }
    RecordingCallback cb = new RecordingCallback(() -> endPoint.writes.size());
    writer.send(backlog, cb);

    List<WsFrame> frames = parse(output());
    assertThat(frames).hasSize(2000);
    for (int i = 0; i < 2000; i++) {
      assertThat(frames.get(i).payload).isEqualTo(backlog.get(i).binary());
    }
    assertThat(endPoint.writes).hasSizeGreaterThanOrEqualTo(4).allMatch(w -> w.bytes <= 64 * 1024 && w.buffers == 1);
    assertThat(cb.succeededOnce()).isTrue();
    assertThat(cb.snapshotAtCompletion).as("writes done when the callback ran").isEqualTo(endPoint.writes.size());
  }

  @Test
  void aBatchOfManyLargePayloadsGathersAtMost16PerWrite() {
    List<EnginePacket> batch = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] payload = pattern(5000);
      payload[0] = (byte) i;
      batch.add(EnginePacket.message(payload));
    }
    RecordingCallback cb = new RecordingCallback();
    writer.send(batch, cb);

    List<WsFrame> frames = parse(output());
    assertThat(frames).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(frames.get(i).payload).isEqualTo(batch.get(i).binary());
    }
    assertThat(endPoint.writes).extracting(w -> w.frames).containsExactly(16, 16, 8);
    assertThat(cb.succeededOnce()).isTrue();
  }

  @Test
  void aBacklogBatchQueuedInPartsFailsItsCallbackOnceWhenTheConnectionCloses() {
    endPoint.blocked = true;
    writer.send(List.of(EnginePacket.message("first")), new RecordingCallback());
    List<EnginePacket> backlog = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      backlog.add(EnginePacket.message(pattern(99)));
    }
    RecordingCallback cb = new RecordingCallback();
    writer.send(backlog, cb);
    EofException eof = new EofException();
    writer.onClose(eof);
    endPoint.close(); // the endpoint fails its pending write
    assertThat(cb.failedOnce()).isSameAs(eof);
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void aBacklogBatchSentAfterTheCloseFailsItsCallbackOnce() {
    writer.onClose(new EofException());
    List<EnginePacket> backlog = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      backlog.add(EnginePacket.message(pattern(99)));
    }
    RecordingCallback cb = new RecordingCallback();
    writer.send(backlog, cb);
    assertThat(cb.failedOnce()).isInstanceOf(java.io.IOException.class);
    assertThat(output()).isEmpty();
  }

  @Test
  void aDrainingEndPointGetsEverythingInOrder() {
    // the endpoint holds 1000 bytes until they are taken: most writes stay pending for a while
    endPoint.capacity = 1000;
    List<RecordingCallback> callbacks = new ArrayList<>();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0; i < 50; i++) {
      RecordingCallback cb = new RecordingCallback();
      callbacks.add(cb);
      byte[] p = pattern(i * 211 % 9000);
      expected.writeBytes(expectedHeader(0x82, p.length));
      expected.writeBytes(p);
      writer.send(List.of(EnginePacket.message(p)), cb);
    }
    assertThat(callbacks.get(49).notCompleted()).as("the endpoint is full: the last send waits").isTrue();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int takes = 0;
    while (takes < 1_000_000 && !callbacks.stream().allMatch(RecordingCallback::succeededOnce)) {
      out.writeBytes(BufferUtil.toArray(endPoint.takeOutput())); // takeOutput completes the pending write
      takes++;
    }
    out.writeBytes(BufferUtil.toArray(endPoint.takeOutput()));
    assertThat(callbacks).allMatch(RecordingCallback::succeededOnce);
    assertThat(takes).isGreaterThan(100);
    assertThat(endPoint.writes.size()).as("later sends queued and left in fewer writes").isBetween(2, 49);
    assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
  }

  // --- 4. Close frame ---

  @Test
  void normalCloseFrameIsWrittenLastThenOutputShutDownAndNothingMoreAccepted() {
    RecordingCallback data = new RecordingCallback();
    RecordingCallback close = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("bye")), data);
    writer.enqueue(CloseStatus.toFrame(CloseStatus.NORMAL), close);

    assertThat(output()).containsExactly(
        0x81, 0x04, '4', 'b', 'y', 'e',
        0x88, 0x02, 0x03, 0xE8);
    assertThat(data.succeededOnce()).isTrue();
    assertThat(close.succeededOnce()).isTrue();
    assertThat(endPoint.isOutputShutdown()).isTrue();

    RecordingCallback late = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("late")), late);
    assertThat(late.failedOnce()).isInstanceOf(ClosedChannelException.class);
    RecordingCallback latePong = new RecordingCallback();
    writer.enqueue(new Frame(OpCode.PONG), latePong);
    assertThat(latePong.failedOnce()).isInstanceOf(ClosedChannelException.class);
    assertThat(output()).isEmpty();
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void theOutputIsShutDownBeforeTheCloseFramesCallbackRuns() {
    // Jetty's close callback may close the socket: the FIN must have gone first, as with Jetty's flusher
    RecordingCallback close = new RecordingCallback(() -> endPoint.isOutputShutdown() ? 1 : 0);
    writer.enqueue(CloseStatus.toFrame(CloseStatus.NORMAL), close);
    assertThat(close.succeededOnce()).isTrue();
    assertThat(close.snapshotAtCompletion).as("output shut down when the callback ran").isEqualTo(1);
  }

  @Test
  void afterACloseFrameIsQueuedLaterSendsFailAndOutputIsShutDownOnlyOnceItIsWritten() {
    endPoint.blocked = true;
    RecordingCallback a = new RecordingCallback();
    RecordingCallback b = new RecordingCallback();
    RecordingCallback close = new RecordingCallback();
    RecordingCallback late = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("A")), a);
    writer.send(List.of(EnginePacket.message("B")), b);
    writer.enqueue(CloseStatus.toFrame(CloseStatus.NORMAL), close);
    writer.send(List.of(EnginePacket.message("late")), late);

    assertThat(late.failedOnce()).isInstanceOf(ClosedChannelException.class);
    assertThat(endPoint.isOutputShutdown()).isFalse();
    assertThat(List.of(a, b, close)).allMatch(RecordingCallback::notCompleted);

    endPoint.release();

    assertThat(parse(output())).extracting(f -> f.b0).containsExactly(0x81, 0x81, 0x88);
    assertThat(List.of(a, b, close)).allMatch(RecordingCallback::succeededOnce);
    assertThat(endPoint.isOutputShutdown()).isTrue();
  }

  // --- 5. Abnormal close ---

  @Test
  void abnormalCloseDropsQueuedDataButNotTheWriteUnderWay() {
    endPoint.blocked = true;
    RecordingCallback a = new RecordingCallback();
    RecordingCallback b = new RecordingCallback();
    RecordingCallback c = new RecordingCallback();
    RecordingCallback close = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("A")), a);
    writer.send(List.of(EnginePacket.message("B")), b);
    writer.send(List.of(EnginePacket.message("C")), c);
    writer.enqueue(CloseStatus.toFrame(CloseStatus.SERVER_ERROR), close);

    assertThat(b.failedOnce()).isInstanceOf(WebSocketException.class);
    assertThat(c.failedOnce()).isInstanceOf(WebSocketException.class);
    assertThat(a.notCompleted()).isTrue();

    endPoint.release();

    assertThat(output()).containsExactly(
        0x81, 0x02, '4', 'A',
        0x88, 0x02, 0x03, 0xF3); // 1011
    assertThat(a.succeededOnce()).isTrue();
    assertThat(close.succeededOnce()).isTrue();
    assertThat(endPoint.isOutputShutdown()).isTrue();
    assertThat(writeFailures).isEmpty();
  }

  // --- 7. Connection closed ---

  @Test
  void onCloseWhenIdleFailsLaterItemsAndDoesNotReportAWriteFailure() {
    EofException eof = new EofException();
    writer.onClose(eof);

    RecordingCallback late = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("late")), late);
    RecordingCallback latePong = new RecordingCallback();
    writer.enqueue(new Frame(OpCode.PONG), latePong);

    assertThat(late.failedOnce()).isSameAs(eof);
    assertThat(latePong.failedOnce()).isSameAs(eof);
    assertThat(endPoint.writes).isEmpty();
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void onCloseWithoutACauseFailsLaterItemsWithClosedChannelException() {
    writer.onClose(null);
    RecordingCallback late = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("late")), late);
    assertThat(late.failedOnce()).isInstanceOf(ClosedChannelException.class);
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void onCloseWithAPendingWriteFailsEverythingAndDoesNotReportAWriteFailure() {
    endPoint.blocked = true;
    RecordingCallback a = new RecordingCallback();
    RecordingCallback b = new RecordingCallback();
    RecordingCallback pong = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("A")), a);
    writer.send(List.of(EnginePacket.message("B")), b);
    writer.enqueue(new Frame(OpCode.PONG), pong);

    EofException eof = new EofException();
    writer.onClose(eof);
    RecordingCallback late = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("late")), late);
    assertThat(late.failedOnce()).isSameAs(eof);

    // the connection is closing: the endpoint fails its pending write
    endPoint.close();

    assertThat(a.failedOnce()).isSameAs(eof);
    assertThat(b.failedOnce()).isSameAs(eof);
    assertThat(pong.failedOnce()).isSameAs(eof);
    assertThat(writeFailures).isEmpty();
  }

  // --- 8. Write failure ---

  @Test
  void aFailedWriteFailsItsItemsReportsOnceAndClosesTheEndPoint() {
    IOException boom = new IOException("boom");
    endPoint.failure = boom;
    RecordingCallback a = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("A")), a);

    assertThat(a.failedOnce()).isSameAs(boom);
    assertThat(writeFailures).containsExactly(boom);
    assertThat(endPoint.isOpen()).isFalse();

    RecordingCallback late = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("late")), late);
    assertThat(late.failedOnce()).isSameAs(boom);
    assertThat(writeFailures).hasSize(1);
  }

  @Test
  void aPendingWriteThatFailsFailsEverythingQueuedReportsOnceAndClosesTheEndPoint() {
    endPoint.blocked = true;
    RecordingCallback a = new RecordingCallback();
    RecordingCallback b = new RecordingCallback();
    RecordingCallback pong = new RecordingCallback();
    RecordingCallback close = new RecordingCallback();
    writer.send(List.of(EnginePacket.message("A")), a);
    writer.send(List.of(EnginePacket.message("B")), b);
    writer.enqueue(new Frame(OpCode.PONG), pong);
    writer.enqueue(CloseStatus.toFrame(CloseStatus.NORMAL), close);

    IOException boom = new IOException("reset by peer");
    endPoint.failure = boom;
    endPoint.release();

    assertThat(List.of(a, b, pong, close)).allSatisfy(cb -> assertThat(cb.failedOnce()).isSameAs(boom));
    assertThat(writeFailures).containsExactly(boom);
    assertThat(endPoint.isOpen()).isFalse();
    assertThat(output()).isEmpty();

    // the connection's own close afterwards changes nothing
    writer.onClose(new EofException());
    assertThat(writeFailures).hasSize(1);
    assertThat(List.of(a, b, pong, close)).allMatch(cb -> cb.failures.size() == 1 && cb.successes.get() == 0);
  }

  // --- 9. Jetty frames keep their header bits ---

  @ParameterizedTest(name = "fin={0} rsv1={1} rsv2={2} rsv3={3} opcode={4} -> {5}")
  @CsvSource({
      "true,  true,  false, false, 1, 0xC1", // permessage-deflate: compressed text
      "false, true,  false, false, 2, 0x42", // first fragment of a compressed binary message
      "true,  false, false, false, 0, 0x80", // last continuation
      "true,  false, true,  true,  1, 0xB1",
      "true,  false, false, false, 10, 0x8A",
  })
  void jettyFrameHeaderBitsAreKept(boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, byte opCode, String b0) {
    Frame frame = new Frame(opCode, fin, ByteBuffer.wrap(new byte[] {7, 7, 7}));
    frame.setRsv1(rsv1).setRsv2(rsv2).setRsv3(rsv3);
    RecordingCallback cb = new RecordingCallback();
    writer.enqueue(frame, cb);

    assertThat(output()).containsExactly(Integer.decode(b0), 0x03, 7, 7, 7);
    assertThat(cb.succeededOnce()).isTrue();
  }

  @Test
  void pongWithoutPayload() {
    writer.enqueue(new Frame(OpCode.PONG), new RecordingCallback());
    assertThat(output()).containsExactly(0x8A, 0x00);
  }

  // --- helpers ---

  private byte[] output() {
    return BufferUtil.toArray(endPoint.takeOutput());
  }

  private static byte[] pattern(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  /** The header RFC 6455 prescribes for an unmasked frame of {@code length} payload bytes. */
  private static byte[] expectedHeader(int b0, int length) {
    if (length < 126) {
      return new byte[] {(byte) b0, (byte) length};
    }
    if (length <= 0xFFFF) {
      return new byte[] {(byte) b0, 126, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {(byte) b0, 127, 0, 0, 0, 0,
        (byte) (length >> 24), (byte) (length >> 16), (byte) (length >> 8), (byte) length};
  }

  /** A decoded server frame. */
  private record WsFrame(int b0, byte[] payload) {}

  /** Decodes unmasked frames; fails on a mask bit, a non-minimal length or trailing bytes. */
  private static List<WsFrame> parse(byte[] bytes) {
    List<WsFrame> frames = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (in.hasRemaining()) {
      int b0 = in.get() & 0xFF;
      int b1 = in.get() & 0xFF;
      assertThat(b1 & 0x80).as("server frames are not masked").isZero();
      long length = b1 & 0x7F;
      if (length == 126) {
        length = in.getShort() & 0xFFFF;
        assertThat(length).as("minimal length encoding").isGreaterThanOrEqualTo(126);
      } else if (length == 127) {
        length = in.getLong();
        assertThat(length).as("minimal length encoding").isGreaterThan(0xFFFF);
      }
      assertThat(length).as("payload within the output").isLessThanOrEqualTo(in.remaining());
      byte[] payload = new byte[(int) length];
      in.get(payload);
      frames.add(new WsFrame(b0, payload));
    }
    return frames;
  }

  /** One {@code write} call seen by the endpoint. */
  private record Write(int buffers, long bytes, int frames, List<byte[]> arrays) {}

  /**
   * A {@link ByteArrayEndPoint} that records every write, can hold writes pending ({@link #blocked}),
   * hold at most {@link #capacity} bytes until they are taken, or fail its next flush ({@link #failure}).
   */
  private static final class TestEndPoint extends ByteArrayEndPoint {
    final List<Write> writes = new CopyOnWriteArrayList<>();
    volatile boolean blocked;
    volatile int capacity = Integer.MAX_VALUE;
    volatile IOException failure;

    @Override
    public void write(Callback callback, ByteBuffer... buffers) {
      long bytes = 0;
      List<byte[]> arrays = new ArrayList<>();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (ByteBuffer b : buffers) {
        bytes += b.remaining();
        arrays.add(b.hasArray() ? b.array() : null);
        all.writeBytes(BufferUtil.toArray(b.duplicate()));
      }
      writes.add(new Write(buffers.length, bytes, parse(all.toByteArray()).size(), arrays));
      super.write(callback, buffers);
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
      if (failure != null) {
        throw failure;
      }
      if (blocked) {
        return false;
      }
      int room = capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : capacity - getOutput().remaining();
      if (room == Integer.MAX_VALUE) {
        return super.flush(buffers);
      }
      for (ByteBuffer b : buffers) {
        if (room <= 0) {
          return false;
        }
        if (b.hasRemaining()) {
          int n = Math.min(room, b.remaining());
          ByteBuffer part = b.slice(b.position(), n);
          super.flush(part);
          b.position(b.position() + n);
          room -= n;
        }
      }
      return Arrays.stream(buffers).noneMatch(ByteBuffer::hasRemaining);
    }

    /** Lets the endpoint accept writes again and completes the pending one, as a selector would. */
    void release() {
      blocked = false;
      getWriteFlusher().completeWrite();
    }
  }

  /** A callback that records how it completed, and can take a snapshot when it does. */
  private static final class RecordingCallback implements Callback {
    final AtomicInteger successes = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final IntSupplier snapshot;
    volatile int snapshotAtCompletion = -1;

    RecordingCallback() {
      this(() -> -1);
    }

    RecordingCallback(IntSupplier snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public void succeeded() {
      snapshotAtCompletion = snapshot.getAsInt();
      successes.incrementAndGet();
    }

    @Override
    public void failed(Throwable cause) {
      snapshotAtCompletion = snapshot.getAsInt();
      failures.add(cause);
    }

    boolean notCompleted() {
      return successes.get() == 0 && failures.isEmpty();
    }

    boolean succeededOnce() {
      return successes.get() == 1 && failures.isEmpty();
    }

    /** The one failure (asserting there was exactly one, and no success). */
    Throwable failedOnce() {
      assertThat(successes.get()).as("successes").isZero();
      assertThat(failures).as("failures").hasSize(1);
      return failures.get(0);
    }
  }
}
