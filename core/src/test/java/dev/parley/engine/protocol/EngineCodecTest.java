package dev.parley.engine.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.EnginePacketType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Byte and string vectors for the pure Engine.IO v4 codec (PROTOCOL.md §1.2, §1.6, §1.7). */
class EngineCodecTest {
  private static final byte[] ONE_TO_FOUR = {1, 2, 3, 4};

  // ------------------------------------------------------------------ single text packets

  @ParameterizedTest
  @CsvSource({
      "OPEN, '{\"sid\":\"x\"}', '0{\"sid\":\"x\"}'",
      "CLOSE, '', 1",
      "PING, '', 2",
      "PONG, '', 3",
      "MESSAGE, hello, 4hello",
      "UPGRADE, '', 5",
      "NOOP, '', 6",
      "PING, probe, 2probe",
      "PONG, probe, 3probe",
  })
  void encodesAndDecodesEveryPacketType(EnginePacketType type, String text, String wire) throws Exception {
    EnginePacket packet = EnginePacket.of(type, text);

    assertThat(EngineCodec.encodeText(packet)).isEqualTo(wire);
    EnginePacket decoded = EngineCodec.decodeText(wire);
    assertThat(decoded.type()).isEqualTo(type);
    assertThat(decoded.text()).isEqualTo(text);
    assertThat(decoded.isBinary()).isFalse();
    assertThat(decoded).isEqualTo(packet);
  }

  @Test
  void digitsMapToTypesInOrder() {
    assertThat(EnginePacketType.values()).extracting(EnginePacketType::digit)
        .containsExactly('0', '1', '2', '3', '4', '5', '6');
    for (EnginePacketType type : EnginePacketType.values()) {
      assertThat(EnginePacketType.fromDigit(type.digit())).isSameAs(type);
    }
    assertThat(EnginePacketType.fromDigit('7')).isNull();
    assertThat(EnginePacketType.fromDigit('/')).isNull();
    assertThat(EnginePacketType.fromDigit('b')).isNull();
  }

  @Test
  void constantsHaveTheirWireForm() {
    assertThat(EngineCodec.encodeText(EnginePacket.CLOSE)).isEqualTo("1");
    assertThat(EngineCodec.encodeText(EnginePacket.PING)).isEqualTo("2");
    assertThat(EngineCodec.encodeText(EnginePacket.PONG)).isEqualTo("3");
    assertThat(EngineCodec.encodeText(EnginePacket.PING_PROBE)).isEqualTo("2probe");
    assertThat(EngineCodec.encodeText(EnginePacket.PONG_PROBE)).isEqualTo("3probe");
    assertThat(EngineCodec.encodeText(EnginePacket.UPGRADE)).isEqualTo("5");
    assertThat(EngineCodec.encodeText(EnginePacket.NOOP)).isEqualTo("6");
    assertThat(EngineCodec.encodeText(EnginePacket.open("{}"))).isEqualTo("0{}");
    assertThat(EngineCodec.encodeText(EnginePacket.message(""))).isEqualTo("4");
  }

  @Test
  void decodesMessageHello() throws Exception {
    EnginePacket p = EngineCodec.decodeText("4hello");

    assertThat(p.type()).isEqualTo(EnginePacketType.MESSAGE);
    assertThat(p.text()).isEqualTo("hello");
    assertThat(p.binary()).isNull();
  }

  @Test
  void decodesProbe() throws Exception {
    EnginePacket p = EngineCodec.decodeText("2probe");

    assertThat(p.type()).isEqualTo(EnginePacketType.PING);
    assertThat(p.text()).isEqualTo("probe");
    assertThat(p).isEqualTo(EnginePacket.PING_PROBE);
  }

  @Test
  void decodesBarePingAsTheEmptyPing() throws Exception {
    EnginePacket p = EngineCodec.decodeText("2");

    assertThat(p).isEqualTo(EnginePacket.PING);
    assertThat(p.text()).isEmpty();
  }

  @Test
  void messagePayloadIsKeptVerbatimIncludingDigitsAndSpaces() throws Exception {
    EnginePacket p = EngineCodec.decodeText("42[\"event\", 1 ,\"x\"]  ");

    assertThat(p.type()).isEqualTo(EnginePacketType.MESSAGE);
    assertThat(p.text()).isEqualTo("2[\"event\", 1 ,\"x\"]  ");
  }

  @Test
  void emptyTextIsAParseError() {
    assertThatThrownBy(() -> EngineCodec.decodeText(""))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("empty packet");
  }

