package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.engine.AdmissionHook;
import dev.parley.engine.EngineError;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineServer;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The configurable limits: events per second and rooms per socket, connections per IP, origins. */
class LimitsTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private SocketIoServer io;

  @AfterEach
  void tearDown() {
    if (io != null) {
      io.close();
    }
  }

  private SocketIoServer server(java.util.function.Consumer<SocketIoServer.Builder> configure) {
    SocketIoServer.Builder b = SocketIoServer.builder().executor(new DirectExecutorService()).scheduler(scheduler);
    configure.accept(b);
    io = b.build();
    return io;
  }

  private static EngineRequest request(String address) {
    return EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket")
        .upgrade(true).remoteAddress(address).build();
  }

  private FakeTransport connect(String address) {
    FakeTransport t = FakeTransport.webSocket();
    io.engine().handshake(t, request(address));
    t.receive("40");
    return t;
  }

  @Test
  void eventsPastTheRateAreDroppedAndReportedToTheSocket() {
    List<String> handled = new ArrayList<>();
    List<Exception> errors = new ArrayList<>();
    server(b -> b.maxEventsPerSecond(2, 2)).onConnection(s -> {
      s.on("e", (args, ack) -> handled.add(args.get(0).asText()));
      s.onError(errors::add);
    });
    FakeTransport t = connect("10.0.0.1");

    t.receive("42[\"e\",\"1\"]");
    t.receive("42[\"e\",\"2\"]");
    t.receive("421[\"e\",\"3\"]");              // over the burst: dropped, its ack never answered
    assertThat(handled).containsExactly("1", "2");
    assertThat(errors).singleElement().isInstanceOf(LimitExceededException.class);
    assertThat(t.wire()).noneMatch(f -> f.startsWith("431"));

    scheduler.advance(500);                      // one token back at 2 per second
    t.receive("42[\"e\",\"4\"]");
    assertThat(handled).containsExactly("1", "2", "4");
    assertThat(t.closed()).isFalse();            // the connection stays up
  }

  @Test
  void joiningPastTheRoomLimitThrows() {
    List<Socket> sockets = new ArrayList<>();
    server(b -> b.maxRoomsPerSocket(2)).onConnection(sockets::add);
    connect("10.0.0.1");
    Socket s = sockets.get(0);

    s.join("a", "b");
    s.join("a");                                 // already in: still two
    assertThatThrownBy(() -> s.join("c"))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("at most 2 rooms");
    assertThat(s.rooms()).containsExactlyInAnyOrder(s.id(), "a", "b");
    s.leave("a");
    s.join("c");
    assertThat(s.rooms()).containsExactlyInAnyOrder(s.id(), "b", "c");
  }

  @Test
  void handshakesPastTheLimitPerAddressAreRefusedUntilOneCloses() {
    server(b -> b.engine(e -> e.maxConnectionsPerIp(2)));
    EngineServer engine = io.engine();
    FakeTransport first = connect("10.0.0.1");
    connect("10.0.0.1");

    EngineServer.Rejection refused = engine.verify(request("10.0.0.1"));
    assertThat(refused).isNotNull();
    assertThat(refused.error()).isEqualTo(EngineError.FORBIDDEN);
    assertThat(refused.json()).isEqualTo("{\"code\":4,\"message\":\"Too many connections\"}");
    assertThat(engine.verify(request("10.0.0.2"))).isNull();   // other addresses are not affected

    first.receive("1");                                      // one of them closes
    assertThat(engine.verify(request("10.0.0.1"))).isNull();
  }

  @Test
  void theOriginHookAdmitsListedOriginsAndClientsWithoutOrigin() {
    AdmissionHook hook = AdmissionHook.origins("https://app.example.com");
    EngineRequest.Builder base = EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=polling");
    assertThat(hook.check(base.build()).allowed()).isTrue();
    assertThat(hook.check(EngineRequest.builder().method("GET").uri("/")
        .header("Origin", "https://app.example.com").build()).allowed()).isTrue();
    AdmissionHook.Decision evil = hook.check(EngineRequest.builder().method("GET").uri("/")
        .header("Origin", "https://evil.example").build());
    assertThat(evil.allowed()).isFalse();
    assertThat(evil.message()).isEqualTo("Origin not allowed");
    AdmissionHook both = hook.and(r -> AdmissionHook.Decision.refuse("closed"));
    assertThat(both.check(base.build()).message()).isEqualTo("closed");
  }
}
