package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** {@link Handshake#toNodeObject()}: the reference's {@code socket.handshake}, value by value. */
class NodeHandshakeTest {
  private static Handshake handshake(Map<String, List<String>> headers, Map<String, List<String>> query)
      throws Exception {
    return new Handshake(headers, query, new ObjectMapper().readTree("{\"token\":\"t\",\"n\":1}"), "127.0.0.1",
        Instant.parse("2026-12-06T00:31:05.123Z"), "/socket.io/?EIO=4&transport=polling", false);
  }

  @Test
  void headersAreJoinedAsNodesIncomingMessageJoinsThem() throws Exception {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Host", List.of("a:1", "b:2"));
    headers.put("Cookie", List.of("a=1", "b=2"));
    headers.put("X-Custom", List.of("one", "two"));
    headers.put("User-Agent", List.of("first", "second"));
    Map<String, Object> node = handshake(headers, Map.of()).toNodeObject();

    assertThat(node.keySet()).containsExactly("headers", "time", "address", "xdomain", "secure", "issued", "url",
        "query", "auth");
    assertThat(node.get("headers")).isEqualTo(Map.of("host", "a:1", "cookie", "a=1; b=2", "x-custom", "one, two",
        "user-agent", "first"));
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) node.get("headers")).keySet()))
        .containsExactly("host", "cookie", "x-custom", "user-agent");
    assertThat(node.get("xdomain")).isEqualTo(false);
    assertThat(node.get("issued")).isEqualTo(1796517065123L);
    assertThat(node.get("auth")).isEqualTo(Map.of("token", "t", "n", 1L));
  }

  @Test
  void queryKeepsTheLastValueAndOriginMakesItCrossDomain() throws Exception {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("EIO", List.of("4"));
    query.put("rep", List.of("1", "2"));
    Map<String, Object> node = handshake(Map.of("Origin", List.of("http://x")), query).toNodeObject();
    assertThat(node.get("query")).isEqualTo(Map.of("EIO", "4", "rep", "2"));
    assertThat(node.get("xdomain")).isEqualTo(true);
    assertThat(handshake(Map.of("Origin", List.of("")), query).toNodeObject().get("xdomain")).isEqualTo(false);
  }

  @Test
  void timeIsJavaScriptsDateToString() throws Exception {
    TimeZone saved = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone(ZoneId.of("UTC")));
      assertThat(handshake(Map.of(), Map.of()).toNodeObject().get("time"))
          .isEqualTo("Sun Dec 06 2026 00:31:05 GMT+0000 (Coordinated Universal Time)");
      TimeZone.setDefault(TimeZone.getTimeZone(ZoneId.of("Europe/Paris")));
      assertThat(handshake(Map.of(), Map.of()).toNodeObject().get("time"))
          .isEqualTo("Sun Dec 06 2026 01:31:05 GMT+0100 (Central European Standard Time)");
    } finally {
      TimeZone.setDefault(saved);
    }
  }
}
