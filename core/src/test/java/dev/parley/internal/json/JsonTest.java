package dev.parley.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.engine.EngineError;
import org.junit.jupiter.api.Test;

/** {@link Json}: the one entry to core's JSON text, fast path or Jackson, for both layers. */
class JsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void quoteWritesAStringAsJacksonDoes() throws Exception {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      all.append(c);
    }
    all.append("é€😀\u2028");
    String s = all.toString();

    assertThat(Json.quote(s)).isEqualTo(MAPPER.writeValueAsString(s));
    assertThat(MAPPER.readValue(Json.quote(s), String.class)).isEqualTo(s);
  }

  @Test
  void theEngineErrorBodiesStayAsTheyWere() {
    assertThat(EngineError.SESSION_ID_UNKNOWN.toJson(EngineError.SESSION_ID_UNKNOWN.message()))
        .isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    assertThat(EngineError.FORBIDDEN.toJson("say \"no\"\\")).isEqualTo("{\"code\":4,\"message\":\"say \\\"no\\\"\\\\\"}");
  }

  @Test
  void writeAndReadTakeTheFastPathOrJacksonWithTheSameResult() throws Exception {
    JsonNode simple = MAPPER.readTree("[\"tick\",1,true,null,[\"a\"]]");
    JsonNode general = MAPPER.readTree("[\"tick\",{\"x\":1.5},12345678901234567890]");
    for (JsonNode node : new JsonNode[] {simple, general}) {
      StringBuilder sb = new StringBuilder("42");
      Json.write(sb, node, MAPPER);
      assertThat(sb.substring(2)).isEqualTo(MAPPER.writeValueAsString(node));
      assertThat(Json.read(sb.toString(), 2, MAPPER.reader())).isEqualTo(node);
    }
    assertThat(Json.read("  [1]", 0, MAPPER.reader())).isEqualTo(JsonNodeFactory.instance.arrayNode().add(1));
  }
}
