package dev.parley.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ConnectError;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyJetty;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The binder on a real server (Jetty on a random loopback port) with the official Java client, read
 * through a {@link SimpleMeterRegistry}.
 */
@Timeout(60)
class ParleyMetricsTest {
  private SocketIoServer io;
  private ParleyJetty.Running running;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Socket> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    io = SocketIoServer.builder().build();
    io.onConnection(socket -> {
      socket.on("echo", (args, ack) -> ack.send(args.get(0)));
      socket.on("shout", (args, ack) -> io.emit("shouted", args.get(0)));
      socket.on("ask", (args, ack) -> socket.emitWithAck("question", "?").thenAccept(answer -> socket.emit("asked")));
    });
    io.of("/admin").use((socket, next) -> next.fail(new ConnectError("no")));
    running = ParleyJetty.listen(io, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    clients.forEach(Socket::close);
    running.close();
    registry.close();
  }

  @Test
  void countsWhatRealClientsDo() throws Exception {
    ParleyMetrics.of(io).bindTo(registry);
    assertThat(gauge("parley.sockets.connected", "namespace", "/")).isZero();

    Socket a = connect("/", "websocket");
    Socket b = connect("/", "polling");
    await(() -> gauge("parley.sockets.connected", "namespace", "/") == 2, "two sockets");
    assertThat(gauge("parley.connections.open", "transport", "websocket")).isEqualTo(1);
    assertThat(gauge("parley.connections.open", "transport", "polling")).isEqualTo(1);
    assertThat(counter("parley.connections.opened")).isEqualTo(2);
    assertThat(counter("parley.sockets.connects")).isEqualTo(2);

    // an event with an ack: one event in, one ack out
    CompletableFuture<Object> echoed = new CompletableFuture<>();
    a.emit("echo", new Object[] {"hi"}, args -> echoed.complete(args[0]));
    assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hi");
    assertThat(counter("parley.events.received")).isEqualTo(1);
    // counted once the ack is queued, which the client may see first
    await(() -> counter("parley.acks.sent") == 1, "the ack counted");

    // a broadcast to both sockets
    BlockingQueue<Object> shouted = new LinkedBlockingQueue<>();
    a.on("shouted", args -> shouted.add(args[0]));
    b.on("shouted", args -> shouted.add(args[0]));
    a.emit("shout", "all");
    assertThat(shouted.poll(10, TimeUnit.SECONDS)).isEqualTo("all");
    assertThat(shouted.poll(10, TimeUnit.SECONDS)).isEqualTo("all");
    await(() -> counter("parley.broadcasts") == 1 && counter("parley.broadcast.recipients") == 2, "the broadcast");
    assertThat(counter("parley.events.sent")).isEqualTo(2);

    // the server asks, the client answers: the ack round trip is timed
    CompletableFuture<Void> asked = new CompletableFuture<>();
    b.on("question", args -> ((io.socket.client.Ack) args[args.length - 1]).call("!"));
    b.on("asked", args -> asked.complete(null));
    b.emit("ask");
    asked.get(10, TimeUnit.SECONDS);
    Timer rtt = registry.get("parley.ack.round.trip").timer();
    assertThat(rtt.count()).isEqualTo(1);
    assertThat(rtt.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(counter("parley.acks.received")).isEqualTo(1);

    // Engine.IO traffic both ways
    assertThat(counter("parley.engine.received.packets")).isPositive();
    assertThat(counter("parley.engine.received.bytes")).isGreaterThan(counter("parley.engine.received.packets"));
    assertThat(counter("parley.engine.sent.packets")).isPositive();
    assertThat(counter("parley.engine.sent.bytes")).isPositive();
    assertThat(registry.get("parley.engine.sent.bytes").functionCounter().getId().getBaseUnit()).isEqualTo("bytes");

    // a refused CONNECT, then a namespace created after binding gets its gauge
    CompletableFuture<Object> refused = new CompletableFuture<>();
    Socket admin = IO.socket(URI.create("http://127.0.0.1:" + running.port() + "/admin"),
        options("websocket"));
    clients.add(admin);
    admin.on(Socket.EVENT_CONNECT_ERROR, args -> refused.complete(args[0]));
    admin.connect();
    refused.get(10, TimeUnit.SECONDS);
    await(() -> counter("parley.connect.refusals", "cause", "middleware") == 1, "the refusal");

    io.of("/late");
    Socket late = connect("/late", "websocket");
    await(() -> gauge("parley.sockets.connected", "namespace", "/late") == 1, "the late namespace's gauge");

    // leaving: a client-side disconnect is counted by reason
    a.disconnect();
    late.disconnect();
    await(() -> counter("parley.sockets.disconnects", "reason", "client_namespace_disconnect") == 2, "two leaving");
    await(() -> gauge("parley.sockets.connected", "namespace", "/") == 1, "one socket left");
    assertThat(counter("parley.sockets.disconnects", "reason", "ping_timeout")).isZero();

    // the in-memory adapter: no cluster, nothing to time out, always reachable
    assertThat(counter("parley.adapter.requests")).isZero();
    assertThat(counter("parley.adapter.request.timeouts")).isZero();
    assertThat(counter("parley.adapter.outages")).isZero();
    assertThat(gauge("parley.adapter.reachable")).isEqualTo(1);
  }

  @Test
  void aDynamicChildNamespaceRemovedAndCreatedAgainKeepsItsGauge() throws Exception {
    running.close();
    io = SocketIoServer.builder().cleanupEmptyChildNamespaces(true).build();
    io.of(Pattern.compile("/room-\\d+"));
    running = ParleyJetty.listen(io, "127.0.0.1", 0);
    ParleyMetrics.of(io).bindTo(registry);

    Socket first = connect("/room-1", "websocket");
    await(() -> gauge("parley.sockets.connected", "namespace", "/room-1") == 1, "the child's gauge");
    first.disconnect();
    await(() -> io.namespaces().stream().noneMatch(n -> n.name().equals("/room-1")), "the child removed");
    assertThat(gauge("parley.sockets.connected", "namespace", "/room-1")).isZero();

    connect("/room-1", "websocket"); // a new child of the same name
    await(() -> gauge("parley.sockets.connected", "namespace", "/room-1") == 1, "the new child counted");
    assertThat(registry.find("parley.sockets.connected").tag("namespace", "/room-1").gauges()).hasSize(1);
  }

  @Test
  void tagsEveryMeterAndClosesCleanly() {
    ParleyMetrics metrics = ParleyMetrics.builder(io).tags(Tags.of("server", "chat")).build();
    metrics.bindTo(registry);
    List<Meter> meters = registry.getMeters();
    assertThat(meters).isNotEmpty();
    assertThat(meters).allSatisfy(m -> {
      assertThat(m.getId().getName()).startsWith("parley.");
      assertThat(m.getId().getTag("server")).isEqualTo("chat");
    });
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void withoutNamespaceGaugesOrTimerNoObserverAndOneSocketGauge() throws Exception {
    ParleyMetrics.builder(io).socketsByNamespace(false).ackRoundTrip(false).build().bindTo(registry);
    assertThat(registry.find("parley.ack.round.trip").timer()).isNull();
    Gauge all = registry.get("parley.sockets.connected").gauge();
    assertThat(all.getId().getTag("namespace")).isNull();
    connect("/", "websocket");
    await(() -> all.value() == 1, "one socket");
  }

  private Socket connect(String namespace, String transport) {
    String url = "http://127.0.0.1:" + running.port() + namespace;
    Socket s = IO.socket(URI.create(url), options(transport));
    clients.add(s);
    CompletableFuture<Void> connected = new CompletableFuture<>();
    s.once(Socket.EVENT_CONNECT, args -> connected.complete(null));
    s.connect();
    try {
      connected.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not connect to " + url + " over " + transport, e);
    }
    return s;
  }

  private static IO.Options options(String transport) {
    IO.Options o = new IO.Options();
    o.transports = new String[] {transport};
    o.reconnection = false;
    o.forceNew = true;
    return o;
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  private double counter(String name, String... tags) {
    FunctionCounter c = registry.get(name).tags(tags).functionCounter();
    return c.count();
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
