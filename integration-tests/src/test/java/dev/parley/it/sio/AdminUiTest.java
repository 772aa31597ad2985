package dev.parley.it.sio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.admin.AdminUi;
import dev.parley.admin.AdminUiOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.parley.admin.RedisSessionStore;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.examples.scenario.ScenarioServer;
import dev.parley.transport.jetty.ParleyJetty;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.adapter.redis.RedisStreamsAdapter;
import dev.parley.adapter.redis.RedisStreamsAdapterOptions;
import dev.parley.adapter.Adapter;
import dev.parley.it.EventLog;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin UI's protocol, spoken by Parley's {@link AdminUi} and by a Node socket.io 4.8.4 server
 * instrumented with the official {@code @socket.io/admin-ui} 0.5.1 ({@code admin-reference.mjs}), both
 * driven the same way by the official socket.io-client acting as the admin page: the login (refused with
 * {@code invalid credentials}, admitted with {@code session}, re-admitted by session id), {@code config},
 * {@code all_sockets}, {@code server_stats}, the notifications of a socket's life (connect, upgrade, rooms,
 * events in and out, broadcasts, disconnect) and the page's commands. Each server is checked on its own,
 * then the two are compared: the same events, with the same fields.
 */
@Timeout(120)
class AdminUiTest {
  private static final String PASSWORD = "s3cret pass";
  private static final String REDIS = "redis://127.0.0.1:6379";
  private static final Map<String, Object> LOGIN = Map.of("auth", Map.of("username", "admin", "password", PASSWORD));

