package dev.parley.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast reader against Jackson's {@code readTree} with the decoder's strict reader: what it
 * reads, Jackson reads to an equal tree (the same node classes); everything else it hands back.
 */
class SimpleJsonReaderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectReader READER = SioDecoder.strictReader(MAPPER);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static JsonNode jackson(String s) throws Exception {
    return READER.readTree(s);
  }

  @Test
  void simpleArgumentsAreReadAsJacksonReadsThem() throws Exception {
    String[] inputs = {
        "[\"echo\",\"1700000000|xxxx\"]",
        "[]",
        "[ ]",
        " [ \"a\" , 1 ,\t-2,\r\n true,false , null ] \n",
        "[0,-0,2147483647,2147483648,-2147483648,-2147483649,999999999999999999,-999999999999999999]",
        "[\"\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u00e9\\u20AC\\ud83d\\ude00\\uD800\",\"é€😀\"]",
        "[[1,[2,[]]],[\"x\"]]",
        "[\"tick\",\"a,b]c[\"]",
    };
    for (String in : inputs) {
      JsonNode fast = SimpleJsonReader.read(in, 0, READER);
      assertThat(fast).as(in).isNotNull().isEqualTo(jackson(in));
      assertThat(fast.get(0) == null || fast.get(0).getClass() == jackson(in).get(0).getClass()).isTrue();
    }
    JsonNode numbers = SimpleJsonReader.read(inputs[4], 0, READER);
    for (int k = 0; k < numbers.size(); k++) {
      assertThat(numbers.get(k).getClass()).isEqualTo(jackson(inputs[4]).get(k).getClass());
    }
    // from an offset, as the decoder calls it (after "42" and an ack id)
    assertThat(SimpleJsonReader.read("4217[\"x\",1]", 4, READER)).isEqualTo(jackson("[\"x\",1]"));
  }

  @Test
  void whatItDoesNotReadGoesBackToJacksonValidOrNot() {
    String[] others = {
        "{\"a\":1}", "[{\"a\":1}]", "[1.5]", "[1e3]", "[1E3]", "[-1.0]", "[1234567890123456789]", "[01]", "[-]",
        "[-01]", "[1,]", "[,1]", "[1 2]", "[1]x", "[1][2]", "[\"a\u0001\"]", "[\"\\x\"]", "[\"\\u12G4\"]",
        "[\"\\u０１２３\"]", "[\"abc", "[\"abc\\", "[tru]", "[truex]", "[nul]", "[NaN]", "['a']", "[\"a\"\u000b]",
        "\"just a string\"", "42", "true", "", "   ", "[", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
        "[\"a\" /* c */]", "[1]\u00a0",
    };
    for (String in : others) {
      assertThat(SimpleJsonReader.read(in, 0, READER)).as(in).isNull();
    }
  }

  @Test
  void randomTreesWrittenByJacksonReadBackEqual() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 1000; round++) {
      ArrayNode tree = F.arrayNode();
      RandomArgs.fill(tree, random, 0);
      String text = MAPPER.writeValueAsString(tree);
      JsonNode fast = SimpleJsonReader.read(text, 0, READER);
      assertThat(fast).as(text).isNotNull().isEqualTo(jackson(text));
    }
  }


  /** The safety property: whatever mutated input it accepts, Jackson accepts and reads the same. */
  @Test
  void mutatedInputsItAcceptsJacksonAcceptsWithAnEqualTree() throws Exception {
    Random random = new Random(11);
    String alphabet = "\"\\[]{},:.eE-+0 19tfnrbu/\t\n\u0001\u000bxé";
    String[] seeds = {"[\"echo\",\"12|xx\"]", "[1,-2,true,false,null,[3]]", "[\"a\\n\\u00e9\",\"\\\"\"]", "[[],[[]]]"};
    int accepted = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder sb = new StringBuilder(seeds[random.nextInt(seeds.length)]);
      for (int m = 1 + random.nextInt(3); m > 0; m--) {
        int at = random.nextInt(sb.length() + 1);
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> sb.insert(at, c);
          case 1 -> { if (at < sb.length()) { sb.deleteCharAt(at); } }
          default -> { if (at < sb.length()) { sb.setCharAt(at, c); } }
        }
      }
      String in = sb.toString();
      JsonNode fast = SimpleJsonReader.read(in, 0, READER);
      if (fast != null) {
        accepted++;
        assertThat(jackson(in)).as(in).isEqualTo(fast);
      }
    }
    assertThat(accepted).as("some mutations are still simple JSON").isGreaterThan(1000);
  }

  @Test
  void readersThatBuildOtherTreesOrLimitTokensAreLeftToJackson() {
    String in = "[\"x\",1]";
    assertThat(SimpleJsonReader.read(in, 0, READER.with(DeserializationFeature.USE_LONG_FOR_INTS))).isNull();
    assertThat(SimpleJsonReader.read(in, 0, READER.with(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS))).isNull();
    ObjectMapper tokenLimited = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(2).build()).build());
    assertThat(SimpleJsonReader.read(in, 0, SioDecoder.strictReader(tokenLimited))).isNull();
    ObjectMapper shortStrings = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(3).build()).build());
    assertThat(SimpleJsonReader.read("[\"abcdef\"]", 0, SioDecoder.strictReader(shortStrings))).isNull();
    assertThat(SimpleJsonReader.read(in, 0, READER)).isNotNull();
  }

  @Test
  void theDecoderStillRefusesWhatJacksonRefuses() throws Exception {
    SioDecoder decoder = new SioDecoder(READER, 10);
    assertThat(decoder.add(dev.parley.engine.EnginePacket.message("2[\"echo\",\"hi\",7]")).data())
        .isEqualTo(F.arrayNode().add("echo").add("hi").add(7));
    assertThatThrownBy(() -> decoder.add(dev.parley.engine.EnginePacket.message("2[\"echo\",01]")))
        .isInstanceOf(SioParseException.class);
    assertThatThrownBy(() -> decoder.add(dev.parley.engine.EnginePacket.message("2[\"echo\"]x")))
        .isInstanceOf(SioParseException.class);
  }
}
