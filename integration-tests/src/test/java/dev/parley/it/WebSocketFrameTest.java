package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import dev.parley.transport.jetty.WebSocketPath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 at the frame level, against Parley's own WebSocket connection ({@code FrameConnection}, the
 * fast path, forced here) on a real Jetty: what a server must refuse (unmasked frames, RSV bits, unknown opcodes, long or
 * fragmented control frames, bad close payloads), the close handshake from either side, pings, and
 * frames that do not line up with reads (many per read, one across many reads, frames sent right
 * behind the upgrade request).
 */
class WebSocketFrameTest {
  private static final String PATH = "/engine.io/?EIO=4&transport=websocket";
  private final Resources cleanup = new Resources();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  private TestServer server() {
    TestServer server = TestServer.start(EngineOptions.builder().build(), WebSocketPath.FAST);
    cleanup.add(server);
    return server;
  }

  private RawWebSocket open(TestServer server) throws Exception {
    RawWebSocket ws = RawWebSocket.open(server.port(), PATH);
    cleanup.add(ws);
    return ws;
  }

  private static String sid(RawWebSocket ws) throws Exception {
    String open = ws.readText();
    assertThat(open).startsWith("0{");
    return Http.json(open.substring(1)).get("sid").asText();
  }

  /** Sends {@code bytes} as they are and expects a close frame with {@code code}, then the end of the stream. */
  private void assertRefused(TestServer server, byte[] bytes, int code, String why) throws Exception {
    RawWebSocket ws = open(server);
    String sid = sid(ws);
    ws.raw(bytes).flush();
    RawWebSocket.Message close = ws.readMessage();
    assertThat(close.closeCode()).as(why).isEqualTo(code);
    // the code and no reason, as the reference (ws) closes; the detail is logged
    assertThat(close.payload()).as(why + ": no reason").hasSize(2);
    assertThat(ws.endOfStream()).as(why + ": the connection ends").isTrue();
    assertThat(server.awaitClose(sid)).as(why).isEqualTo("transport error");
  }

