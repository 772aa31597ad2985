package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Socket;
import dev.parley.engine.EngineSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a server-side close reaches a polling client, with raw HTTP so that no GET is pending when the
 * server acts (the moment a real client's next poll is in flight). The reference (engine.io 6.6)
 * delivers what was queued first and the close packet {@code 1} in a later GET, and a client's own
 * close packet ends a closing session at once.
 */
class SioPollingCloseTest extends SioTestBase {
  private HttpClient http;
  private String url;
  private String sid;

  @BeforeEach
  void openPollingSession() throws Exception {
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    server.of("/a");
    String base = server.url() + "/socket.io/?EIO=4&transport=polling";
    String open = get(base);
    sid = SioJson.MAPPER.readTree(open.substring(1)).get("sid").asText();
    url = base + "&sid=" + sid;
    assertThat(post("40\u001e40/a,")).isEqualTo("ok");
    StringBuilder connects = new StringBuilder();
    while (!(connects.toString().contains("40{") && connects.toString().contains("40/a,{"))) {
      connects.append(get(url)).append('\u001e');
    }
  }

  @AfterEach
  void closeHttp() {
    http = null; // java.net.http has no close() on JDK 17; its selector thread ends once collected
  }

  /**
   * The DISCONNECTs of disconnect(true) and the close packet must not share a payload:
   * socket.io-client hands decoded packets to its sockets on a later tick but handles the close
   * packet at once, so its sockets would see "transport close" instead of "io server disconnect"
   * (fixed in ee657aa; before, this failed every time and SioDisconnectTest often).
   */
  @Test
  void disconnectTrueDeliversTheDisconnectsBeforeTheClosePacketInALaterPayload() throws Exception {
    Socket main = server.awaitConnection("/");
    Socket a = server.awaitConnection("/a");

    main.disconnect(true);
    server.awaitDisconnect(main.id());
    server.awaitDisconnect(a.id());
    EventLog.until("the server starts closing", () -> !server.io().engine().session(sid).isOpen());

    String first = get(url);
    assertThat(first.split("\u001e")).contains("41", "41/a,");
    assertThat(first.split("\u001e")).as("the close packet must come in a later payload").doesNotContain("1");
    assertThat(get(url).split("\u001e")).contains("1");
  }

  /**
   * BUG (open): while the server's close packet waits for a GET, the client's own close packet (a
   * POST {@code 1}, what the Java client sends when it closes itself after the DISCONNECTs) is
   * ignored ({@code EngineSession.onPacket} returns unless the state is OPEN), so the session lingers
   * until closeTimeout (30 s by default). engine.io's polling transport handles a client close packet
   * whatever the socket's state, and the session ends at once.
   */
  @Test
  void aClientClosePacketEndsASessionWhoseServerCloseIsWaitingForAGet() throws Exception {
    Socket main = server.awaitConnection("/");
    EngineSession session = server.io().engine().session(sid);

    main.disconnect(true);
    EventLog.until("the server starts closing", () -> !session.isOpen());
    assertThat(post("1")).isEqualTo("ok");

    EventLog.until("the session is gone", () -> server.io().engine().session(sid) == null);
  }

  private String get(String target) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", target, r.body()).isEqualTo(200);
    return r.body();
  }

  private String post(String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "text/plain;charset=UTF-8").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST %s: %s", body, r.body()).isEqualTo(200);
    return r.body();
  }
}
