package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineRequestTest {

  private static EngineRequest request(String uri) {
    return EngineRequest.builder().method("GET").uri(uri)
        .header("Host", "example.com")
        .header("X-Multi", "one")
        .header("Origin", "https://app.example.com")
        .header("x-multi", "two")
        .build();
  }

  @Test
  void queryValuesAreFoundWithoutAndWithTheMap() {
    EngineRequest r = request("/socket.io/?EIO=4&transport=polling&sid=abc&empty=&flag&a%20b=c%26d&x=1&x=2&plus=a+b");
    for (int pass = 0; pass < 2; pass++) { // first by scanning, then from the parsed map
      assertThat(r.query("EIO")).isEqualTo("4");
      assertThat(r.query("transport")).isEqualTo("polling");
      assertThat(r.query("sid")).isEqualTo("abc");
      assertThat(r.query("empty")).isEqualTo("");
      assertThat(r.query("flag")).isEqualTo("");
      assertThat(r.query("a b")).isEqualTo("c&d");
      assertThat(r.query("x")).isEqualTo("1");
      assertThat(r.query("plus")).isEqualTo("a b");
      assertThat(r.query("missing")).isNull();
      assertThat(r.query("EI")).isNull();
      assertThat(r.queryParameters()).containsEntry("x", List.of("1", "2"));
    }
    assertThat(r.queryParameters().keySet())
        .containsExactly("EIO", "transport", "sid", "empty", "flag", "a b", "x", "plus");
  }

  @Test
  void aKeyFollowedByAPairWithAnEqualsSignIsStillAKeyWithoutValue() {
    EngineRequest r = request("/p?flag&k=v");
    assertThat(r.query("flag")).isEqualTo("");
    assertThat(r.query("k")).isEqualTo("v");
    assertThat(request("/p").query("k")).isNull();
    assertThat(request("/p?&&k=v&").query("k")).isEqualTo("v");
  }

  @Test
  void headersAreCaseInsensitiveAndKeepEveryValueInOrder() {
    EngineRequest r = request("/p");
    assertThat(r.header("origin")).isEqualTo("https://app.example.com");
    assertThat(r.header("X-MULTI")).isEqualTo("one");
    assertThat(r.header("Cookie")).isNull();
    Map<String, List<String>> h = r.headers();
    assertThat(h.get("x-Multi")).containsExactly("one", "two");
    assertThat(h.get("HOST")).containsExactly("example.com");
    assertThat(h.containsKey("ORIGIN")).isTrue();
    assertThat(h.containsKey("Cookie")).isFalse();
    assertThat(h.get("Cookie")).isNull();
    assertThat(h).hasSize(3);
    assertThat(h.keySet()).containsExactly("Host", "X-Multi", "Origin");
    assertThatThrownBy(() -> h.put("a", List.of("b"))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.get("Host").add("x")).isInstanceOf(UnsupportedOperationException.class);
  }
}
