package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.RoomEvent;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@link ServerObserver} callback: when it comes, with what, in which order against the user's
 * own handlers and listeners; that a throwing observer is contained and logged rate-limited; and
 * that registration and removal work at run time.
 */
class ServerObserverTest {
  private InProcessServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  /** Writes every call as one line. */
  static class Recorder implements ServerObserver {
    final List<String> calls = new ArrayList<>();
    final List<Args> deliveredArgs = new ArrayList<>();
    final boolean deliveries;
    Handshake refusedHandshake;
    long lastAckNanos = -1;

    Recorder(boolean deliveries) {
      this.deliveries = deliveries;
    }

    Recorder() {
      this(false);
    }

    @Override
    public void onSocketConnected(Socket socket) {
      calls.add("connected " + socket.id() + " " + socket.namespace().name() + " connected=" + socket.connected()
          + " rooms=" + socket.rooms().size());
    }

    @Override
    public void onSocketDisconnected(Socket socket, DisconnectReason reason) {
      calls.add("disconnected " + socket.id() + " " + reason.name() + " connected=" + socket.connected()
          + " rooms=" + socket.rooms().size());
    }

    @Override
    public void onSocketDataChanged(Socket socket, String key) {
      calls.add("data " + socket.id() + " " + key + " " + new TreeMap<>(socket.data()));
    }

    @Override
    public void onTransportUpgraded(Socket socket) {
      calls.add("upgraded " + socket.id() + " " + socket.namespace().name() + " " + socket.transport());
    }

    @Override
    public void onConnectRefused(String namespace, Handshake handshake, ConnectRefusal cause, String message) {
      refusedHandshake = handshake;
      calls.add("refused " + namespace + " " + cause + " " + message);
    }

    @Override
    public void onEventReceived(Socket socket, String event, Args args) {
      calls.add("received " + socket.id() + " " + event + " " + args);
    }

    @Override
    public void onEventSent(Socket socket, String event, Args args) {
      calls.add("sent " + socket.id() + " " + event + " " + args);
    }

    @Override
    public void onBroadcast(Namespace namespace, Set<String> rooms, Set<String> except, String event, Args args,
        int localRecipients) {
      calls.add("broadcast " + namespace.name() + " to=" + new TreeSet<>(rooms) + " except=" + new TreeSet<>(except)
          + " " + event + " " + args + " recipients=" + localRecipients);
    }

    @Override
    public void onBroadcastDelivered(Socket socket, String event, Args args) {
      deliveredArgs.add(args);
      calls.add("delivered " + socket.id() + " " + event + " " + args);
    }

    @Override
    public boolean observesBroadcastDeliveries() {
      return deliveries;
    }

    @Override
    public void onRoomEvent(Namespace namespace, RoomEvent event) {
      calls.add("room " + namespace.name() + " " + event.kind() + " " + event.room()
          + (event.socketId() == null ? "" : " " + event.socketId()));
    }

    @Override
    public void onAck(Socket socket, long roundTripNanos) {
      lastAckNanos = roundTripNanos;
      calls.add("ack " + socket.id());
    }

    @Override
    public void onServerSideEmit(Namespace namespace, String event, Args args) {
      calls.add("serverSideEmit " + namespace.name() + " " + event + " " + args);
    }

    @Override
    public void onServerSideEvent(Namespace namespace, String event, Args args) {
      calls.add("serverSideEvent " + namespace.name() + " " + event + " " + args);
    }

    List<String> starting(String prefix) {
      return calls.stream().filter(c -> c.startsWith(prefix)).collect(java.util.stream.Collectors.toList());
    }
  }

  private Recorder observe(Recorder r) {
    server.io.observe(r);
    return r;
  }

  // ------------------------------------------------------------------ sockets

  @Test
  void aConnectIsObservedAfterTheRoomsAreJoinedAndBeforeTheConnectionHandlers() {
    server = new InProcessServer();
    Recorder r = observe(new Recorder());
    List<String> order = r.calls;
    server.io.onConnection(s -> order.add("handler " + s.id()));

    InProcessServer.Conn c = server.connect();
    String sid = c.sid();

    assertThat(r.calls).containsExactly(
        "room / CREATE " + sid,
        "room / JOIN " + sid + " " + sid,
        "connected " + sid + " / connected=true rooms=1",
        "handler " + sid);
    assertThat(server.last().handshake().auth().isObject()).isTrue();
  }

