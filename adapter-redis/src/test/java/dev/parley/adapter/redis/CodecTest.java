package dev.parley.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Byte vectors captured from the Node adapter (REDIS-ADAPTER.md §2 and §6). */
class CodecTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static String hexOf(String ascii) {
    return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** {@code io.to("room1").emit("news","room1 only")} on {@code socket.io#/#room1#}: 72 bytes. */
  private static final String ROOM1_BROADCAST = "93"
      + "a6" + hexOf("Lc_Edw")
      + "83"
      + "a4" + hexOf("type") + "02"
      + "a4" + hexOf("data") + "92" + "a4" + hexOf("news") + "aa" + hexOf("room1 only")
      + "a3" + hexOf("nsp") + "a1" + hexOf("/")
      + "83"
      + "a5" + hexOf("rooms") + "91" + "a5" + hexOf("room1")
      + "a6" + hexOf("except") + "90"
      + "a5" + hexOf("flags") + "80";

  @Test
  void ownBroadcastIsToldByItsFirstBytes() {
    byte[] captured = hex(ROOM1_BROADCAST);
    assertThat(ClassicFormat.sentBy(captured, "Lc_Edw".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(ClassicFormat.sentBy(captured, "Lc_Edx".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(ClassicFormat.sentBy(captured, "Lc_Ed".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(ClassicFormat.sentBy(hex("93a6" + hexOf("Lc_Ed")), "Lc_Edw".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(ClassicFormat.sentBy(hex("83a6" + hexOf("Lc_Edw") + "00"), "Lc_Edw".getBytes(StandardCharsets.UTF_8)))
        .isFalse(); // a map, not the broadcast array
  }

  @Test
  void broadcastEnvelopeIsTheCaptured72Bytes() {
    byte[] expected = hex(ROOM1_BROADCAST);
    assertThat(expected).hasSize(72);
    Object message = List.of("Lc_Edw",
        map("type", 2, "data", List.of("news", "room1 only"), "nsp", "/"),
        map("rooms", List.of("room1"), "except", List.of(), "flags", map()));
    assertThat(Msgpack.encode(message)).isEqualTo(expected);
    assertThat(Msgpack.decode(expected)).isEqualTo(List.of("Lc_Edw",
        map("type", 2L, "data", List.of("news", "room1 only"), "nsp", "/"),
        map("rooms", List.of("room1"), "except", List.of(), "flags", map())));
  }

  @Test
  void scalarsAreWrittenAsNotepackWritesThem() {
    assertThat(Msgpack.encode(42L)).isEqualTo(hex("2a"));
    assertThat(Msgpack.encode(-7)).isEqualTo(hex("f9"));
    assertThat(Msgpack.encode(2000L)).isEqualTo(hex("cd07d0"));
    assertThat(Msgpack.encode(1795338236591L)).isEqualTo(hex("cf000001a2027f72af"));
    assertThat(Msgpack.encode(3.5)).isEqualTo(hex("cb400c000000000000"));
    assertThat(Msgpack.encode(2.0)).isEqualTo(hex("02")); // an integral number is an int, as in JS
    assertThat(Msgpack.encode(true)).isEqualTo(hex("c3"));
    assertThat(Msgpack.encode(false)).isEqualTo(hex("c2"));
    assertThat(Msgpack.encode(null)).isEqualTo(hex("c0"));
    String s32 = "x".repeat(32);
    assertThat(Msgpack.encode(s32)).startsWith(hex("d920"));
    assertThat(Msgpack.encode(new byte[] {1, 2, 3})).isEqualTo(hex("c403010203"));
  }

  @Test
  void everyIntegerWidthAndBinaryDecode() {
    assertThat(Msgpack.decode(hex("cd07d0"))).isEqualTo(2000L);
    assertThat(Msgpack.decode(hex("d0f9"))).isEqualTo(-7L);
    assertThat(Msgpack.decode(hex("ce00010000"))).isEqualTo(65536L);
    assertThat(Msgpack.decode(hex("cf000001a2027f72af"))).isEqualTo(1795338236591L);
    assertThat(Msgpack.decode(hex("ca40600000"))).isEqualTo(3.5);
    assertThat((byte[]) Msgpack.decode(hex("c402cafe"))).isEqualTo(hex("cafe"));
    assertThat(Msgpack.decode(hex("92d4000001"))).isEqualTo(java.util.Arrays.asList(null, 1L)); // notepack undefined
  }

  @Test
  void binaryAckIsTheCapturedMap() {
    // socket.io-response#/#  mp {type:9,requestId:"Ydi_Zy",packet:bin(cafe)}
    byte[] expected = hex("83 a4" + hexOf("type") + "09 a9" + hexOf("requestId") + "a6" + hexOf("Ydi_Zy")
        + "a6" + hexOf("packet") + "c402cafe");
    assertThat(Msgpack.encode(map("type", 9, "requestId", "Ydi_Zy", "packet", hex("cafe")))).isEqualTo(expected);
  }

  @Test
  void nodeBinaryBroadcastDecodes() {
    Object data = List.of("bin", hex("010203"), map("nested", hex("6869"), "arr", hex("ff00")));
    Object decoded = Msgpack.decode(Msgpack.encode(List.of("u", map("type", 2, "data", data, "nsp", "/"), map())));
    @SuppressWarnings("unchecked")
    List<Object> d = (List<Object>) ((Map<?, ?>) ((List<?>) decoded).get(1)).get("data");
    assertThat((byte[]) d.get(1)).isEqualTo(hex("010203"));
    assertThat((byte[]) ((Map<?, ?>) d.get(2)).get("arr")).isEqualTo(hex("ff00"));
  }

  @Test
  void capturedJsonRequestsRoundTripByteForByte() {
    for (String json : List.of(
        "{\"uid\":\"Lc_Edw\",\"requestId\":\"Zbsz9q\",\"type\":5,\"opts\":{\"rooms\":[\"room2\"],\"except\":[\"room1\"]}}",
        "{\"uid\":\"Lc_Edw\",\"requestId\":\"KeeNbR\",\"type\":1}",
        "{\"uid\":\"Lc_Edw\",\"type\":2,\"opts\":{\"rooms\":[\"room1\"],\"except\":[]},\"rooms\":[\"joinedA\",\"joinedB\"]}",
        "{\"uid\":\"Lc_Edw\",\"type\":4,\"opts\":{\"rooms\":[\"room1\"],\"except\":[]},\"close\":true}",
        "{\"uid\":\"Lc_Edw\",\"type\":6,\"data\":[\"hello\",\"world\",1,{\"k\":\"v\"}]}",
        "{\"type\":6,\"requestId\":\"SK_tUU\",\"data\":{\"pong\":\"B\",\"n\":1}}",
        "{\"type\":8,\"requestId\":\"s4uIlv\",\"clientCount\":2}",
        "{\"type\":2,\"opts\":{\"rooms\":[\"room2\"],\"except\":[]},\"rooms\":[\"ejoined\"]}")) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      assertThat(new String(Json.encode(Json.decode(bytes)), StandardCharsets.UTF_8)).isEqualTo(json);
    }
  }

  @Test
  void jsonValues() {
    assertThat(Json.decode("[1,-7,3.5,1e3,true,false,null,\"a\\\"\\u00e9\\n\"]".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(java.util.Arrays.asList(1L, -7L, 3.5, 1000.0, true, false, null, "a\"é\n"));
    assertThat(new String(Json.encode(java.util.Arrays.asList(3.5, 2.0, "é\u0001", null)), StandardCharsets.UTF_8))
        .isEqualTo("[3.5,2,\"é\\u0001\",null]");
    assertThatThrownBy(() -> Json.decode("{\"a\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.encode(List.of(new byte[1]))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emitterEnvelopeKeepsTheEmitterKeyOrder() {
    // socket.io#/#  mp ["emitter",{type:2,data:["news","from emitter",1],nsp:"/"},{rooms:[],flags:{},except:[]}]
    Object decoded = Msgpack.decode(Msgpack.encode(List.of("emitter",
        map("type", 2, "data", List.of("news", "from emitter", 1), "nsp", "/"),
        map("rooms", List.of(), "flags", map(), "except", List.of()))));
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) ((List<?>) decoded).get(2)).keySet())).containsExactly((Object) "rooms", "flags", "except");
  }
}
