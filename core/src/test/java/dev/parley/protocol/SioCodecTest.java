package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.engine.EnginePacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SioCodecTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static JsonNode json(String s) {
    try {
      return MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<EnginePacket> encode(SioPacket p) {
    return SioEncoder.encode(p, MAPPER);
  }

  private static String encodeText(SioPacket p) {
    List<EnginePacket> frames = encode(p);
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).isBinary()).isFalse();
    return frames.get(0).text();
  }

  private static SioPacket decode(String text) throws SioParseException {
    SioPacket p = new SioDecoder(MAPPER, 10).add(EnginePacket.message(text));
    assertThat(p).isNotNull();
    return p;
  }

  private static void assertInvalid(String text) {
    assertThatThrownBy(() -> new SioDecoder(MAPPER, 10).add(EnginePacket.message(text)))
        .as("decoding %s", text)
        .isInstanceOf(SioParseException.class);
  }

  // ------------------------------------------------------------------ encoding

  @Test
  void encodesConnect() {
    assertThat(encodeText(new SioPacket(SioPacketType.CONNECT, "/", SioPacket.NO_ID, null))).isEqualTo("0");
    assertThat(encodeText(new SioPacket(SioPacketType.CONNECT, "/admin", SioPacket.NO_ID, null)))
        .isEqualTo("0/admin,");
    assertThat(encodeText(new SioPacket(SioPacketType.CONNECT, "/", SioPacket.NO_ID, json("{\"sid\":\"x\"}"))))
        .isEqualTo("0{\"sid\":\"x\"}");
  }

  @Test
  void encodesDisconnect() {
    assertThat(encodeText(new SioPacket(SioPacketType.DISCONNECT, "/", SioPacket.NO_ID, null))).isEqualTo("1");
    assertThat(encodeText(new SioPacket(SioPacketType.DISCONNECT, "/admin", SioPacket.NO_ID, null)))
        .isEqualTo("1/admin,");
  }

  @Test
  void encodesEventsAndAcks() {
    assertThat(encodeText(SioPacket.event("/", json("[\"hello\",1]"), SioPacket.NO_ID))).isEqualTo("2[\"hello\",1]");
    assertThat(encodeText(SioPacket.event("/admin", json("[\"x\"]"), SioPacket.NO_ID))).isEqualTo("2/admin,[\"x\"]");
    assertThat(encodeText(SioPacket.event("/", json("[\"foo\"]"), 12))).isEqualTo("212[\"foo\"]");
    assertThat(encodeText(SioPacket.ack("/admin", json("[\"bar\"]"), 13))).isEqualTo("3/admin,13[\"bar\"]");
    assertThat(encodeText(SioPacket.ack("/", json("[]"), 0))).isEqualTo("30[]");
  }

  @Test
  void encodesCompactJsonKeepingKeyOrder() {
    assertThat(encodeText(SioPacket.ack("/", json("[1, \"2\", {\"3\": [true], \"a\": null, \"0\": 1}]"), 456)))
        .isEqualTo("3456[1,\"2\",{\"3\":[true],\"a\":null,\"0\":1}]");
  }

  @Test
  void encodesConnectError() {
    assertThat(encodeText(new SioPacket(SioPacketType.CONNECT_ERROR, "/random", SioPacket.NO_ID,
        json("{\"message\":\"Invalid namespace\"}")))).isEqualTo("4/random,{\"message\":\"Invalid namespace\"}");
  }

  @Test
  void encodesBinaryEventWithPlaceholderAtDepth() {
    ArrayNode data = F.arrayNode();
    data.add("bin");
    data.add(BinaryNode.valueOf(new byte[] {1, 2, 3}));
    List<EnginePacket> frames = encode(SioPacket.event("/", data, SioPacket.NO_ID));
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).text()).isEqualTo("51-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    assertThat(frames.get(1).binary()).containsExactly(1, 2, 3);
    // the caller's tree is untouched
    assertThat(data.get(1).isBinary()).isTrue();
  }

  @Test
  void encodesTwoAttachmentsDepthFirst() {
    ArrayNode data = F.arrayNode();
    data.add("message-back");
    ObjectNode obj = F.objectNode();
    ArrayNode inner = F.arrayNode();
    inner.add(BinaryNode.valueOf(new byte[] {1}));
    obj.set("a", inner);
    obj.put("b", 5);
    data.add(obj);
    data.add(BinaryNode.valueOf(new byte[] {2, 2}));
    List<EnginePacket> frames = encode(SioPacket.event("/admin", data, 7));
    assertThat(frames).hasSize(3);
    assertThat(frames.get(0).text()).isEqualTo(
        "52-/admin,7[\"message-back\",{\"a\":[{\"_placeholder\":true,\"num\":0}],\"b\":5},"
            + "{\"_placeholder\":true,\"num\":1}]");
    assertThat(frames.get(1).binary()).containsExactly(1);
    assertThat(frames.get(2).binary()).containsExactly(2, 2);
  }

  @Test
  void encodesBinaryAck() {
    ArrayNode data = F.arrayNode();
    data.add(BinaryNode.valueOf(new byte[] {9}));
    List<EnginePacket> frames = encode(SioPacket.ack("/", data, 12));
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).text()).isEqualTo("61-12[{\"_placeholder\":true,\"num\":0}]");
    assertThat(frames.get(1).binary()).containsExactly(9);
  }

  @Test
  void binaryTypeWithoutBinaryDataIsDowngraded() {
    assertThat(encodeText(new SioPacket(SioPacketType.BINARY_EVENT, "/", 1, json("[\"x\"]")))).isEqualTo("21[\"x\"]");
    assertThat(encodeText(new SioPacket(SioPacketType.BINARY_ACK, "/", 1, json("[]")))).isEqualTo("31[]");
  }

  // ------------------------------------------------------------------ decoding

  @Test
  void decodesConnect() throws Exception {
    SioPacket p = decode("0");
    assertThat(p.type()).isEqualTo(SioPacketType.CONNECT);
    assertThat(p.nsp()).isEqualTo("/");
    assertThat(p.hasId()).isFalse();
    assertThat(p.data()).isNull();

    p = decode("0/admin,");
    assertThat(p.type()).isEqualTo(SioPacketType.CONNECT);
    assertThat(p.nsp()).isEqualTo("/admin");
    assertThat(p.data()).isNull();

    p = decode("0{\"sid\":\"x\"}");
    assertThat(p.nsp()).isEqualTo("/");
    assertThat(p.data()).isEqualTo(json("{\"sid\":\"x\"}"));

    p = decode("0/admin,{\"token\":\"123\"}");
    assertThat(p.nsp()).isEqualTo("/admin");
    assertThat(p.data()).isEqualTo(json("{\"token\":\"123\"}"));
  }

  @Test
  void namespaceWithoutCommaRunsToEnd() throws Exception {
    SioPacket p = decode("0/custom");
    assertThat(p.type()).isEqualTo(SioPacketType.CONNECT);
    assertThat(p.nsp()).isEqualTo("/custom");
    assertThat(p.data()).isNull();
    assertThat(decode("1/custom").nsp()).isEqualTo("/custom");
  }

  @Test
  void decodesDisconnect() throws Exception {
    assertThat(decode("1").type()).isEqualTo(SioPacketType.DISCONNECT);
    SioPacket p = decode("1/admin,");
    assertThat(p.type()).isEqualTo(SioPacketType.DISCONNECT);
    assertThat(p.nsp()).isEqualTo("/admin");
  }

  @Test
  void decodesEventsAndAcks() throws Exception {
    SioPacket p = decode("2[\"hello\",1]");
    assertThat(p.type()).isEqualTo(SioPacketType.EVENT);
    assertThat(p.nsp()).isEqualTo("/");
    assertThat(p.hasId()).isFalse();
    assertThat(p.data()).isEqualTo(json("[\"hello\",1]"));

    p = decode("2/admin,[\"x\"]");
    assertThat(p.nsp()).isEqualTo("/admin");
    assertThat(p.data()).isEqualTo(json("[\"x\"]"));

    p = decode("212[\"foo\"]");
    assertThat(p.type()).isEqualTo(SioPacketType.EVENT);
    assertThat(p.id()).isEqualTo(12);
    assertThat(p.data()).isEqualTo(json("[\"foo\"]"));

    p = decode("3/admin,13[\"bar\"]");
    assertThat(p.type()).isEqualTo(SioPacketType.ACK);
    assertThat(p.nsp()).isEqualTo("/admin");
    assertThat(p.id()).isEqualTo(13);
    assertThat(p.data()).isEqualTo(json("[\"bar\"]"));

    p = decode("3456[]");
    assertThat(p.id()).isEqualTo(456);
    assertThat(p.data().isArray()).isTrue();
    assertThat(p.data().size()).isZero();

    p = decode("2[42,\"numeric name\"]");
    assertThat(p.data().get(0).intValue()).isEqualTo(42);
  }

  @Test
  void decodesConnectError() throws Exception {
    SioPacket p = decode("4/random,{\"message\":\"Invalid namespace\"}");
    assertThat(p.type()).isEqualTo(SioPacketType.CONNECT_ERROR);
    assertThat(p.nsp()).isEqualTo("/random");
    assertThat(decode("4\"legacy\"").data().asText()).isEqualTo("legacy");
  }

  @Test
  void compactJsonRoundTripsWithKeyOrder() throws Exception {
    String wire = "2456[\"message-with-ack\",1,\"2\",{\"3\":[false],\"b\":1,\"a\":2}]";
    SioPacket p = decode(wire);
    assertThat(p.id()).isEqualTo(456);
    assertThat(encodeText(p)).isEqualTo(wire);
    assertThat(encodeText(decode("2[\"x\",{\"3\":[true]}]"))).isEqualTo("2[\"x\",{\"3\":[true]}]");
  }

  @Test
  void decodesBinaryEventAtDepth() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThat(d.add(EnginePacket.message("51-[\"bin\",{\"_placeholder\":true,\"num\":0}]"))).isNull();
    assertThat(d.awaitingAttachments()).isTrue();
    SioPacket p = d.add(EnginePacket.message(new byte[] {1, 2, 3}));
    assertThat(d.awaitingAttachments()).isFalse();
    assertThat(p.type()).isEqualTo(SioPacketType.BINARY_EVENT);
    assertThat(p.data().get(0).asText()).isEqualTo("bin");
    assertThat(p.data().get(1).isBinary()).isTrue();
    assertThat(p.data().get(1).binaryValue()).containsExactly(1, 2, 3);
  }

  @Test
  void decodesTwoAttachmentsAndReencodesInSameOrder() throws Exception {
    String head = "52-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThat(d.add(EnginePacket.message(head))).isNull();
    assertThat(d.add(EnginePacket.message(new byte[] {1}))).isNull();
    SioPacket p = d.add(EnginePacket.message(new byte[] {2, 3}));
    assertThat(p.data().get(1).binaryValue()).containsExactly(1);
    assertThat(p.data().get(2).binaryValue()).containsExactly(2, 3);

    List<EnginePacket> frames = encode(p);
    assertThat(frames).hasSize(3);
    assertThat(frames.get(0).text()).isEqualTo(head);
    assertThat(frames.get(1).binary()).containsExactly(1);
    assertThat(frames.get(2).binary()).containsExactly(2, 3);
  }

  @Test
  void decodesNestedPlaceholdersAndReversedNums() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThat(d.add(EnginePacket.message(
        "52-/admin,7[\"e\",{\"a\":[{\"_placeholder\":true,\"num\":1}]},{\"_placeholder\":true,\"num\":0}]")))
        .isNull();
    assertThat(d.add(EnginePacket.message(new byte[] {10}))).isNull();
    SioPacket p = d.add(EnginePacket.message(new byte[] {20}));
    assertThat(p.nsp()).isEqualTo("/admin");
    assertThat(p.id()).isEqualTo(7);
    assertThat(p.data().get(1).get("a").get(0).binaryValue()).containsExactly(20);
    assertThat(p.data().get(2).binaryValue()).containsExactly(10);
  }

  @Test
  void decodesBinaryAck() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThat(d.add(EnginePacket.message("61-12[{\"_placeholder\":true,\"num\":0}]"))).isNull();
    SioPacket p = d.add(EnginePacket.message(new byte[] {7}));
    assertThat(p.type()).isEqualTo(SioPacketType.BINARY_ACK);
    assertThat(p.id()).isEqualTo(12);
    assertThat(p.data().get(0).binaryValue()).containsExactly(7);
  }

  @Test
  void decoderIsReusableAfterABinaryPacket() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    d.add(EnginePacket.message("51-[\"bin\",{\"_placeholder\":true,\"num\":0}]"));
    d.add(EnginePacket.message(new byte[] {1}));
    SioPacket p = d.add(EnginePacket.message("2[\"next\"]"));
    assertThat(p.data()).isEqualTo(json("[\"next\"]"));
  }

  @Test
  void theDecoderCountsWhatAnUnfinishedPacketHolds() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    String header = "52-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
    assertThat(d.heldBytes()).isZero();
    d.add(EnginePacket.message(header));
    assertThat(d.heldBytes()).isEqualTo(header.length());
    d.add(EnginePacket.message(new byte[1_000]));
    assertThat(d.heldBytes()).isEqualTo(header.length() + 1_000);
    assertThat(d.add(EnginePacket.message(new byte[500]))).isNotNull();
    assertThat(d.heldBytes()).as("complete: nothing held").isZero();

    d.add(EnginePacket.message(header));
    d.add(EnginePacket.message(new byte[1_000]));
    d.reset();
    assertThat(d.heldBytes()).isZero();
    assertThat(d.awaitingAttachments()).isFalse();
    assertThat(d.add(EnginePacket.message("2[\"next\"]")).data()).isEqualTo(json("[\"next\"]"));
  }

  // ------------------------------------------------------------------ decoder errors

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "7",
      "9[\"x\"]",
      "a",
      "2abc",
      "2abc[\"x\"]",
      "2[\"a\"]x",
      "2[\"a\"][\"b\"]",
      "2{\"a\":1}",
      "2\"str\"",
      "2",
      "2[]",
      "2[null]",
      "2[true]",
      "2[{}]",
      "2[[\"x\"]]",
      "2[\"connect\"]",
      "2[\"connect_error\"]",
      "2[\"disconnect\"]",
      "2[\"disconnecting\"]",
      "2[\"newListener\"]",
      "2[\"removeListener\"]",
      "2/admin,[\"disconnect\"]",
      "1[]",
      "1{}",
      "1\"x\"",
      "1/admin,{}",
      "0[]",
      "0[\"x\"]",
      "0\"token\"",
      "3",
      "3{}",
      "312",
      "4",
      "4[]",
      "2[\"unterminated\"",
  })
  void rejectsInvalidTextPackets(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "5-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
      "50-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
      "5abc-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
      "5-1-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
      "51[\"bin\",{\"_placeholder\":true,\"num\":0}]",
      "511-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
      "599999999999-[\"bin\"]",
      "6-[]",
      "60-[]",
      "51-{\"a\":1}",
      "51-[\"connect\",{\"_placeholder\":true,\"num\":0}]",
      "51-[]",
      "61-{}",
  })
  void rejectsBadBinaryHeaders(String text) {
    assertInvalid(text);
  }

  @Test
  void respectsMaxAttachments() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 2);
    assertThat(d.add(EnginePacket.message("52-[\"b\"]"))).isNull();
    assertThatThrownBy(() -> new SioDecoder(MAPPER, 2).add(EnginePacket.message("53-[\"b\"]")))
        .isInstanceOf(SioParseException.class)
        .hasMessageContaining("too many attachments");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"_placeholder\":true,\"num\":1}",
      "{\"_placeholder\":true,\"num\":-1}",
      "{\"_placeholder\":true,\"num\":0.5}",
      "{\"_placeholder\":true,\"num\":\"0\"}",
      "{\"_placeholder\":true,\"num\":null}",
      "{\"_placeholder\":true}",
      "{\"_placeholder\":true,\"num\":4294967296}",
  })
  void rejectsBadPlaceholderNum(String placeholder) throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThat(d.add(EnginePacket.message("51-[\"bin\"," + placeholder + "]"))).isNull();
    assertThatThrownBy(() -> d.add(EnginePacket.message(new byte[] {1})))
        .isInstanceOf(SioParseException.class);
  }

  @Test
  void rejectsTextWhileAttachmentsExpected() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThat(d.add(EnginePacket.message("52-[\"bin\",{\"_placeholder\":true,\"num\":0}]"))).isNull();
    assertThat(d.add(EnginePacket.message(new byte[] {1}))).isNull();
    assertThatThrownBy(() -> d.add(EnginePacket.message("2[\"x\"]")))
        .isInstanceOf(SioParseException.class)
        .hasMessageContaining("plaintext");
  }

  @Test
  void rejectsBinaryWhenNoneExpected() throws Exception {
    SioDecoder d = new SioDecoder(MAPPER, 10);
    assertThatThrownBy(() -> d.add(EnginePacket.message(new byte[] {1})))
        .isInstanceOf(SioParseException.class)
        .hasMessageContaining("binary");
    SioDecoder d2 = new SioDecoder(MAPPER, 10);
    d2.add(EnginePacket.message("51-[\"bin\",{\"_placeholder\":true,\"num\":0}]"));
    d2.add(EnginePacket.message(new byte[] {1}));
    assertThatThrownBy(() -> d2.add(EnginePacket.message(new byte[] {2})))
        .isInstanceOf(SioParseException.class);
  }

  @Test
  void eventNameMayBeReservedWordInOtherPositions() throws Exception {
    assertThat(decode("2[\"x\",\"connect\"]").data().get(1).asText()).isEqualTo("connect");
    assertThat(decode("3[\"disconnect\"]").type()).isEqualTo(SioPacketType.ACK);
  }

  @Test
  void allPacketTypesRoundTrip() throws Exception {
    List<String> vectors = new ArrayList<>(List.of(
        "0", "0/admin,", "0{\"sid\":\"x\"}", "1", "1/admin,", "2[\"hello\",1]", "2/admin,[\"x\"]",
        "212[\"foo\"]", "3/admin,13[\"bar\"]", "4{\"message\":\"Not authorized\"}",
        "4/private,{\"message\":\"not authorized\",\"data\":{\"code\":42}}"));
    for (String v : vectors) {
      assertThat(encodeText(decode(v))).as(v).isEqualTo(v);
    }
  }
}