  @Test
  void anUpgradeIsObservedOncePerSocketOfTheConnectionWithTheNewTransport() {
    server = new InProcessServer();
    server.io.of("/chat");
    Recorder r = observe(new Recorder());
    InProcessServer.Conn c = server.open(FakeTransport.polling());
    c.send("40");
    c.send("40/chat,");
    String root = server.last().id();
    String chat = server.io.of("/chat").sockets().keySet().iterator().next();
    r.calls.clear();

    FakeTransport ws = FakeTransport.webSocket();
    assertThat(server.io.engine().offerUpgrade(c.session.id(), ws)).isTrue();
    ws.receive("2probe");
    assertThat(r.calls).isEmpty(); // probing is not upgrading
    ws.receive("5");

    assertThat(r.calls).containsExactlyInAnyOrder("upgraded " + root + " / websocket",
        "upgraded " + chat + " /chat websocket");
  }

  @Test
  void dataChangesOfAConnectedSocketAreObservedWithTheKeyAfterTheChange() {
    server = new InProcessServer();
    server.io.use((socket, next) -> {
      socket.data().put("early", 1); // before the connect: not reported
      next.proceed();
    });
    Recorder r = observe(new Recorder());
    server.io.onConnection(s -> s.data().put("user", "ann"));
    server.connect();
    Socket s = server.last();
    String id = s.id();
    s.data().remove("missing");        // nothing removed: nothing reported
    s.data().merge("n", 1, (a, b) -> b);
    s.data().putAll(Map.of("a", 1, "b", 2));
    s.data().remove("early");
    s.data().clear();

    assertThat(r.calls).filteredOn(call -> call.startsWith("data ")).containsExactly(
        "data " + id + " user {early=1, user=ann}",
        "data " + id + " n {early=1, n=1, user=ann}",
        "data " + id + " null {a=1, b=2, early=1, n=1, user=ann}",
        "data " + id + " early {a=1, b=2, n=1, user=ann}",
        "data " + id + " null {}");
    assertThat(r.calls.indexOf("data " + id + " user {early=1, user=ann}"))
        .isGreaterThan(r.calls.indexOf("connected " + id + " / connected=true rooms=1"));
  }

  @Test
  void aConnectionThatStartsOnWebSocketIsNeverReportedUpgraded() {
    server = new InProcessServer();
    Recorder r = observe(new Recorder());
    server.connect();
    assertThat(r.calls).noneMatch(call -> call.startsWith("upgraded"));
  }

  @Test
  void aDisconnectIsObservedAfterTheDisconnectListenersWithItsReason() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    Recorder r = observe(new Recorder());
    s.onDisconnect(reason -> r.calls.add("listener " + reason));

    c.send("41");

