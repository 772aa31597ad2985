package dev.parley.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EnginePacket;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameWriter}'s production write path: a real Jetty {@link SocketChannelEndPoint} on loopback,
 * which it writes to straight through the socket channel, and a client {@link SocketChannel} that reads
 * (or does not) what arrives. Small socket buffers make the kernel take only part of a write, so the
 * rest goes through the endpoint's own write once the client reads. Checks the bytes the client gets
 * (every frame whole and in order), that several queued items leave together, what a close while a
 * write is under way does to every callback, and that every pooled buffer goes back.
 */
class FrameWriterSocketTest {
  private static final int BUFFER = 4096;
  private final ArrayByteBufferPool.Tracking pool = new ArrayByteBufferPool.Tracking();
  private final List<Throwable> writeFailures = new CopyOnWriteArrayList<>();
  private final CompletableFuture<EndPoint> accepted = new CompletableFuture<>();
  private Server server;
  private SocketChannel client;
  private EndPoint endPoint;
  private FrameWriter writer;

  @BeforeEach
  void connect() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server, 1, 1, new AbstractConnectionFactory("test") {
      @Override
      public Connection newConnection(Connector c, EndPoint e) {
        return new AbstractConnection(e, c.getExecutor()) {
          @Override
          public void onOpen() {
            super.onOpen();
            accepted.complete(getEndPoint()); // nothing reads: the test only writes
          }

          @Override
          public void onFillable() {}
        };
      }
    });
    connector.setHost("127.0.0.1");
    connector.setAcceptedSendBufferSize(BUFFER);
    server.addConnector(connector);
    server.start();
    client = SocketChannel.open();
    client.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER);
    client.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()));
    endPoint = accepted.get(10, TimeUnit.SECONDS);
    assertThat(endPoint.getClass()).as("the endpoint FrameWriter writes to directly").isEqualTo(SocketChannelEndPoint.class);
    writer = new FrameWriter(endPoint, pool, writeFailures::add);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.stop();
    assertThat(pool.getLeaks()).as(pool.dumpLeaks()).isEmpty();
  }

  @Test
  void aBatchIsWrittenWholeAsOneFrameEachAndItsCallbackSucceedsOnce() throws Exception {
    Recorder cb = new Recorder();
    writer.send(List.of(EnginePacket.message("a"), EnginePacket.message("é€"), EnginePacket.message(new byte[] {1, 2})), cb);

    List<byte[]> frames = read(3);
    assertThat(frames.get(0)).containsExactly('4', 'a');
    assertThat(new String(frames.get(1), StandardCharsets.UTF_8)).isEqualTo("4é€");
    assertThat(frames.get(2)).containsExactly(1, 2);
    cb.awaitSuccess();
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void aWriteTheSocketTakesOnlyInPartIsFinishedOnceTheClientReadsAndWhatQueuedMeanwhileFollowsInOrder()
      throws Exception {
    // 200 KB: far more than the two socket buffers hold while the client does not read
    List<EnginePacket> big = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      big.add(EnginePacket.message(i + ":" + "x".repeat(1_000)));
    }
    Recorder first = new Recorder();
    writer.send(big, first);
    assertThat(first.done()).as("a write the socket could not take whole is still under way").isFalse();

    // queued while the write is pending: small frames, a pong that jumps ahead of queued data
    List<Recorder> later = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Recorder r = new Recorder();
      later.add(r);
      writer.send(List.of(EnginePacket.message("later " + i)), r);
    }
    Recorder pong = new Recorder();
    writer.enqueue(new Frame(OpCode.PONG, "p"), pong);

    List<String> texts = read(200 + 50 + 1).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    // the batch leaves in parts of at most 64 KiB copied; the pong jumps ahead of what is still queued
    int pongAt = texts.indexOf("p");
    assertThat(pongAt).as("the pong, ahead of the data queued before it").isBetween(1, 200);
    List<String> data = new ArrayList<>(texts);
    data.remove(pongAt);
    for (int i = 0; i < 200; i++) {
      assertThat(data.get(i)).startsWith("4" + i + ":").hasSize(1 + (i + ":").length() + 1_000);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(data.get(200 + i)).isEqualTo("4later " + i);
    }
    first.awaitSuccess();
    pong.awaitSuccess();
    for (Recorder r : later) {
      r.awaitSuccess();
    }
    assertThat(writeFailures).isEmpty();
  }

  @Test
  void aLargePayloadGoesFromItsOwnBufferBetweenCopiedOnes() throws Exception {
    byte[] large = new byte[100_000];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i * 31);
    }
    Recorder cb = new Recorder();
    writer.send(List.of(EnginePacket.message("before"), EnginePacket.message(large), EnginePacket.message("after")), cb);

    List<byte[]> frames = read(3);
    assertThat(new String(frames.get(0), StandardCharsets.UTF_8)).isEqualTo("4before");
    assertThat(frames.get(1)).isEqualTo(large);
    assertThat(new String(frames.get(2), StandardCharsets.UTF_8)).isEqualTo("4after");
    cb.awaitSuccess();
  }

  @Test
  void aCloseWhileAWriteIsUnderWayFailsEveryCallbackOnceAndReportsNoWriteFailure() throws Exception {
    List<EnginePacket> big = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      big.add(EnginePacket.message("x".repeat(1_000)));
    }
    Recorder writing = new Recorder();
    writer.send(big, writing);
    assertThat(writing.done()).as("the client reads nothing: the write is under way").isFalse();
    Recorder queued = new Recorder();
    writer.send(List.of(EnginePacket.message("queued")), queued);

    // what happens when the endpoint closes: it fails the write under way (on this thread), then Jetty
    // tells the connection, which tells the writer
    EofException cause = new EofException("closed");
    endPoint.close(cause);
    writer.onClose(cause);

    assertThat(writing.awaitFailure()).isSameAs(cause);
    assertThat(queued.awaitFailure()).isSameAs(cause);
    Recorder late = new Recorder();
    writer.send(List.of(EnginePacket.message("late")), late);
    assertThat(late.awaitFailure()).isSameAs(cause);
    assertThat(List.of(writing, queued, late)).allMatch(r -> r.calls() == 1);
    assertThat(writeFailures).as("the failed write, reported once with the close's cause").containsExactly(cause);
  }

  /** Reads until {@code n} whole frames came; returns their payloads (unmasked server frames). */
  private List<byte[]> read(int n) throws IOException {
    List<byte[]> frames = new ArrayList<>();
    ByteBuffer in = ByteBuffer.allocate(1 << 20);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (frames.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + frames.size() + " of " + n + " frames arrived");
      }
      if (client.read(in) < 0) {
        throw new EOFException("closed after " + frames.size() + " frames");
      }
      in.flip();
      while (frames.size() < n && in.remaining() >= 2) {
        in.mark();
        in.get(); // b0
        int len = in.get() & 0x7F;
        long length = len;
        if (len == 126) {
          if (in.remaining() < 2) {
            in.reset();
            break;
          }
          length = in.getShort() & 0xFFFF;
        } else if (len == 127) {
          if (in.remaining() < 8) {
            in.reset();
            break;
          }
          length = in.getLong();
        }
        if (in.remaining() < length) {
          in.reset();
          break;
        }
        byte[] payload = new byte[(int) length];
        in.get(payload);
        frames.add(payload);
      }
      in.compact();
    }
    return frames;
  }

  /** A callback that records its completions, any thread. */
  private static final class Recorder implements Callback {
    private final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void succeeded() {
      calls.incrementAndGet();
      outcome.complete(null);
    }

    @Override
    public void failed(Throwable cause) {
      calls.incrementAndGet();
      outcome.complete(cause);
    }

    boolean done() {
      return outcome.isDone();
    }

    int calls() {
      return calls.get();
    }

    void awaitSuccess() throws Exception {
      assertThat(outcome.get(10, TimeUnit.SECONDS)).isNull();
      assertThat(calls()).isEqualTo(1);
    }

    Throwable awaitFailure() throws Exception {
      Throwable t = outcome.get(10, TimeUnit.SECONDS);
      assertThat(t).isNotNull();
      return t;
    }
  }
}
