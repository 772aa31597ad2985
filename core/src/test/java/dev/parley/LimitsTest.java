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

/**
 * The configurable limits: events per second and rooms per socket, connections per IP, origins, what
 * unfinished binary packets may hold per connection and per server.
 */
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

  private static final String TEN_ATTACHMENTS = "4510-[\"echo\"" + ",{\"_placeholder\":true,\"num\":0}".repeat(1)
      + java.util.stream.IntStream.range(1, 10).mapToObj(i -> ",{\"_placeholder\":true,\"num\":" + i + "}")
          .collect(java.util.stream.Collectors.joining()) + "]";
  /** What the header counts for: its Socket.IO text, without the Engine.IO type digit. */
  private static final int HEADER = TEN_ATTACHMENTS.length() - 1;

  @Test
  void aConnectionHoldingMoreThanItsLimitOfAnUnfinishedPacketIsClosed() {
    List<String> echoed = new ArrayList<>();
    server(b -> b.maxPartialPacketBytes(HEADER + 10_000))
        .onConnection(s -> s.on("echo", (args, ack) -> echoed.add("complete")));
    FakeTransport honest = connect("10.0.0.1");
    FakeTransport greedy = connect("10.0.0.2");

    // ten attachments of 1,000 bytes: within the limit
    honest.receive(TEN_ATTACHMENTS);
    for (int i = 0; i < 10; i++) {
      honest.receive(dev.parley.engine.EnginePacket.message(new byte[1_000]));
    }
    assertThat(echoed).containsExactly("complete");
    assertThat(io.partialPacketBudget().used()).isZero();

    // nine attachments of 1,200 bytes and none more: past the limit at the ninth
    greedy.receive(TEN_ATTACHMENTS);
    for (int i = 0; i < 8; i++) {
      greedy.receive(dev.parley.engine.EnginePacket.message(new byte[1_200]));
    }
    assertThat(greedy.closed()).isFalse();
    assertThat(io.partialPacketBudget().used()).isEqualTo(HEADER + 8 * 1_200);
    greedy.receive(dev.parley.engine.EnginePacket.message(new byte[1_200]));
    assertThat(greedy.closed()).isTrue();
    assertThat(io.partialPacketBudget().used()).as("given back").isZero();
    assertThat(honest.closed()).isFalse();
  }

  @Test
  void theServersBudgetForUnfinishedPacketsClosesTheConnectionThatWouldPassIt() {
    server(b -> b.partialPacketBudget(25_000).maxPartialPacketBytes(1_000_000));
    FakeTransport first = connect("10.0.0.1");
    FakeTransport second = connect("10.0.0.2");
    first.receive(TEN_ATTACHMENTS);
    second.receive(TEN_ATTACHMENTS);
    for (int i = 0; i < 2; i++) {
      first.receive(dev.parley.engine.EnginePacket.message(new byte[10_000]));
    }
    assertThat(io.partialPacketBudget().used()).isEqualTo(2L * HEADER + 20_000);

    second.receive(dev.parley.engine.EnginePacket.message(new byte[5_000])); // would pass 25,000

    assertThat(second.closed()).isTrue();
    assertThat(first.closed()).isFalse();
    assertThat(io.partialPacketBudget().used()).isEqualTo(HEADER + 20_000L);
    first.receive("1");                                   // a connection that closes gives back what it held
    assertThat(first.closed()).isTrue();
    assertThat(io.partialPacketBudget().used()).isZero();
  }

  @Test
  void theDefaultsAcceptWhatTheReferenceAcceptsFromOneClientAndBudgetAnEighthOfTheHeap() {
    server(b -> {});
    assertThat(io.maxPartialPacketBytes()).isEqualTo(11 * 1_000_000L);
    assertThat(io.partialPacketBudget().limit()).isEqualTo(Runtime.getRuntime().maxMemory() / 8);
    io.close();
    server(b -> b.maxAttachments(3).maxHttpBufferSize(500_000));
    assertThat(io.maxPartialPacketBytes()).isEqualTo(4 * 500_000L);
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
