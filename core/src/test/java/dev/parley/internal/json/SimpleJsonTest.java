package dev.parley.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigInteger;
import dev.parley.protocol.SioEncoder;
import dev.parley.protocol.SioPacket;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast JSON writer against Jackson's own output for the same trees: byte for byte, or not at all. */
class SimpleJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static String jackson(ObjectMapper mapper, JsonNode node) throws Exception {
    return mapper.writeValueAsString(node);
  }

  private static String fast(ObjectMapper mapper, JsonNode node) {
    StringBuilder sb = new StringBuilder("43");
    boolean written = SimpleJson.append(sb, node, mapper);
    return written ? sb.substring(2) : null;
  }

  @Test
  void everyCharacterBelow0x80AndSomeBeyondAreWrittenAsJacksonWritesThem() throws Exception {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      all.append(c);
    }
    all.append("é€😀\u2028\u2029\uFFFF\uD800 lone high, lone low \uDC00 /</script>");
    ArrayNode args = F.arrayNode().add(all.toString()).add("").add("plain");
    assertThat(fast(MAPPER, args)).isEqualTo(jackson(MAPPER, args));
    for (char c = 0; c < 0x80; c++) {
      ArrayNode one = F.arrayNode().add("a" + c + "b");
      assertThat(fast(MAPPER, one)).as("char %d", (int) c).isEqualTo(jackson(MAPPER, one));
    }
  }

  @Test
  void randomStringsNumbersBooleansNullsAndNestedArraysMatchJackson() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      ArrayNode args = F.arrayNode();
      RandomArgs.fill(args, random, 0);
      assertThat(fast(MAPPER, args)).as("round %d", round).isEqualTo(jackson(MAPPER, args));
    }
  }


  @Test
  void objectsFractionsBigNumbersAndBinaryAreLeftToJacksonWithTheBuilderUntouched() {
    JsonNode[] others = {
        F.arrayNode().add("x").add(F.objectNode().put("a", 1)),
        F.arrayNode().add(1.5),
        F.arrayNode().add(1.5f),
        F.arrayNode().add(new java.math.BigDecimal("1.10")),
        F.arrayNode().add(BigInteger.TEN.pow(30)),
        F.arrayNode().add(new byte[] {1, 2}),
        F.arrayNode().addPOJO(new Object()),
        F.objectNode().put("a", "b"),
    };
    for (JsonNode n : others) {
      StringBuilder sb = new StringBuilder("2[");
      assertThat(SimpleJson.append(sb, n, MAPPER)).as(n.toString()).isFalse();
      assertThat(sb.toString()).isEqualTo("2[");
    }
    ArrayNode deep = F.arrayNode();
    ArrayNode at = deep;
    for (int i = 0; i < 40; i++) {
      at = at.addArray();
    }
    assertThat(fast(MAPPER, deep)).isNull();
  }

  @Test
  void aMapperConfiguredToWriteDifferentlyKeepsJacksonsOutput() throws Exception {
    ArrayNode args = F.arrayNode().add("é\u0001").add(7);
    ObjectMapper asciiOnly = new ObjectMapper(JsonFactory.builder()
        .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build());
    ObjectMapper numbersAsStrings = new ObjectMapper(JsonFactory.builder()
        .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS).build());
    ObjectMapper pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectMapper escapes = new ObjectMapper();
    escapes.getFactory().setCharacterEscapes(new CharacterEscapes() {
      @Override
      public int[] getEscapeCodesForAscii() {
        int[] codes = standardAsciiEscapesForJSON();
        codes['<'] = CharacterEscapes.ESCAPE_STANDARD;
        return codes;
      }

      @Override
      public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
        return null;
      }
    });
    for (ObjectMapper m : new ObjectMapper[] {asciiOnly, numbersAsStrings, pretty, escapes}) {
      assertThat(fast(m, args)).isNull();
    }
    assertThat(asciiOnly.getFactory().isEnabled(JsonGenerator.Feature.ESCAPE_NON_ASCII)).isTrue();
    // and SioEncoder still writes what that mapper writes
    String text = SioEncoder.encode(SioPacket.event("/", args, 3), asciiOnly).get(0).text();
    assertThat(text).isEqualTo("23" + asciiOnly.writeValueAsString(args));
    assertThat(text).contains("\\u00E9");
  }

  @Test
  void sioEncoderUsesItForSimpleArgumentsWithTheSameText() throws Exception {
    ArrayNode args = F.arrayNode().add("tick").add("a\"b\\c\n").add(12).add(true).addNull()
        .add(Long.MIN_VALUE).add(Long.MAX_VALUE).add(Integer.MIN_VALUE);
    assertThat(SioEncoder.encode(SioPacket.event("/chat", args, 7), MAPPER).get(0).text())
        .isEqualTo("2/chat,7" + MAPPER.writeValueAsString(args));
  }
}