  /** Reads messages up to the server's close frame (the Engine.IO close packet may come first). */
  private static RawWebSocket.Message readUntilClose(RawWebSocket ws) throws Exception {
    RawWebSocket.Message m = ws.readMessage();
    while (!m.isClose()) {
      m = ws.readMessage();
    }
    return m;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  @Test
  void framesAServerMustRefuseCloseWith1002AndABadCloseReasonWith1007() throws Exception {
    TestServer server = server();
    assertRefused(server, new byte[] {(byte) 0x81, 0x02, '4', 'x'}, 1002, "an unmasked frame");
    byte[] rsv = RawWebSocket.encode(true, RawWebSocket.TEXT, "4x".getBytes(StandardCharsets.UTF_8));
    rsv[0] |= 0x40;
    assertRefused(server, rsv, 1002, "RSV1 without a negotiated extension");
    assertRefused(server, RawWebSocket.encode(true, 0x3, new byte[] {1}), 1002, "a reserved data opcode");
    assertRefused(server, RawWebSocket.encode(true, 0xB, new byte[0]), 1002, "a reserved control opcode");
    assertRefused(server, RawWebSocket.encode(true, RawWebSocket.PING, new byte[126]), 1002,
        "a ping longer than 125 bytes");
    assertRefused(server, RawWebSocket.encode(false, RawWebSocket.PING, new byte[] {1}), 1002, "a fragmented ping");
    assertRefused(server, new byte[] {(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}, 1002,
        "a 64-bit length with its most significant bit set");
    assertRefused(server, RawWebSocket.encode(true, RawWebSocket.CLOSE, new byte[] {3}), 1002,
        "a close frame with a one-byte payload");
    assertRefused(server, RawWebSocket.encode(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xED}), 1002,
        "close code 1005, which is never sent");
    assertRefused(server, RawWebSocket.encode(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE7}), 1002,
        "close code 999");
    assertRefused(server, RawWebSocket.encode(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, (byte) 0xC3, 0x28}),
        1007, "a close reason that is not UTF-8");
  }

  @Test
  void aDeclaredLengthPastTheLimitClosesWith1009BeforeThePayloadComes() throws Exception {
    TestServer server = cleanup.add(TestServer.start(EngineOptions.builder().maxHttpBufferSize(1000).build(),
        WebSocketPath.FAST));
    // the header alone: a 1 GiB binary frame whose payload never comes
    assertRefused(server, new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4}, 1009,
        "a frame declared larger than maxHttpBufferSize");
  }

  @Test
  void aCloseFrameFromTheClientIsAnsweredWithItsCodeAndTheSessionEndsAsATransportClose() throws Exception {
    TestServer server = server();
    RawWebSocket ws = open(server);
    String sid = sid(ws);
    ws.frame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}).flush();
    assertThat(ws.readMessage().closeCode()).isEqualTo(1000);
    assertThat(ws.endOfStream()).isTrue();
    assertThat(server.awaitClose(sid)).isEqualTo("transport close");

    RawWebSocket going = open(server);
    String goingSid = sid(going);
    going.frame(true, RawWebSocket.CLOSE, new byte[0]).flush();
    assertThat(going.readMessage().isClose()).as("an empty close frame is answered too").isTrue();
    assertThat(going.endOfStream()).isTrue();
    assertThat(server.awaitClose(goingSid)).isEqualTo("transport close");

    // a page going away (1001) and an application's own code (4000) are closes too, not errors
    for (int code : new int[] {1001, 4000}) {
      RawWebSocket leaving = open(server);
      String leavingSid = sid(leaving);
      leaving.frame(true, RawWebSocket.CLOSE, new byte[] {(byte) (code >> 8), (byte) code}).flush();
      assertThat(leaving.readMessage().closeCode()).isEqualTo(code);
      assertThat(server.awaitClose(leavingSid)).as("close code %d", code).isEqualTo("transport close");
    }
  }

  @Test
  void theServersCloseFrameIsFollowedByTheEndOnceTheClientAnswers() throws Exception {
    TestServer server = server();
    RawWebSocket ws = open(server);
    String sid = sid(ws);
    server.session(sid).close();
    // a close frame without a code, as the reference's ws.close() sends it
    RawWebSocket.Message close = readUntilClose(ws);
    assertThat(close.closeCode()).isEqualTo(1005);
    assertThat(close.payload()).isEmpty();
    ws.frame(true, RawWebSocket.TEXT, "4ignored after the close".getBytes(StandardCharsets.UTF_8));
    ws.frame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}).flush();
    assertThat(ws.endOfStream()).isTrue();
    assertThat(server.awaitClose(sid)).isEqualTo("forced close");
  }

  @Test
  void aClientThatNeverAnswersTheServersCloseFrameIsClosedAfterTheCloseTimeoutEvenIfItKeepsSending()
      throws Exception {
    TestServer server = server();
    RawWebSocket ws = open(server);
    String sid = sid(ws);
    server.session(sid).close();
    readUntilClose(ws);
    long start = System.nanoTime();
    boolean ended = false;
    // pings and data (ignored after the close) every 200 ms would keep resetting an idle timeout
    while (!ended && System.nanoTime() - start < 15_000_000_000L) {
      try {
        ws.frame(true, RawWebSocket.PING, new byte[] {1});
        ws.frame(true, RawWebSocket.TEXT, "4still talking".getBytes(StandardCharsets.UTF_8)).flush();
        Thread.sleep(200);
      } catch (java.io.IOException e) {
        ended = true; // reset by the server
      }
    }
    assertThat(ended || ws.endOfStream()).as("closed by the server while the client kept sending").isTrue();
    assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the server closed").isLessThan(12_000);
  }

  @Test
  void framesAndACloseFrameSentWithTheUpgradeRequestBeforeTheClientEndsItsOutputAreAllRead() throws Exception {
    TestServer server = server();
    byte[] early = concat(RawWebSocket.encode(true, RawWebSocket.TEXT, "4hello".getBytes(StandardCharsets.UTF_8)),
        RawWebSocket.encode(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}));
    RawWebSocket ws = RawWebSocket.open(server.port(), PATH, 0, early);
    cleanup.add(ws);
    ws.shutdownOutput();
    // the OPEN packet may or may not leave before the answer to the close frame: the session is the server's
    String sid = server.awaitConnection().sid();
    server.events().awaitFirst(e -> e.is("message", sid) && "hello".equals(e.packet().text()), "the early message");
    assertThat(readUntilClose(ws).closeCode()).as("the early close frame is answered").isEqualTo(1000);
    assertThat(server.awaitClose(sid)).isEqualTo("transport close");
  }

  @Test
  void aPingIsAnsweredWithAPongCarryingItsPayload() throws Exception {
    TestServer server = server();
    RawWebSocket ws = open(server);
    sid(ws);
    byte[] payload = "are you there?".getBytes(StandardCharsets.UTF_8);
    ws.frame(true, RawWebSocket.PING, payload).flush();
    RawWebSocket.Frame pong = ws.readFrame();
    assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
    assertThat(pong.payload()).isEqualTo(payload);
    ws.frame(true, RawWebSocket.PONG, new byte[] {7}).flush(); // an unsolicited pong is ignored
    ws.sendText("4still here");
    assertThat(ws.readText()).isEqualTo("4still here");
  }

  @Test
  void framesThatDoNotLineUpWithReadsAreAllDeliveredInOrder() throws Exception {
    TestServer server = server();
    // frames sent in the same write as the upgrade request
    byte[] early = concat(RawWebSocket.encode(true, RawWebSocket.TEXT, "4first".getBytes(StandardCharsets.UTF_8)),
        RawWebSocket.encode(true, RawWebSocket.TEXT, "4second".getBytes(StandardCharsets.UTF_8)));
    RawWebSocket ws = RawWebSocket.open(server.port(), PATH, 0, early);
    cleanup.add(ws);
    sid(ws);
    assertThat(ws.readText()).isEqualTo("4first");
    assertThat(ws.readText()).isEqualTo("4second");

    // three hundred frames of many sizes in one write: headers and payloads straddle the reads
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      char[] body = new char[(i * 37) % 700];
      Arrays.fill(body, (char) ('a' + i % 26));
      String text = "4" + i + ":" + new String(body);
      sent.add(text);
      ws.frame(true, RawWebSocket.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }
    ws.flush();
    for (String text : sent) {
      assertThat(ws.readText()).isEqualTo(text);
    }

    // one frame far larger than a read, in small pieces
    char[] big = new char[200_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (char) ('a' + i % 26);
    }
    String bigText = "4" + new String(big);
    byte[] frame = RawWebSocket.encode(true, RawWebSocket.TEXT, bigText.getBytes(StandardCharsets.UTF_8));
    for (int at = 0; at < frame.length; at += 7_001) {
      ws.raw(Arrays.copyOfRange(frame, at, Math.min(frame.length, at + 7_001))).flush();
    }
    assertThat(ws.readText()).isEqualTo(bigText);

    // a large binary message in fragments, with a ping between them
    byte[] binary = new byte[50_000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    ws.frame(false, RawWebSocket.BINARY, Arrays.copyOfRange(binary, 0, 20_000));
    ws.frame(true, RawWebSocket.PING, new byte[] {1});
    ws.frame(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(binary, 20_000, binary.length)).flush();
    RawWebSocket.Message echoed = ws.readMessage();
    assertThat(echoed.opcode()).isEqualTo(RawWebSocket.BINARY);
    assertThat(echoed.payload()).isEqualTo(binary);

    // a frame cut after its header and a byte, the rest a while later: a read that leaves room in the
    // buffer goes back to the selector without a second read, and the partial frame waits for the rest
    byte[] cut = RawWebSocket.encode(true, RawWebSocket.TEXT, "4cut in two".getBytes(StandardCharsets.UTF_8));
    ws.raw(Arrays.copyOfRange(cut, 0, 7)).flush();
    Thread.sleep(150);
    ws.raw(Arrays.copyOfRange(cut, 7, cut.length)).flush();
    assertThat(ws.readText()).isEqualTo("4cut in two");
  }

  @Test
  void withPerMessageDeflateOnAnOfferingClientGetsJettysConnectionAndCompressedFrames() throws Exception {
    TestServer server = TestServer.start(EngineOptions.builder().perMessageDeflate(true).build());
    cleanup.add(server);
    RawWebSocket ws = RawWebSocket.open(server.port(), PATH, 0, new byte[0],
        "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    cleanup.add(ws);
    assertThat(ws.handshakeResponse().toLowerCase(java.util.Locale.ROOT))
        .contains("sec-websocket-extensions: permessage-deflate");
    String text = "4" + "compress me ".repeat(100);
    ws.frame(true, RawWebSocket.TEXT, text.getBytes(StandardCharsets.UTF_8)).flush(); // uncompressed is allowed
    List<String> seen = new ArrayList<>();
    while (!seen.contains(text)) {
      RawWebSocket.Frame f = ws.readFrame();
      assertThat(f.opcode()).isEqualTo(RawWebSocket.TEXT);
      byte[] payload = f.payload();
      if (f.compressed()) {
        payload = RawWebSocket.inflate(payload);
      }
      seen.add(new String(payload, StandardCharsets.UTF_8));
    }
    assertThat(seen.get(0)).startsWith("0{");
    assertThat(seen).contains(text);

    // Jetty's connection reports a client's close with an application code as a close too
    String deflateSid = Http.json(seen.get(0).substring(1)).get("sid").asText();
    ws.frame(true, RawWebSocket.CLOSE, new byte[] {(byte) (4000 >> 8), (byte) 4000}).flush();
    assertThat(server.awaitClose(deflateSid)).isEqualTo("transport close");

    // a client that offers nothing gets no extension from the same server (and Parley's connection)
    RawWebSocket plain = open(server);
    assertThat(plain.handshakeResponse().toLowerCase(java.util.Locale.ROOT)).doesNotContain("sec-websocket-extensions");
    sid(plain);
    plain.sendText("4plain");
    assertThat(plain.readText()).isEqualTo("4plain");
  }
}
