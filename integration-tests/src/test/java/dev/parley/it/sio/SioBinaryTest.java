package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static dev.parley.it.sio.SioJson.bytes;
import static dev.parley.it.sio.SioJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Args;
import dev.parley.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Binary with both official clients over each transport mode: byte[] and ByteBuffer at any depth, in
 * events and in acks, both ways, with exact bytes (every byte value, empty, large).
 */
class SioBinaryTest extends SioTestBase {
  record Upload(String name, byte[] data) {}

  /** Every byte value once: 0x00 .. 0xFF. */
  private static final byte[] ALL = new byte[256];
  private static final byte[] SMALL = {1, 2, 3};
  private static final byte[] OTHER = {(byte) 0xFF, 0, (byte) 0x80, 0x7F};

  static {
    for (int i = 0; i < ALL.length; i++) {
      ALL[i] = (byte) i;
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] reversed(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }

  private static Args get(java.util.concurrent.CompletableFuture<Args> f) throws Exception {
    return f.get(EventLog.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void binaryFromTheClientArrivesAtAnyDepthWithExactBytesAndGoesBackTheSame(ClientKind kind, TransportMode mode)
      throws Exception {
    List<Args> received = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> s.on("upload", (args, ack) -> {
      received.add(args);
      s.emit("upload-back", args.values().toArray());
    }));
    ClientSocket client = clients.connect(kind, mode, "/");
    Object[] sent = {
        ALL, Map.of("name", "a.bin", "data", SMALL),
        Map.of("nested", Map.of("list", List.of(OTHER, Map.of("deep", ALL)))), "text after"};

    client.emit("upload", sent);

    List<JsonNode> back = client.awaitEvent("upload-back").args();
    assertThat(received).hasSize(1);
    Args args = received.get(0);
    assertThat(args.size()).isEqualTo(4);
    assertThat(args.bytes(0)).isEqualTo(ALL);
    assertThat(args.get(0, byte[].class)).isEqualTo(ALL);
    Upload upload = args.get(1, Upload.class);
    assertThat(upload.name()).isEqualTo("a.bin");
    assertThat(upload.data()).isEqualTo(SMALL);
    assertThat(args.get(1).get("data").binaryValue()).isEqualTo(SMALL);
    assertThat(bytes(args.get(2).at("/nested/list/0"))).isEqualTo(OTHER);
    assertThat(bytes(args.get(2).at("/nested/list/1/deep"))).isEqualTo(ALL);
    assertThat(args.get(3).asText()).isEqualTo("text after");
    assertThat(args.bytes(3)).isNull();
    assertThat(back).containsExactlyElementsOf(SioJson.array(sent));
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void binaryFromTheServerArrivesAtAnyDepthWithExactBytes(ClientKind kind, TransportMode mode) {
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());
    ByteBuffer tail = ByteBuffer.wrap(ALL);
    tail.position(250);

    socket.emit("file", SMALL, tail, Map.of("data", ByteBuffer.wrap(OTHER)), new Upload("r.bin", ALL),
        List.of(List.of(SMALL), "x"));

    assertThat(tail.position()).as("the buffer's position is left alone").isEqualTo(250);
    ClientEvent file = client.awaitEvent("file");
    assertThat(file.args()).hasSize(5);
    assertThat(bytes(file.arg(0))).isEqualTo(SMALL);
    assertThat(bytes(file.arg(1))).isEqualTo(Arrays.copyOfRange(ALL, 250, 256));
    assertThat(bytes(file.arg(2).get("data"))).isEqualTo(OTHER);
    assertThat(file.arg(3).get("name").asText()).isEqualTo("r.bin");
    assertThat(bytes(file.arg(3).get("data"))).isEqualTo(ALL);
    assertThat(bytes(file.arg(4).at("/0/0"))).isEqualTo(SMALL);
    assertThat(file.arg(4).get(1).asText()).isEqualTo("x");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void binaryAcksWorkBothWays(ClientKind kind, TransportMode mode) throws Exception {
    server.io().onConnection(s -> s.on("reverse", (args, ack) -> {
      byte[] b = args.bytes(0);
      ack.send(reversed(b), Map.of("length", b.length, "copy", b));
    }));
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());
    client.autoAck("give-back", AutoAck.echo());
    client.autoAck("fixed", AutoAck.reply(new byte[] {9, 8, 7}, Map.of("b", OTHER)));

    List<JsonNode> answer = client.emitWithAck("reverse", ALL).await();
    assertThat(answer).hasSize(2);
    assertThat(bytes(answer.get(0))).isEqualTo(reversed(ALL));
    assertThat(answer.get(1).get("length").asInt()).isEqualTo(256);
    assertThat(bytes(answer.get(1).get("copy"))).isEqualTo(ALL);

    Args echoed = get(socket.emitWithAck("give-back", SMALL, Map.of("deep", List.of(ALL))));
    assertThat(echoed.bytes(0)).isEqualTo(SMALL);
    assertThat(bytes(echoed.get(1).at("/deep/0"))).isEqualTo(ALL);

    Args fixed = get(socket.emitWithAck("fixed"));
    assertThat(fixed.bytes(0)).isEqualTo(new byte[] {9, 8, 7});
    assertThat(fixed.get(1).get("b").binaryValue()).isEqualTo(OTHER);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void largeBinaryArrivesIntactBothWays(ClientKind kind, TransportMode mode) throws Exception {
    byte[] up = random(300_000, 1);
    byte[] down = random(250_000, 2);
    server.io().onConnection(s -> s.on("big", (args, ack) -> ack.send(args.bytes(0).length, args.bytes(0))));
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());

    List<JsonNode> answer = client.emitWithAck("big", up).await();
    socket.emit("big-down", down);

    assertThat(answer.get(0).asInt()).isEqualTo(up.length);
    assertThat(bytes(answer.get(1))).isEqualTo(up);
    assertThat(bytes(client.awaitEvent("big-down").arg(0))).isEqualTo(down);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anEmptyByteArrayIsBinaryBothWays(ClientKind kind, TransportMode mode) {
    List<Args> received = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> s.on("empty", (args, ack) -> {
      received.add(args);
      ack.send(new byte[0], "after");
    }));
    ClientSocket client = clients.connect(kind, mode, "/");

    List<JsonNode> answer = client.emitWithAck("empty", new byte[0], SMALL).await();

    assertThat(received.get(0).bytes(0)).isEmpty();
    assertThat(received.get(0).bytes(1)).isEqualTo(SMALL);
    assertThat(bytes(answer.get(0))).isEmpty();
    assertThat(answer.get(1).asText()).isEqualTo("after");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void tenAttachmentsAreAcceptedAndAnEleventhClosesTheConnection(ClientKind kind, TransportMode mode) {
    server.io().onConnection(s -> s.on("many", (args, ack) -> ack.send(args.size())));
    ClientSocket client = clients.connect(kind, mode, "/");
    List<Object> ten = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(new byte[] {(byte) i});
    }

    assertThat(client.emitWithAck("many", ten.toArray()).await()).containsExactly(json("10"));

    List<Object> eleven = new ArrayList<>(ten);
    eleven.add(new byte[] {10});
    client.emit("many", eleven.toArray());
    assertThat(server.awaitDisconnect(client.id())).isEqualTo("parse error");
    client.awaitDisconnect();
  }
}
