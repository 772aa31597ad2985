package dev.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EngineParseException;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioEncoder;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH microbenchmarks of the codecs on the paths the side-by-side benchmark drives: decoding an
 * incoming {@code broadcast} event (Engine.IO then Socket.IO), and encoding the outgoing {@code tick}
 * once per broadcast. Run with {@code scripts/bench.sh --jmh [JMH options]}; never by the build.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final ObjectMapper mapper = new ObjectMapper();
  private String incomingFrame;
  private EnginePacket incomingPacket;
  private SioDecoder decoder;
  private JsonNode tickArgs;
  private EnginePacket outgoing;

  @Setup
  public void setup() throws Exception {
    String payload = Scenarios.payload(100);
    incomingFrame = "42" + 17 + "[\"broadcast\",\"r\",\"" + payload + "\"]";
    incomingPacket = EngineCodec.decodeText(incomingFrame);
    decoder = new SioDecoder(mapper, 10);
    ArrayNode a = mapper.createArrayNode();
    a.add("tick").add(payload);
    tickArgs = a;
    outgoing = SioEncoder.encode(SioPacket.event("/", tickArgs, SioPacket.NO_ID), mapper).get(0);
  }

  /** Engine.IO: a WebSocket text frame to a packet. */
  @Benchmark
  public EnginePacket engineDecode() throws EngineParseException {
    return EngineCodec.decodeText(incomingFrame);
  }

  /** Socket.IO: the event packet (with ack id) to event name and arguments. */
  @Benchmark
  public SioPacket sioDecodeEvent() throws SioParseException {
    return decoder.add(incomingPacket);
  }

  /** Socket.IO: encoding the {@code tick} event, done once per broadcast. */
  @Benchmark
  public List<EnginePacket> sioEncodeTick() {
    return SioEncoder.encode(SioPacket.event("/", tickArgs, SioPacket.NO_ID), mapper);
  }

  /** Engine.IO: the text of one frame for one recipient (cached on the shared packet after the first). */
  @Benchmark
  public String engineEncodeShared() {
    return EngineCodec.encodeText(outgoing);
  }
}
