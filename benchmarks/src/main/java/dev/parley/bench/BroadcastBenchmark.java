package dev.parley.bench;

import dev.parley.SocketIoServer;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.engine.Transport;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.ManualScheduler;
import dev.parley.testing.WebSocketStub;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH microbenchmarks of the broadcast path, in-process and without sockets: {@code
 * io.to("room").emit("tick", payload)} to {@code recipients} connected sockets, through the real
 * {@link SocketIoServer}, namespace, in-memory adapter and {@link EngineSession}s (encode once, queue on
 * every outbox, flush every session after the loop), down to a {@link Transport} whose writes complete
 * at once.
 *
 * <p>Everything runs on the benchmark thread: the server's executor runs each task where it is
 * submitted, so a room above 64 recipients, which the server splits over its pool, is flushed here
 * too, and the score is the CPU cost of the whole broadcast on one thread. Timers never fire.
 *
 * <p>The primary score is ns per broadcast; the secondary {@code recipients} score is ns per
 * recipient (the same time divided by {@code recipients}). With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is bytes per broadcast. {@code transport}: {@code count} only adds up each
 * packet's cached wire size (the Parley part alone); {@code frame} also does what a WebSocket transport
 * does per packet without Jetty: takes the packet's cached UTF-8 bytes ({@link EngineCodec#encodeTextUtf8})
 * or its binary, wraps them in a {@code ByteBuffer} and writes the frame header.
 *
 * <p>Run with {@code scripts/bench.sh --jmh [JMH options]}; never by the build.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BroadcastBenchmark {
  private static final String ROOM = "room";

  @Param({"1", "100", "1000"})
  public int recipients;

  @Param({"count", "frame"})
  public String transport;

  private SocketIoServer io;
  private final List<CountingTransport> transports = new ArrayList<>();
  private String payload;
  private byte[] attachment;

  /** The recipients reached, as a second score: JMH divides the time by it (ns per recipient). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class PerRecipient {
    public long recipients;

    @Setup(Level.Iteration)
    public void reset() {
      recipients = 0;
    }
  }

  @Setup(Level.Trial)
  public void setup() {
    payload = Scenarios.payload(100);
    attachment = new byte[100];
    for (int i = 0; i < attachment.length; i++) {
      attachment[i] = (byte) i;
    }
    io = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(new ManualScheduler()) // never advanced: no heartbeats or timeouts during a run
        .build();
    io.onConnection(socket -> socket.join(ROOM));
    boolean frames = "frame".equals(transport);
    for (int i = 0; i < recipients; i++) {
      CountingTransport t = new CountingTransport(frames);
      io.engine().handshake(t,
          EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket").build());
      t.receive("40"); // connect to "/": the connection handler joins the room
      transports.add(t);
    }
    // every recipient must get exactly one frame per packet of each broadcast
    check("a text broadcast", () -> io.to(ROOM).emit("tick", payload), 1);
    check("a broadcast with one attachment", () -> io.to(ROOM).emit("tick", payload, attachment), 2);
  }

  private void check(String what, Runnable broadcast, int framesEach) {
    for (CountingTransport t : transports) {
      t.frames = 0;
    }
    broadcast.run();
    for (CountingTransport t : transports) {
      if (t.frames != framesEach) {
        throw new IllegalStateException(what + " reached a recipient with " + t.frames + " frames, not " + framesEach);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (io != null) {
      io.close();
    }
    transports.clear();
  }

  /** {@code io.to("room").emit("tick", payload)}: a 100-character string, one text frame per recipient. */
  @Benchmark
  public void emit(PerRecipient counter) {
    io.to(ROOM).emit("tick", payload);
    counter.recipients += recipients;
  }

  /**
   * {@code io.to("room").emit("tick", payload, bytes)} with 100 bytes: a header packet and one binary
   * attachment, two frames per recipient.
   */
  @Benchmark
  public void emitWithAttachment(PerRecipient counter) {
    io.to(ROOM).emit("tick", payload, attachment);
    counter.recipients += recipients;
  }

  /** A WebSocket-like transport whose writes complete at once (core's test stub); it counts frames and bytes. */
  static final class CountingTransport extends WebSocketStub {
    private final boolean frameMode;
    private final byte[] header = new byte[10];
    int frames;
    long bytes;
    /** The last frame payload, kept so the wrapping buffer is not optimised away (Jetty holds it in a Frame). */
    ByteBuffer last;

    CountingTransport(boolean frameMode) {
      this.frameMode = frameMode;
    }

    @Override
    public void send(List<EnginePacket> packets) {
      for (int i = 0, n = packets.size(); i < n; i++) {
        EnginePacket p = packets.get(i);
        frames++;
        if (frameMode) {
          ByteBuffer payload = p.isBinary() ? ByteBuffer.wrap(p.binary()) : ByteBuffer.wrap(EngineCodec.encodeTextUtf8(p));
          last = payload;
          bytes += header(p.isBinary() ? 0x2 : 0x1, payload.remaining()) + payload.remaining();
        } else {
          bytes += p.wireSize();
        }
      }
    }

    /** Writes a server-to-client (unmasked, final) frame header; returns its length. */
    private int header(int opcode, int length) {
      header[0] = (byte) (0x80 | opcode);
      if (length < 126) {
        header[1] = (byte) length;
        return 2;
      }
      if (length < 65536) {
        header[1] = 126;
        header[2] = (byte) (length >>> 8);
        header[3] = (byte) length;
        return 4;
      }
      header[1] = 127;
      for (int i = 0; i < 8; i++) {
        header[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
      }
      return 10;
    }
  }
}