  @ParameterizedTest
  @CsvSource({
      "abc, invalid packet type 'a'",
      "7, invalid packet type '7'",
      "7hello, invalid packet type '7'",
      "' 4hello', invalid packet type ' '",
      "/, invalid packet type '/'",
  })
  void invalidTypeIsAParseError(String text, String message) {
    assertThatThrownBy(() -> EngineCodec.decodeText(text))
        .isInstanceOf(EngineParseException.class)
        .hasMessage(message);
  }

  @Test
  void textStartingWithBIsABase64BinaryMessage() throws Exception {
    // what a client with forceBase64 sends over a WebSocket, as a text frame
    assertThat(EngineCodec.decodeText("bAQIDBA==").binary()).containsExactly(1, 2, 3, 4);
    assertThat(EngineCodec.decodeText("b").binary()).isEmpty();
    assertThatThrownBy(() -> EngineCodec.decodeText("b!!!!"))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("invalid base64 in binary packet");
  }

  @Test
  void binaryEncodesAsBase64TextForB64Clients() {
    assertThat(new String(EngineCodec.encodeBase64Utf8(EnginePacket.message(new byte[] {1, 2, 3, 4})),
        java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("bAQIDBA==");
  }

  @Test
  void nonPrintableTypeCharacterIsEscapedInTheMessage() {
    assertThatThrownBy(() -> EngineCodec.decodeText("\u001e4"))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("invalid packet type '\\u001e'");
  }

  @Test
  void utf8MultibyteTextSurvivesTextRoundTrip() throws Exception {
    String text = "héllo – € 日本 😀";
    String wire = EngineCodec.encodeText(EnginePacket.message(text));

    assertThat(wire).isEqualTo("4" + text);
    assertThat(EngineCodec.decodeText(wire).text()).isEqualTo(text);
    // the wire string round-trips through UTF-8 bytes unchanged (4-byte emoji included)
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    // 4 + h é(2) l l o + ' ' + –(3) + ' ' + €(3) + ' ' + 日本(6) + ' ' + 😀(4)
    assertThat(bytes).hasSize(1 + 6 + 1 + 3 + 1 + 3 + 1 + 6 + 1 + 4);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(wire);
  }

  @Test
  void encodeTextOfBinaryPacketThrows() {
    assertThatThrownBy(() -> EngineCodec.encodeText(EnginePacket.message(ONE_TO_FOUR)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void binaryFrameIsAMessageWithTheSameBytes() {
    EnginePacket p = EngineCodec.decodeBinary(ONE_TO_FOUR);

    assertThat(p.type()).isEqualTo(EnginePacketType.MESSAGE);
    assertThat(p.isBinary()).isTrue();
    assertThat(p.text()).isNull();
    assertThat(p.binary()).containsExactly(1, 2, 3, 4);
  }

  // ------------------------------------------------------------------ payloads

  @Test
  void encodesOnePacketPayloadWithoutSeparator() {
    assertThat(EngineCodec.encodePayload(List.of(EnginePacket.message("hello")))).isEqualTo("4hello");
    assertThat(EngineCodec.encodePayload(List.of(EnginePacket.PING))).isEqualTo("2");
    assertThat(EngineCodec.encodePayload(List.of(EnginePacket.message(ONE_TO_FOUR)))).isEqualTo("bAQIDBA==");
  }

  @Test
  void joinsPacketsWithRecordSeparator() {
    String payload = EngineCodec.encodePayload(
        List.of(EnginePacket.message("hello"), EnginePacket.PING, EnginePacket.message("world")));

    assertThat(payload).isEqualTo("4hello\u001e2\u001e4world");
  }

  @Test
  void encodesBinaryAsBPlusBase64() {
    String payload = EngineCodec.encodePayload(
        List.of(EnginePacket.message("hello"), EnginePacket.message(ONE_TO_FOUR)));

    assertThat(payload).isEqualTo("4hello\u001ebAQIDBA==");
  }

  @Test
  void encodesLongBinaryAsPlainBase64WithoutLineBreaks() {
    byte[] data = sequence(200);
    String payload = EngineCodec.encodePayload(List.of(EnginePacket.message("x"), EnginePacket.message(data)));

    assertThat(payload).isEqualTo("4x\u001eb" + Base64.getEncoder().encodeToString(data));
    assertThat(payload).doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void splitsPayloadOnRecordSeparator() throws Exception {
    List<EnginePacket> packets = EngineCodec.decodePayload("4hello\u001e2\u001e4world");

    assertThat(packets).containsExactly(EnginePacket.message("hello"), EnginePacket.PING,
        EnginePacket.message("world"));
  }

  @Test
  void decodesAPayloadInPartsOfAtLeastMaxCharsEndingAtAPacket() throws Exception {
    String payload = "4hello\u001e2\u001e4world\u001e4!";
    List<EnginePacket> got = new ArrayList<>();

    int next = EngineCodec.decodePayload(payload, 0, 7, got::add);    // "4hello" (6) + separator: 7
    assertThat(got).containsExactly(EnginePacket.message("hello"));
    assertThat(next).isEqualTo(7);
    next = EngineCodec.decodePayload(payload, next, 3, got::add);      // "2", then "4world" reaches 3
    assertThat(got).hasSize(3);
    next = EngineCodec.decodePayload(payload, next, 1_000, got::add);  // the rest
    assertThat(next).isEqualTo(-1);
    assertThat(got).containsExactly(EnginePacket.message("hello"), EnginePacket.PING,
        EnginePacket.message("world"), EnginePacket.message("!"));
    assertThat(EngineCodec.decodePayload("4one-long-packet", 0, 1, p -> {})).as("one packet at least")
        .isEqualTo(-1);
  }

  @Test
  void decodesTextAndBinaryPayload() throws Exception {
    List<EnginePacket> packets = EngineCodec.decodePayload("4hello\u001ebAQIDBA==");

    assertThat(packets).hasSize(2);
    assertThat(packets.get(0).text()).isEqualTo("hello");
    assertThat(packets.get(0).isBinary()).isFalse();
    assertThat(packets.get(1).type()).isEqualTo(EnginePacketType.MESSAGE);
    assertThat(packets.get(1).isBinary()).isTrue();
    assertThat(packets.get(1).binary()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void decodesSinglePacketPayload() throws Exception {
    assertThat(EngineCodec.decodePayload("4hello")).containsExactly(EnginePacket.message("hello"));
    assertThat(EngineCodec.decodePayload("1")).containsExactly(EnginePacket.CLOSE);
    assertThat(EngineCodec.decodePayload("bAQIDBA==")).singleElement()
        .satisfies(p -> assertThat(p.binary()).containsExactly(1, 2, 3, 4));
  }

  @Test
  void decodesUnpaddedBase64() throws Exception {
    assertThat(EngineCodec.decodePayload("bAQIDBA")).singleElement()
        .satisfies(p -> assertThat(p.binary()).containsExactly(1, 2, 3, 4));
  }

  @Test
  void bareBIsAnEmptyBinaryMessage() throws Exception {
    assertThat(EngineCodec.decodePayload("4a\u001eb")).satisfiesExactly(
        p -> assertThat(p.text()).isEqualTo("a"),
        p -> assertThat(p.binary()).isEmpty());
  }

  @Test
  void payloadRoundTripsMixedPackets() throws Exception {
    List<EnginePacket> in = List.of(
        EnginePacket.open("{\"sid\":\"abc\"}"),
        EnginePacket.message("héllo 😀"),
        EnginePacket.message(sequence(300)),
        EnginePacket.PING,
        EnginePacket.message(new byte[0]),
        EnginePacket.message(""),
        EnginePacket.NOOP,
        EnginePacket.CLOSE);

    assertThat(EngineCodec.decodePayload(EngineCodec.encodePayload(in))).containsExactlyElementsOf(in);
  }

  @Test
  void decodesJavaClientBase64WithTrailingNewline() throws Exception {
    // io.socket engine.io-client 2.x (Android Base64, DEFAULT flags) writes [1,2,3,4] as "AQIDBA==\n"
    List<EnginePacket> packets = EngineCodec.decodePayload("4hello\u001ebAQIDBA==\n");

    assertThat(packets).hasSize(2);
    assertThat(packets.get(1).binary()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void decodesJavaClientBase64WithNewlineEvery76Characters() throws Exception {
    byte[] data = sequence(1000);
    String mime = javaClientBase64(data);
    assertThat(mime).contains("\n");
    assertThat(mime.split("\n")[0]).hasSize(76);
    assertThat(mime).endsWith("\n");

    List<EnginePacket> packets = EngineCodec.decodePayload("4before\u001eb" + mime + "\u001e4after");

    assertThat(packets).hasSize(3);
    assertThat(packets.get(0).text()).isEqualTo("before");
    assertThat(packets.get(1).binary()).isEqualTo(data);
    assertThat(packets.get(2).text()).isEqualTo("after");
  }

  @Test
  void decodesBase64WithCrLfLineBreaks() throws Exception {
    byte[] data = sequence(120);
    String crlf = Base64.getMimeEncoder().encodeToString(data) + "\r\n";
    assertThat(crlf).contains("\r\n");

    assertThat(EngineCodec.decodePayload("b" + crlf)).singleElement()
        .satisfies(p -> assertThat(p.binary()).isEqualTo(data));
  }

  @ParameterizedTest
  @ValueSource(strings = {"b!!!!", "bAQIDBA=", "bA", "bAQI DBA==", "bAQIDBA===", "4ok\u001eb%%"})
  void invalidBase64IsAParseError(String payload) {
    assertThatThrownBy(() -> EngineCodec.decodePayload(payload))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("invalid base64 in binary packet");
  }

  @Test
  void emptyPayloadIsAParseError() {
    assertThatThrownBy(() -> EngineCodec.decodePayload(""))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("empty packet");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u001e", "4a\u001e", "\u001e4a", "4a\u001e\u001e4b"})
  void emptyPacketInsidePayloadIsAParseError(String payload) {
    assertThatThrownBy(() -> EngineCodec.decodePayload(payload))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("empty packet");
  }

  @Test
  void invalidTypeInsidePayloadIsAParseError() {
    assertThatThrownBy(() -> EngineCodec.decodePayload("abc"))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("invalid packet type 'a'");
    assertThatThrownBy(() -> EngineCodec.decodePayload("4ok\u001e7nope"))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("invalid packet type '7'");
  }

  @Test
  void decodingStopsAtFirstInvalidPacketAfterDeliveringTheEarlierOnes() {
    List<EnginePacket> delivered = new ArrayList<>();

    assertThatThrownBy(() -> EngineCodec.decodePayload(
        "4one\u001ebAQIDBA==\u001e4two\u001exbad\u001e4three", delivered::add))
        .isInstanceOf(EngineParseException.class)
        .hasMessage("invalid packet type 'x'");

    assertThat(delivered).hasSize(3);
    assertThat(delivered.get(0)).isEqualTo(EnginePacket.message("one"));
    assertThat(delivered.get(1).binary()).containsExactly(1, 2, 3, 4);
    assertThat(delivered.get(2)).isEqualTo(EnginePacket.message("two"));
  }

  @Test
  void decodingStopsAtInvalidBase64AfterDeliveringTheEarlierOnes() {
    List<EnginePacket> delivered = new ArrayList<>();

    assertThatThrownBy(() -> EngineCodec.decodePayload("4one\u001eb***\u001e4two", delivered::add))
        .isInstanceOf(EngineParseException.class);

    assertThat(delivered).containsExactly(EnginePacket.message("one"));
  }

  @Test
  void utf8MultibyteTextInPayload() throws Exception {
    String body = "4héllo\u001e4€\u001e4😀😀\u001e4日本語";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

    List<EnginePacket> packets = EngineCodec.decodePayload(new String(bytes, StandardCharsets.UTF_8));

    assertThat(packets).extracting(EnginePacket::text).containsExactly("héllo", "€", "😀😀", "日本語");
    assertThat(EngineCodec.encodePayload(packets)).isEqualTo(body);
  }

  @Test
  void sharedPacketIsEncodedTheSameEachTime() {
    EnginePacket shared = EnginePacket.message("broadcast");

    assertThat(EngineCodec.encodeText(shared)).isEqualTo("4broadcast");
    assertThat(EngineCodec.encodePayload(List.of(shared, shared))).isEqualTo("4broadcast\u001e4broadcast");
    assertThat(EngineCodec.encodeText(shared)).isSameAs(EngineCodec.encodeText(shared));
  }

  @Test
  void packetFactoriesRejectNull() {
    assertThatThrownBy(() -> EnginePacket.message((String) null))
        .isInstanceOf(NullPointerException.class).hasMessage("text == null");
    assertThatThrownBy(() -> EnginePacket.message((byte[]) null))
        .isInstanceOf(NullPointerException.class).hasMessage("data == null");
    assertThatThrownBy(() -> EnginePacket.of(null, "x"))
        .isInstanceOf(NullPointerException.class).hasMessage("type == null");
  }

  @Test
  void binaryAndTextPacketsAreNeverEqual() {
    EnginePacket text = EnginePacket.message("AQIDBA==");
    EnginePacket binary = EnginePacket.message(ONE_TO_FOUR);

    assertThat(text).isNotEqualTo(binary);
    assertThat(binary).isEqualTo(EnginePacket.message(new byte[] {1, 2, 3, 4}));
    assertThat(binary.hashCode()).isEqualTo(EnginePacket.message(new byte[] {1, 2, 3, 4}).hashCode());
  }

  /** Base64 the way io.socket engine.io-client 2.x writes it: {@code \n} every 76 characters and at the end. */
  private static String javaClientBase64(byte[] data) {
    String lines = Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(data);
    return lines + "\n";
  }

  private static byte[] sequence(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + 3);
    }
    return b;
  }
}
