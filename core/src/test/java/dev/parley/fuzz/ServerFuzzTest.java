package dev.parley.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineRequest;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.ManualScheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random frames into a live server (real sessions, clients and sockets over fake transports, on the
 * test thread): nothing escapes as an exception, the server keeps serving a well-behaved client, and
 * once every fuzzed connection is closed no session is left.
 */
class ServerFuzzTest {
  private static final List<String> FRAMES = List.of(
      "40", "40/chat,", "40{\"token\":1}", "41", "42[\"echo\",1]", "421[\"echo\",{\"a\":[1,2]}]", "43[]", "4312[1]",
      "451-[\"echo\",{\"_placeholder\":true,\"num\":0}]", "452-[\"x\",{\"_placeholder\":true,\"num\":1}]",
      "44{\"message\":\"x\"}", "42[\"connect\"]", "4", "42", "2", "3", "1", "5", "6", "2probe", "4abc",
      "42/nope,[\"x\"]", "40/nope,", "48", "4-1-", "42[" + "[".repeat(3000) + "]");
  private static final List<Throwable> ESCAPED = new CopyOnWriteArrayList<>();
  private static ManualScheduler scheduler;
  private static SocketIoServer io;

  @BeforeContainer
  static void start() {
    scheduler = new ManualScheduler();
    io = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(scheduler)
        .errorHandler((socket, event, error) -> ESCAPED.add(error))
        .build();
    io.onConnection(s -> s.on("echo", (args, ack) -> ack.send(args.values().toArray())));
    io.of("/chat").onConnection(s -> s.emit("hi"));
  }

  @AfterContainer
  static void stop() {
    io.close();
  }

  @Provide
  Arbitrary<List<Object>> frames() {
    Arbitrary<Object> text = Arbitraries.oneOf(Arbitraries.of(FRAMES), Arbitraries.strings().ofMaxLength(30)).map(s -> s);
    Arbitrary<Object> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(b -> b);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, text),
        net.jqwik.api.Tuple.of(1, binary)).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 30_000)
  void randomFramesNeverBreakTheServer(@ForAll("frames") List<Object> frames) {
    FakeTransport t = FakeTransport.webSocket();
    io.engine().handshake(t, EngineRequest.builder().method("GET")
        .uri("/socket.io/?EIO=4&transport=websocket").upgrade(true).build());
    for (Object f : frames) {
      if (f instanceof String) {
        t.receive((String) f);
      } else {
        t.receive(EnginePacket.message((byte[]) f));
      }
    }
    t.fireClose();                               // the client goes away, whatever state it left
    assertThat(ESCAPED).as("exceptions that reached the error handler").isEmpty();
    assertThat(io.engine().sessionCount()).as("sessions left").isZero();

    FakeTransport good = FakeTransport.webSocket(); // and a well-behaved client is still served
    io.engine().handshake(good, EngineRequest.builder().method("GET")
        .uri("/socket.io/?EIO=4&transport=websocket").upgrade(true).build());
    good.receive("40");
    good.receive("421[\"echo\",\"ok\"]");
    assertThat(good.wire()).contains("431[\"ok\"]");
    good.fireClose();
  }
}