    assertThat(r.calls.subList(r.calls.size() - 2, r.calls.size())).containsExactly(
        "listener client namespace disconnect",
        "disconnected " + s.id() + " CLIENT_NAMESPACE_DISCONNECT connected=false rooms=0");
  }

  @Test
  void aClosedConnectionDisconnectsEverySocketWithTheEnginesReason() {
    server = new InProcessServer();
    server.io.of("/other");
    InProcessServer.Conn c = server.connect();
    c.send("40/other,");
    Recorder r = observe(new Recorder());

    c.transport.fireError("reset (test)");

    assertThat(r.starting("disconnected")).hasSize(2).allMatch(line -> line.contains(" TRANSPORT_ERROR "));
  }

  @Test
  void refusalsAreObservedWithTheirCauseMessageAndHandshake() {
    server = new InProcessServer(b -> b.maxDynamicNamespaces(1));
    server.io.of("/secure").use((socket, next) -> next.fail(new ConnectError("unauthorized")));
    server.io.of(Pattern.compile("/dyn-\\d+"));
    Recorder r = observe(new Recorder());
    InProcessServer.Conn c = server.open();

    c.send("40/secure,{\"token\":\"t\"}");
    assertThat(r.refusedHandshake.auth().path("token").asText()).isEqualTo("t");
    c.send("40/nowhere,");
    c.send("40/dyn-1,");
    c.send("40/dyn-2,");                        // past maxDynamicNamespaces

    assertThat(r.starting("refused")).containsExactly(
        "refused /secure MIDDLEWARE unauthorized",
        "refused /nowhere INVALID_NAMESPACE Invalid namespace",
        "refused /dyn-2 TOO_MANY_NAMESPACES Too many namespaces");
    assertThat(r.starting("connected")).hasSize(1);
  }

  @Test
  void aMiddlewareThatThrowsIsAMiddlewareRefusal() {
    server = new InProcessServer();
    server.io.use((socket, next) -> {
      throw new IllegalStateException("broken (test)");
    });
    Recorder r = observe(new Recorder());
    server.open().send("40");
    assertThat(r.starting("refused")).containsExactly("refused / MIDDLEWARE broken (test)");
  }

  // ------------------------------------------------------------------ events

  @Test
  void anIncomingEventIsObservedBeforeTheAnyListenersAndHandlers() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    Recorder r = observe(new Recorder());
    s.onAny((event, args) -> r.calls.add("any " + event));
    s.on("hello", (args, ack) -> r.calls.add("handler " + args));

    c.send("42[\"hello\",1,{\"a\":true}]");

    assertThat(r.calls).containsExactly(
        "received " + s.id() + " hello [1, {\"a\":true}]",
        "any hello",
        "handler [1, {\"a\":true}]");
  }

  @Test
  void anEventTheRateLimitDropsIsNotObservedAsReceived() {
    server = new InProcessServer(b -> b.maxEventsPerSecond(1, 1));
    InProcessServer.Conn c = server.connect();
    Recorder r = observe(new Recorder());
    c.send("42[\"e\",1]");
    c.send("42[\"e\",2]");                      // over the burst: dropped
    assertThat(r.starting("received")).hasSize(1);
  }

  @Test
  void emitsToOneSocketAreObservedAsSentWithTheirArguments() {
    server = new InProcessServer();
    server.connect();
    Socket s = server.last();
    Recorder r = observe(new Recorder());
    List<String> outgoing = new ArrayList<>();
    s.onAnyOutgoing((event, args) -> outgoing.add(event + " " + args));

    s.emit("a", 1);
    s.unreliable().emit("b", "x");
    s.emitWithAck("c", (err, res) -> {}, true);
    s.timeout(Duration.ofSeconds(1)).emitWithAck("d");
    s.send("hi");

    assertThat(r.calls).containsExactly(
        "sent " + s.id() + " a [1]",
        "sent " + s.id() + " b [\"x\"]",
        "sent " + s.id() + " c [true]",
        "sent " + s.id() + " d []",
        "sent " + s.id() + " message [\"hi\"]");
    assertThat(outgoing).hasSize(5);
  }

  @Test
  void anEmitToADisconnectedSocketIsNotObserved() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    c.send("41");
    Recorder r = observe(new Recorder());
    s.emit("late");
    assertThat(r.calls).isEmpty();
  }

  // ------------------------------------------------------------------ broadcasts

  @Test
  void aBroadcastIsObservedOnceWithItsTargetsAndLocalRecipients() {
    server = new InProcessServer();
    server.connect();
    Socket a = server.last();
    server.connect();
    Socket b = server.last();
    server.connect();
    Socket other = server.last();
    a.join("r");
    b.join("r");
    Recorder r = observe(new Recorder());

    server.io.to("r").emit("news", "x");
    a.to("r").emit("typing");
    server.io.except("r").emit("lonely", 1, 2);
    server.io.emit("all");

    assertThat(r.calls).containsExactly(
        "broadcast / to=[r] except=[] news [\"x\"] recipients=2",
        "broadcast / to=[r] except=[" + a.id() + "] typing [] recipients=1",
        "broadcast / to=[] except=[r] lonely [1, 2] recipients=1",
        "broadcast / to=[] except=[] all [] recipients=3");
    assertThat(other.id()).isNotNull();
  }

  @Test
  void broadcastDeliveriesAreObservedPerRecipientOnlyByAnObserverThatAsks() {
    server = new InProcessServer();
    server.connect();
    Socket a = server.last();
    server.connect();
    Socket b = server.last();
    Recorder quiet = observe(new Recorder(false));
    Recorder each = observe(new Recorder(true));

    server.io.emit("tick", 7);

    assertThat(quiet.starting("delivered")).isEmpty();
    assertThat(each.starting("delivered")).containsExactlyInAnyOrder(
        "delivered " + a.id() + " tick [7]", "delivered " + b.id() + " tick [7]");
    assertThat(each.deliveredArgs.get(0)).as("one Args per broadcast, not per recipient")
        .isSameAs(each.deliveredArgs.get(1));
    assertThat(each.starting("broadcast")).containsExactly("broadcast / to=[] except=[] tick [7] recipients=2");
  }

  @Test
  void aBroadcastFromAnotherServerIsObservedPerRecipientButNotAsThisServersBroadcast() {
    AtomicReference<AdapterContext> context = new AtomicReference<>();
    server = new InProcessServer(b -> b.adapter(ctx -> {
      context.compareAndSet(null, ctx);
      return new InMemoryAdapter(ctx);
    }));
    server.connect();
    Socket a = server.last();
    Recorder r = observe(new Recorder(true));

    // what a cluster adapter does with another server's broadcast: encode it here, deliver locally
    var packet = dev.parley.adapter.Packet.event("/", dev.parley.adapter.Payload.ofPlain(List.of("remote", 1L)));
    context.get().deliver(a.id(), context.get().encode(packet), dev.parley.adapter.BroadcastFlags.NONE);

    assertThat(r.calls).containsExactly("delivered " + a.id() + " remote [1]");
  }

  @Test
  void aBroadcastWithAcksIsObservedAndEachAnswerIsAnAckWithItsSocket() throws Exception {
    server = new InProcessServer();
    InProcessServer.Conn ca = server.connect();
    Socket a = server.last();
    InProcessServer.Conn cb = server.connect();
    Socket b = server.last();
    Recorder r = observe(new Recorder());

    CompletableFuture<List<Args>> answers = server.io.timeout(Duration.ofSeconds(5)).emitWithAck("poll", "q");
    ca.send("430[\"yes\"]");
    cb.send("430[\"no\"]");

    assertThat(answers.get()).hasSize(2);
    assertThat(r.calls).containsExactly(
        "broadcast / to=[] except=[] poll [\"q\"] recipients=2",
        "ack " + a.id(),
        "ack " + b.id());
  }

  // ------------------------------------------------------------------ rooms, acks, server-side emits

  @Test
  void roomChangesAreObservedAsTheNamespacesRoomEvents() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    Recorder r = observe(new Recorder());
    List<RoomEvent> listener = new ArrayList<>();
    server.io.sockets().onRoomEvent(listener::add);

    s.join("r");
    s.leave("r");

    assertThat(r.calls).containsExactly(
        "room / CREATE r", "room / JOIN r " + s.id(), "room / LEAVE r " + s.id(), "room / DELETE r");
    assertThat(listener).hasSize(4);
    c.send("41");
    assertThat(r.calls).contains("room / LEAVE " + s.id() + " " + s.id());
  }

  @Test
  void anAnsweredEmitWithAckIsObservedWithItsRoundTrip() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    Recorder r = observe(new Recorder());
    List<String> order = r.calls;

    s.emitWithAck("ask", (err, res) -> order.add("callback " + res), "q");
    c.send("430[\"a\"]");
    c.send("430[\"again\"]");                   // a second answer to the same id is ignored

    assertThat(r.calls).containsExactly("sent " + s.id() + " ask [\"q\"]", "ack " + s.id(), "callback [\"a\"]");
    assertThat(r.lastAckNanos).isGreaterThanOrEqualTo(0);
  }

  @Test
  void anAckSentBeforeTheObserverWasRegisteredIsNotTimed() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    s.emitWithAck("ask", (err, res) -> {});
    Recorder r = observe(new Recorder());
    c.send("430[]");
    assertThat(r.calls).isEmpty();
    assertThat(server.io.stats().acksReceived()).isEqualTo(1);
  }

  @Test
  void serverSideEmitsAreObservedSentAndReceived() {
    AtomicReference<AdapterContext> context = new AtomicReference<>();
    server = new InProcessServer(b -> b.adapter(ctx -> {
      context.compareAndSet(null, ctx);
      return new InMemoryAdapter(ctx);
    }));
    Recorder r = observe(new Recorder());
    List<String> listener = new ArrayList<>();
    server.io.sockets().onServerSideEmit((event, args, ack) -> listener.add(event));

    server.io.serverSideEmit("hello", 1, Map.of("k", "v"));
    context.get().serverSideEvent(List.of("from-other", "x"), null);

    assertThat(r.calls).containsExactly(
        "serverSideEmit / hello [1, {\"k\":\"v\"}]",
        "serverSideEvent / from-other [\"x\"]");
    assertThat(listener).containsExactly("from-other");
  }

  // ------------------------------------------------------------------ registration and failures

  @Test
  void anObserverFromTheBuilderSeesTheFirstConnectAndUnobserveStopsIt() {
    Recorder r = new Recorder();
    server = new InProcessServer(b -> b.observer(r));
    InProcessServer.Conn c = server.connect();
    assertThat(r.starting("connected")).hasSize(1);

    assertThat(server.io.unobserve(r)).isTrue();
    assertThat(server.io.unobserve(r)).isFalse();
    c.send("42[\"x\"]");
    server.io.emit("y");
    assertThat(r.starting("received")).isEmpty();
    assertThat(r.starting("broadcast")).isEmpty();
  }

  @Test
  void aThrowingObserverIsContainedAndLoggedOncePerInterval() {
    server = new InProcessServer();
    InProcessServer.Conn c = server.connect();
    Socket s = server.last();
    List<String> handled = new ArrayList<>();
    s.on("e", (args, ack) -> {
      handled.add(args.get(0).asText());
      ack.send("ok");
    });
    ServerObserver broken = new ServerObserver() {
      @Override
      public void onEventReceived(Socket socket, String event, Args args) {
        throw new IllegalStateException("observer broke (test)");
      }

      @Override
      public void onBroadcast(Namespace namespace, Set<String> rooms, Set<String> except, String event, Args args,
          int localRecipients) {
        throw new IllegalStateException("observer broke (test)");
      }
    };
    server.io.observe(broken);
    Recorder after = observe(new Recorder());

    try (LogCapture log = LogCapture.start()) {
      for (int i = 0; i < 1_000; i++) {
        c.send("42" + i + "[\"e\",\"" + i + "\"]");
      }
      server.io.emit("b");
      String flood = log.text();
      assertThat(flood.split("java.lang.IllegalStateException: observer broke \\(test\\)", -1))
          .as("one stack trace per observer method in the interval").hasSize(3);
      assertThat(flood).contains(".onEventReceived threw");

      server.scheduler.advance(10_000);                 // the interval ends: one line with the count
      assertThat(log.text().substring(flood.length())).contains("999 more times in the last 10 s");
    }
    assertThat(handled).hasSize(1_000);                 // the handlers ran
    assertThat(c.last()).isEqualTo("42[\"b\"]");         // the broadcast went out
    assertThat(c.wire()).contains("43999[\"ok\"]");       // and the acks
    assertThat(after.starting("received")).hasSize(1_000); // the next observer was still called
    assertThat(server.errors).as("observer failures are not the user's handler errors").isEmpty();
    assertThat(s.connected()).isTrue();
  }

  @Test
  void anObserverThatThrowsWhenAskedAboutDeliveriesIsStillRegistered() {
    server = new InProcessServer();
    server.connect();
    Recorder r = new Recorder() {
      @Override
      public boolean observesBroadcastDeliveries() {
        throw new IllegalStateException("(test)");
      }
    };
    try (LogCapture log = LogCapture.start()) {
      server.io.observe(r);
    }
    server.io.emit("x");
    assertThat(r.starting("broadcast")).hasSize(1);
    assertThat(r.starting("delivered")).isEmpty();
  }
}