  private SioNodeClient node;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void setUp() {
    node = SioNodeClient.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    node.close();
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  // ------------------------------------------------------------------ the servers

  /** The Node reference: {@code node admin-reference.mjs}, its port and the bcryptjs hash it made. */
  private record Reference(Process process, int port, String hash) implements AutoCloseable {
    String url() {
      return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private Reference reference(String mode, boolean readonly) throws IOException {
    return reference(mode, readonly, "");
  }

  /** The reference, on the Redis adapter with key prefix {@code key} unless it is empty. */
  private Reference reference(String mode, boolean readonly, String key) throws IOException {
    Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "admin-reference.mjs", PASSWORD,
        mode, readonly ? "readonly" : "", key).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("NODE_OPTIONS");
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      p.destroyForcibly();
      throw new IllegalStateException("admin-reference.mjs did not start");
    }
    JsonNode ready = SioJson.MAPPER.readTree(line);
    Reference r = new Reference(p, ready.get("port").asInt(), ready.get("hash").asText());
    closeables.add(r);
    return r;
  }

  /** A Parley server whose sockets answer join, leave, ask and broadcast as the reference's do. */
  private SioServer parley(AdminUiOptions.Builder options) {
    return parley(options, b -> {});
  }

  private SioServer parley(AdminUiOptions.Builder options, Consumer<SocketIoServer.Builder> configure) {
    SioServer server = SioServer.start(configure);
    closeables.add(server);
    SocketIoServer io = server.io();
    io.onConnection(s -> {
      s.on("join", (args, ack) -> s.join(args.get(0).asText()));
      s.on("leave", (args, ack) -> s.leave(args.get(0).asText()));
      s.on("ask", (args, ack) -> s.emit("question", args.get(0)));
      s.on("set", (args, ack) -> s.data().put(args.get(0).asText(), args.get(1)));
      s.on("broadcast", (args, ack) -> io.to(args.get(0).asText()).emit("tick", args.get(1)));
    });
    closeables.add(0, AdminUi.instrument(io, options.build()));
    return server;
  }

  // ------------------------------------------------------------------ the scenario

  /** What the admin page saw of one server, by step. */
  private record Seen(ClientEvent config, ClientEvent allSockets, ClientEvent stats, ClientEvent connected,
      ClientEvent updated, ClientEvent dataUpdated, ClientEvent joined, ClientEvent received, ClientEvent sent, ClientEvent broadcast,
      ClientEvent left, ClientEvent disconnected, ClientEvent laterStats, String earlyId, String clientId,
      String clientEngineId, String clientReason) {}

  /** Drives one server as the page does; {@code tag} keeps the client names apart. */
  private Seen run(String url, String tag) {
    ClientSocket early = node.connect(tag + "-early", url, "/", TransportMode.POLLING, Map.of());
    early.awaitConnect();

    ClientSocket intruder = node.connect(tag + "-intruder", url, "/admin", TransportMode.WEBSOCKET,
        Map.of("auth", Map.of("username", "admin", "password", "wrong")));
    assertThat(intruder.awaitConnectError().field("message")).isEqualTo("invalid credentials");
    ClientSocket stranger = node.connect(tag + "-stranger", url, "/admin", TransportMode.WEBSOCKET,
        Map.of("auth", Map.of("sessionId", "0123456789abcdef")));
    assertThat(stranger.awaitConnectError().field("message")).isEqualTo("invalid credentials");

    ClientSocket page = node.connect(tag + "-page", url, "/admin", TransportMode.WEBSOCKET, LOGIN);
    page.awaitConnect();
    String sessionId = page.awaitEvent("session").arg(0).asText();
    assertThat(sessionId).matches("[0-9a-f]{16}");
    ClientEvent config = page.awaitEvent("config");
    ClientEvent all = page.awaitEvent("all_sockets");
    ClientEvent stats = page.awaitEvent("server_stats");

    ClientSocket c = node.connect(tag + "-c", url, "/", TransportMode.UPGRADE, Map.of());
    ClientEvent cConnect = c.awaitConnect();
    String id = cConnect.field("id");
    c.awaitUpgrade();
    ClientEvent connected = awaitNotification(page, "socket_connected", 0, id, n -> n.path("id"));
    ClientEvent updated = awaitNotification(page, "socket_updated", 0, id, n -> n.path("id"));

    c.emit("set", "name", "ann");
    ClientEvent dataUpdated = page.events().awaitFirst(e -> e.isEvent("socket_updated")
        && e.arg(0).path("id").asText().equals(id) && e.arg(0).has("data"), "socket_updated with data");
    c.emit("join", "r1");
    ClientEvent joined = page.events().awaitFirst(e -> e.isEvent("room_joined") && e.arg(1).asText().equals("r1")
        && e.arg(2).asText().equals(id), "room_joined r1");
    ClientEvent received = page.events().awaitFirst(e -> e.isEvent("event_received")
        && e.arg(1).asText().equals(id) && e.arg(2).path(0).asText().equals("join"), "event_received join");
    c.emit("ask", Map.of("q", 1));
    c.awaitEvent("question");
    ClientEvent sent = page.events().awaitFirst(e -> e.isEvent("event_sent") && e.arg(1).asText().equals(id)
        && e.arg(2).path(0).asText().equals("question"), "event_sent question");
    c.emit("broadcast", "r1", Map.of("b", 2));
    c.awaitEvent("tick");
    ClientEvent broadcast = page.events().awaitFirst(e -> e.isEvent("event_sent") && e.arg(1).asText().equals(id)
        && e.arg(2).path(0).asText().equals("tick"), "event_sent tick (a broadcast)");

    // the page's commands: an emit to the socket, join and leave a room, then disconnect the socket
    page.emit("emit", "/", id, "from-admin", Map.of("x", 1));
    assertThat(c.awaitEvent("from-admin").arg(0).toString()).isEqualTo("{\"x\":1}");
    page.emit("join", "/", "r2", id);
    page.events().awaitFirst(e -> e.isEvent("room_joined") && e.arg(1).asText().equals("r2")
        && e.arg(2).asText().equals(id), "room_joined r2 (the page's join)");
    page.emit("leave", "/", "r2", id);
    ClientEvent left = page.events().awaitFirst(e -> e.isEvent("room_left") && e.arg(1).asText().equals("r2")
        && e.arg(2).asText().equals(id), "room_left r2 (the page's leave)");
    page.emit("_disconnect", "/", false, id);
    String reason = c.awaitDisconnect();
    ClientEvent disconnected = page.events().awaitFirst(e -> e.isEvent("socket_disconnected")
        && e.arg(1).asText().equals(id), "socket_disconnected");

    // a page that comes back with its session id is admitted without the password, and gets no new session
    ClientSocket again = node.connect(tag + "-again", url, "/admin", TransportMode.WEBSOCKET,
        Map.of("auth", Map.of("sessionId", sessionId)));
    again.awaitConnect();
    again.awaitEvent("config");
    assertThat(again.received("session")).isEmpty();

    int statsSoFar = page.received("server_stats").size();
    ClientEvent laterStats = page.awaitEvents("server_stats", statsSoFar + 1).get(statsSoFar);
    return new Seen(config, all, stats, connected, updated, dataUpdated, joined, received, sent, broadcast, left, disconnected,
        laterStats, early.id(), id, cConnect.field("engineId"), reason);
  }

  private static ClientEvent awaitNotification(ClientSocket page, String event, int arg, String id,
      java.util.function.Function<JsonNode, JsonNode> idOf) {
    return page.events().awaitFirst(e -> e.isEvent(event) && idOf.apply(e.arg(arg)).asText().equals(id),
        event + " of " + id);
  }

  /** What must hold on any server that speaks the protocol. */
  private static void check(Seen s, String serverId) {
    assertThat(s.config().arg(0).path("supportedFeatures").toString()).isEqualTo("[\"EMIT\",\"JOIN\",\"LEAVE\",\"DISCONNECT\",\"MJOIN\",\"MLEAVE\",\"MDISCONNECT\","
            + "\"AGGREGATED_EVENTS\",\"ALL_EVENTS\"]");

    JsonNode early = null;
    for (JsonNode socket : s.allSockets().arg(0)) {
      if (socket.path("id").asText().equals(s.earlyId())) {
        early = socket;
      }
    }
    assertThat(early).as("the socket connected before the page, in all_sockets").isNotNull();
    assertThat(early.path("nsp").asText()).isEqualTo("/");
    assertThat(early.path("transport").asText()).isEqualTo("polling");
    assertThat(early.path("clientId").asText()).hasSize(12);
    assertThat(early.path("rooms").toString()).isEqualTo("[\"" + s.earlyId() + "\"]");
    assertThat(early.path("handshake").has("auth")).as("auth data is never shown").isFalse();
    assertThat(early.path("handshake").path("query").path("EIO").asText()).isEqualTo("4");
    assertThat(early.path("handshake").path("issued").isNumber()).isTrue();
    assertThat(s.allSockets().arg(0).findValuesAsText("nsp")).contains("/admin");

    JsonNode stats = s.stats().arg(0);
    assertThat(stats.path("serverId").asText()).isEqualTo(serverId);
    assertThat(stats.path("pid").isNumber()).isTrue();
    assertThat(stats.path("clientsCount").asInt()).isGreaterThanOrEqualTo(2); // early and the page
    assertThat(stats.path("pollingClientsCount").asInt()).isGreaterThanOrEqualTo(1); // early
    assertThat(stats.path("namespaces").findValuesAsText("name")).contains("/", "/admin");

    JsonNode c = s.connected().arg(0);
    assertThat(c.path("clientId").asText()).isEqualTo(s.clientEngineId().substring(0, 12));
    assertThat(c.path("transport").asText()).isEqualTo("polling");
    assertThat(s.connected().arg(1).asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(s.updated().arg(0).toString())
        .isEqualTo("{\"id\":\"" + s.clientId() + "\",\"nsp\":\"/\",\"transport\":\"websocket\"}");
    assertThat(s.dataUpdated().arg(0).toString())
        .isEqualTo("{\"id\":\"" + s.clientId() + "\",\"nsp\":\"/\",\"data\":{\"name\":\"ann\"}}");
    assertThat(s.received().arg(2).toString()).isEqualTo("[\"join\",\"r1\"]");
    assertThat(s.sent().arg(2).toString()).isEqualTo("[\"question\",{\"q\":1}]");
    assertThat(s.broadcast().arg(2).toString()).isEqualTo("[\"tick\",{\"b\":2}]");
    assertThat(s.clientReason()).isEqualTo("io server disconnect");
    assertThat(s.disconnected().args().stream().map(JsonNode::asText).toList()).startsWith("/", s.clientId(),
        "server namespace disconnect");

    JsonNode later = s.laterStats().arg(0);
    Set<String> types = new TreeSet<>(later.path("aggregatedEvents").findValuesAsText("type"));
    assertThat(types).as("aggregated events since the previous stats").contains("packetsIn", "packetsOut",
        "bytesIn", "bytesOut");
  }

  @Test
  void theAdminPageSeesAndSteersAParleyServerAsItDoesAnInstrumentedNodeServer() throws Exception {
    Reference ref = reference("development", false);
    SioServer server = parley(AdminUiOptions.builder().basicAuth("admin", ref.hash()).serverId("parley")); // bcryptjs's $2a$

    Seen nodeSeen = run(ref.url(), "node");
    check(nodeSeen, "node-reference");
    Seen parleySeen = run(server.url(), "parley");
    check(parleySeen, "parley");
    assertThat(server.io().of("/").sockets()).doesNotContainKey(parleySeen.clientId());

    // the same fields, at every level the page reads
    assertSameShape(parleySeen.config(), nodeSeen.config());
    assertSameShape(parleySeen.stats(), nodeSeen.stats());
    assertSameShape(parleySeen.connected(), nodeSeen.connected());
    assertSameShape(parleySeen.updated(), nodeSeen.updated());
    assertSameShape(parleySeen.dataUpdated(), nodeSeen.dataUpdated());
    assertSameShape(parleySeen.joined(), nodeSeen.joined());
    assertSameShape(parleySeen.received(), nodeSeen.received());
    assertSameShape(parleySeen.sent(), nodeSeen.sent());
    assertSameShape(parleySeen.left(), nodeSeen.left());
    assertSameShape(parleySeen.disconnected(), nodeSeen.disconnected());
    assertThat(fields(first(parleySeen.allSockets().arg(0)))).isEqualTo(fields(first(nodeSeen.allSockets().arg(0))));
    assertThat(fields(parleySeen.allSockets().arg(0).get(0).path("handshake")))
        .isEqualTo(fields(nodeSeen.allSockets().arg(0).get(0).path("handshake")));
    assertThat(fields(parleySeen.connected().arg(0).path("handshake")))
        .isEqualTo(fields(nodeSeen.connected().arg(0).path("handshake")));
    assertThat(fields(parleySeen.laterStats().arg(0).path("aggregatedEvents").get(0)))
        .isSubsetOf("timestamp", "type", "subType", "count");
  }

  @Test
  void aReadonlyProductionPageGetsOnlyStatisticsAndItsCommandsAreIgnored() throws Exception {
    Reference ref = reference("production", true);
    SioServer server = parley(AdminUiOptions.builder().basicAuth("admin", bcrypt2b(PASSWORD)).readonly(true)
        .mode(AdminUiOptions.Mode.PRODUCTION).serverId("parley"));
    for (String url : List.of(ref.url(), server.url())) {
      String tag = url.equals(ref.url()) ? "node" : "parley";
      ClientSocket c = node.connect(tag + "-c", url, "/", TransportMode.WEBSOCKET, Map.of());
      String id = c.awaitConnect().field("id");
      ClientSocket page = node.connect(tag + "-page", url, "/admin", TransportMode.WEBSOCKET, LOGIN);
      page.awaitConnect();
      assertThat(page.awaitEvent("config").arg(0).toString()).isEqualTo("{\"supportedFeatures\":[\"AGGREGATED_EVENTS\"]}");
      page.emit("_disconnect", "/", true, id);
      page.emit("join", "/", "r9", id);
      c.emit("ping-me");
      int before = page.received("server_stats").size();
      page.awaitEvents("server_stats", before + 2); // time for a command to act, had it been obeyed
      assertThat(c.events().matching(e -> e.is("disconnect"))).as(tag + ": readonly ignores _disconnect").isEmpty();
      assertThat(page.received("all_sockets")).isEmpty();
      assertThat(page.received("socket_connected")).isEmpty();
      assertThat(page.received("room_joined")).isEmpty();
      assertThat(page.received("event_received")).isEmpty();
    }
    Socket s = server.io().of("/").sockets().values().iterator().next();
    assertThat(s.rooms()).doesNotContain("r9");
  }

  // ------------------------------------------------------------------ clusters

  /** Parley on the Redis adapter with key prefix {@code key}, admin sessions in Redis, named {@code serverId}. */
  private SioServer clusterMember(String key, String serverId, String hash, StatefulRedisConnection<String, String> redis) {
    return clusterMember(key, serverId, hash, redis, RedisAdapter.factory(REDIS,
        RedisAdapterOptions.DEFAULT.withKey(key).withRequestsTimeout(Duration.ofSeconds(2))));
  }

  private SioServer clusterMember(String key, String serverId, String hash, StatefulRedisConnection<String, String> redis,
      Adapter.Factory adapter) {
    return parley(AdminUiOptions.builder().basicAuth("admin", hash).serverId(serverId)
            .store(new RedisSessionStore(redis, key + "-admin", Duration.ofMinutes(5))),
        b -> b.adapter(adapter));
  }

  /** At the end, deletes the Redis keys of the test's prefix (streams, sessions), with a connection of its own. */
  private void cleanUp(String key) {
    closeables.add(() -> {
      RedisClient cleaner = RedisClient.create(REDIS);
      try (StatefulRedisConnection<String, String> c = cleaner.connect()) {
        List<String> keys = c.sync().keys(key + "*");
        if (!keys.isEmpty()) {
          c.sync().del(keys.toArray(String[]::new));
        }
      } finally {
        cleaner.shutdown();
      }
    });
  }

  private StatefulRedisConnection<String, String> redis() {
    RedisClient client = RedisClient.create(REDIS);
    StatefulRedisConnection<String, String> connection = client.connect();
    closeables.add(() -> {
      connection.close();
      client.shutdown();
    });
    return connection;
  }

  /** What a page connected to {@code url} sees of a cluster whose other member is {@code otherUrl}. */
  private void pageSeesTheWholeCluster(String tag, String url, String otherUrl, String otherServerId,
      String thisServerId, SioServer anyParley) {
    java.util.function.Function<String, Set<String>> otherRoomsOf = id -> anyParley.io().of("/").fetchSockets()
        .join().stream().filter(r -> r.id().equals(id)).findFirst().map(r -> r.rooms()).orElse(null);
    ClientSocket far = node.connect(tag + "-far", otherUrl, "/", TransportMode.POLLING, Map.of());
    String farId = far.awaitConnect().field("id");
    far.emit("join", "far-room");

    EventLog.until("the room join on the other server", () -> otherRoomsOf.apply(farId) != null
        && otherRoomsOf.apply(farId).contains("far-room"));
    ClientSocket page = node.connect(tag + "-page", url, "/admin", TransportMode.WEBSOCKET, LOGIN);
    page.awaitConnect();
    String sessionId = page.awaitEvent("session").arg(0).asText();

    // all_sockets holds the other server's socket, with what its server keeps in its data for the page
    JsonNode farEntry = null;
    for (JsonNode e : page.awaitEvent("all_sockets").arg(0)) {
      if (e.path("id").asText().equals(farId)) {
        farEntry = e;
      }
    }
    assertThat(farEntry).as("the other server's socket in all_sockets").isNotNull();
    assertThat(farEntry.path("clientId").asText()).hasSize(12);
    assertThat(farEntry.path("transport").asText()).isEqualTo("polling");
    assertThat(farEntry.path("rooms").toString()).contains("far-room");
    assertThat(farEntry.path("data").has("_admin")).isFalse();

    // both servers' stats reach the page
    page.events().awaitFirst(e -> e.isEvent("server_stats") && e.arg(0).path("serverId").asText().equals(otherServerId),
        "server_stats of " + otherServerId);
    page.events().awaitFirst(e -> e.isEvent("server_stats") && e.arg(0).path("serverId").asText().equals(thisServerId),
        "server_stats of " + thisServerId);

    // the other server's notifications, and the page's commands acting there
    ClientSocket late = node.connect(tag + "-late", otherUrl, "/", TransportMode.WEBSOCKET, Map.of());
    String lateId = late.awaitConnect().field("id");
    page.events().awaitFirst(e -> e.isEvent("socket_connected") && e.arg(0).path("id").asText().equals(lateId),
        "socket_connected from the other server");
    page.emit("join", "/", "by-admin", farId);
    page.events().awaitFirst(e -> e.isEvent("room_joined") && e.arg(1).asText().equals("by-admin")
        && e.arg(2).asText().equals(farId), "room_joined on the other server");
    EventLog.until("the join reaches the other server", () -> otherRoomsOf.apply(farId).contains("by-admin"));
    page.emit("_disconnect", "/", false, lateId);
    assertThat(late.awaitDisconnect()).isEqualTo("io server disconnect");
    page.events().awaitFirst(e -> e.isEvent("socket_disconnected") && e.arg(1).asText().equals(lateId),
        "socket_disconnected from the other server");

    // the session is good on the other server too (shared store)
    ClientSocket again = node.connect(tag + "-again", otherUrl, "/admin", TransportMode.WEBSOCKET,
        Map.of("auth", Map.of("sessionId", sessionId)));
    again.awaitConnect();
    again.awaitEvent("config");
  }

  @Test
  void twoParleyServersOnTheRedisAdapterAreOneClusterInThePage() {
    String key = "parley-admin-" + UUID.randomUUID();
    cleanUp(key);
    StatefulRedisConnection<String, String> redis = redis();
    String hash = bcrypt2b(PASSWORD);
    SioServer a = clusterMember(key, "A", hash, redis);
    SioServer b = clusterMember(key, "B", hash, redis);
    pageSeesTheWholeCluster("ab", a.url(), b.url(), "B", "A", a);
    pageSeesTheWholeCluster("ba", b.url(), a.url(), "A", "B", a);

    // a namespace B does not have: its fetchSockets times out, and the page gets A's own sockets of it
    a.io().of("/only-a");
    String onlyA = node.connect("only-a", a.url(), "/only-a", TransportMode.WEBSOCKET, Map.of()).awaitConnect().field("id");
    ClientSocket page = node.connect("only-a-page", a.url(), "/admin", TransportMode.WEBSOCKET, LOGIN);
    assertThat(page.awaitEvent("all_sockets").arg(0).findValuesAsText("id")).contains(onlyA);
  }

  @Test
  void twoParleyServersOnTheRedisStreamsAdapterAreOneClusterInThePage() {
    String key = "parley-admin-" + UUID.randomUUID();
    StatefulRedisConnection<String, String> redis = redis();
    cleanUp(key);
    String hash = bcrypt2b(PASSWORD);
    java.util.function.Supplier<Adapter.Factory> streams = () -> RedisStreamsAdapter.factory(REDIS,
        RedisStreamsAdapterOptions.DEFAULT.withStreamName(key).withChannelPrefix(key)
            .withSessionKeyPrefix(key + ":session:").withBlockTime(Duration.ofMillis(500))
            .withRequestsTimeout(Duration.ofSeconds(2)));
    SioServer a = clusterMember(key, "A", hash, redis, streams.get());
    SioServer b = clusterMember(key, "B", hash, redis, streams.get());
    pageSeesTheWholeCluster("sab", a.url(), b.url(), "B", "A", a);
  }

  @Test
  void aParleyServerAndAnInstrumentedNodeServerOnOneRedisAreOneClusterInThePage() throws Exception {
    String key = "parley-admin-" + UUID.randomUUID();
    cleanUp(key);
    Reference ref = reference("development", false, key);
    SioServer parley = clusterMember(key, "parley", ref.hash(), redis());
    // the page on Parley sees and steers the Node server's sockets, and the page on Node Parley's
    pageSeesTheWholeCluster("pn", parley.url(), ref.url(), "node-reference", "parley", parley);
    pageSeesTheWholeCluster("np", ref.url(), parley.url(), "parley", "node-reference", parley);
  }

  // ------------------------------------------------------------------ the scenario server

  /** The scenario server as {@code ADMIN_UI=<adminUi>} with {@code ADMIN_UI_AUTH=<auth>} starts it. */
  private String scenario(String adminUi, String auth) {
    SocketIoServer io = ScenarioServer.create(InMemoryAdapter::new, null, true);
    AdminUi.instrument(io, ScenarioServer.adminUiOptions(adminUi, auth));
    ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
    closeables.add(running);
    return "http://127.0.0.1:" + running.port();
  }

  @Test
  void theScenarioServersAdminUiSettings() throws Exception {
    String features = "\"EMIT\",\"JOIN\",\"LEAVE\",\"DISCONNECT\",\"MJOIN\",\"MLEAVE\",\"MDISCONNECT\",";
    // ADMIN_UI=on with ADMIN_UI_AUTH: development mode, basic auth
    String on = scenario("on", "admin:" + bcrypt2b(PASSWORD));
    ClientSocket c = node.connect("on-c", on, "/", TransportMode.WEBSOCKET, Map.of());
    String id = c.awaitConnect().field("id");
    ClientSocket refused = node.connect("on-refused", on, "/admin", TransportMode.WEBSOCKET, Map.of());
    assertThat(refused.awaitConnectError().field("message")).isEqualTo("invalid credentials");
    ClientSocket page = node.connect("on-page", on, "/admin", TransportMode.WEBSOCKET, LOGIN);
    page.awaitConnect();
    page.awaitEvent("session");
    assertThat(page.awaitEvent("config").arg(0).toString())
        .isEqualTo("{\"supportedFeatures\":[" + features + "\"AGGREGATED_EVENTS\",\"ALL_EVENTS\"]}");
    assertThat(page.awaitEvent("all_sockets").arg(0).findValuesAsText("id")).contains(id);
    assertThat(page.awaitEvent("server_stats").arg(0).path("serverId").asText()).endsWith("#" + ProcessHandle.current().pid());
    c.emit("echo", "hi");
    page.events().awaitFirst(e -> e.isEvent("event_received") && e.arg(2).toString().equals("[\"echo\",\"hi\"]"),
        "event_received echo");
    // the page connects withCredentials: CORS answers with the origin and allows credentials
    HttpResponse<String> handshake = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(on + "/socket.io/?EIO=4&transport=polling")).header("Origin", "https://admin.socket.io").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(handshake.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://admin.socket.io");
    assertThat(handshake.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

    // without ADMIN_UI_AUTH anyone is admitted, and no session is made
    ClientSocket open = node.connect("open-page", scenario("on", null), "/admin", TransportMode.WEBSOCKET, Map.of());
    open.awaitConnect();
    open.awaitEvent("all_sockets");
    assertThat(open.received("session")).isEmpty();

    // ADMIN_UI=readonly and ADMIN_UI=production
    ClientSocket ro = node.connect("ro-page", scenario("readonly", null), "/admin", TransportMode.WEBSOCKET, Map.of());
    assertThat(ro.awaitEvent("config").arg(0).toString())
        .isEqualTo("{\"supportedFeatures\":[\"AGGREGATED_EVENTS\",\"ALL_EVENTS\"]}");
    ClientSocket prod = node.connect("prod-page", scenario("production", null), "/admin", TransportMode.WEBSOCKET,
        Map.of());
    assertThat(prod.awaitEvent("config").arg(0).toString())
        .isEqualTo("{\"supportedFeatures\":[" + features + "\"AGGREGATED_EVENTS\"]}");
    prod.awaitEvent("server_stats");
    assertThat(prod.received("all_sockets")).isEmpty();

    assertThat(ScenarioServer.adminUiOptions("off", "admin:x")).isNull();
    assertThatThrownBy(() -> ScenarioServer.adminUiOptions("yes", null)).hasMessageContaining("ADMIN_UI=yes");
    assertThatThrownBy(() -> ScenarioServer.adminUiOptions("on", "no-colon")).hasMessageContaining("user:");
  }

  // ------------------------------------------------------------------ helpers

  private static String bcrypt2b(String password) {
    return at.favre.lib.crypto.bcrypt.BCrypt.with(at.favre.lib.crypto.bcrypt.BCrypt.Version.VERSION_2B)
        .hashToString(4, password.toCharArray());
  }

  private static JsonNode first(JsonNode array) {
    return array.get(0);
  }

  /** An event's shape: its name, then per argument its JSON type and, for objects, their field names. */
  private static void assertSameShape(ClientEvent parley, ClientEvent reference) {
    assertThat(shape(parley)).as(parley.field("event")).isEqualTo(shape(reference));
  }

  private static List<String> shape(ClientEvent e) {
    List<String> out = new ArrayList<>();
    out.add(e.field("event"));
    for (JsonNode a : e.args()) {
      out.add(a.getNodeType() + (a.isObject() ? " " + fields(a) : ""));
    }
    return out;
  }

  private static Set<String> fields(JsonNode object) {
    Set<String> out = new TreeSet<>();
    Iterator<String> names = object.fieldNames();
    names.forEachRemaining(out::add);
    return out;
  }
}
