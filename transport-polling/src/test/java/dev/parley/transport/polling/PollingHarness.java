package dev.parley.transport.polling;

import dev.parley.testing.DirectExecutorService;

import dev.parley.testing.ManualScheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineOptions;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineServer;
import dev.parley.engine.EngineSession;
import dev.parley.engine.protocol.EngineCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@link EngineServer} on an inline executor and a manual clock, behind an {@link EngineHttpHandler},
 * with a listener that records every session's messages and close reasons.
 */
final class PollingHarness {
  static final String TEXT_PLAIN = "text/plain; charset=UTF-8";
  private static final Pattern SID = Pattern.compile("^0\\{\"sid\":\"([A-Za-z0-9_-]{20})\",");

  final ManualScheduler scheduler = new ManualScheduler();
  final DirectExecutorService executor = new DirectExecutorService();
  final EngineServer engine;
  final EngineHttpHandler handler;
  final List<String> messages = new ArrayList<>();
  final List<String> closeReasons = new ArrayList<>();

  PollingHarness(EngineOptions options) {
    engine = EngineServer.builder().options(options).executor(executor).scheduler(scheduler).build();
    engine.onConnection(session -> session.setListener(new EngineSession.Listener() {
      @Override
      public void onMessage(EngineSession s, EnginePacket packet) {
        messages.add(EngineCodec.encodePayload(List.of(packet)));
      }

      @Override
      public void onClose(EngineSession s, String reason) {
        closeReasons.add(reason);
      }
    }));
    handler = new EngineHttpHandler(engine);
  }

  PollingHarness() {
    this(EngineOptions.defaults());
  }

  FakeExchange handle(FakeExchange exchange) {
    handler.handle(exchange);
    return exchange;
  }

  /** Runs a polling handshake and returns the new sid. */
  String handshake() {
    FakeExchange get = handle(FakeExchange.get("EIO=4&transport=polling"));
    assertThat(get.status()).isEqualTo(200);
    Matcher m = SID.matcher(get.bodyText());
    assertThat(m.find()).as("handshake body %s", get.bodyText()).isTrue();
    return m.group(1);
  }

  FakeExchange get(String sid) {
    return handle(FakeExchange.get("EIO=4&transport=polling&sid=" + sid));
  }

  FakeExchange post(String sid, String body) {
    return handle(FakeExchange.post("EIO=4&transport=polling&sid=" + sid, body));
  }

  EngineSession session(String sid) {
    return engine.session(sid);
  }

  boolean isOpen(String sid) {
    EngineSession s = engine.session(sid);
    return s != null && s.isOpen();
  }

  /** Asserts the 400 {"code":1} answer of a sid that no longer exists. */
  void assertSessionUnknown(String sid) {
    FakeExchange get = get(sid);
    assertThat(get.status()).isEqualTo(400);
    assertThat(get.contentType()).isEqualTo("application/json");
    assertThat(get.bodyText()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
  }
}
