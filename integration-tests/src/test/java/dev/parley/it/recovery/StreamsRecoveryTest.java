package dev.parley.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.ConnectionStateRecovery;
import dev.parley.DisconnectReason;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.adapter.redis.RedisStreamsAdapter;
import dev.parley.adapter.redis.RedisStreamsAdapterOptions;
import dev.parley.transport.jetty.ParleyJetty;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Connection state recovery ACROSS servers on the Redis Streams adapter, with the official JS client
 * (socket.io-client 4.8.4): the client is on server A, its connection is cut (TCP reset through
 * {@link CutProxy}), both servers broadcast while it is away, and it reconnects to server B, which
 * gives it back its socket id, rooms and data, {@code recovered=true}, and every missed event once, in
 * stream order, each with its stream id as offset. Servers are Parley or Node.js socket.io with
 * {@code @socket.io/redis-streams-adapter} 0.3.1 ({@code streams-peer.mjs}) sharing one stream, so this
 * also checks broadcasts both ways and sessions persisted by one implementation and restored by the other.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StreamsRecoveryTest {
  private static final String REDIS = "redis://127.0.0.1:6379";
  private final String key = "parley-it-" + UUID.randomUUID().toString().substring(0, 8);
  private RedisClient client;
  private StatefulRedisConnection<String, String> redis;

  @BeforeEach
  void connect() {
    client = RedisClient.create(REDIS);
    redis = client.connect();
  }

  @AfterEach
  void cleanUp() {
    List<String> keys = redis.sync().keys(key + "*");
    if (!keys.isEmpty()) {
      redis.sync().del(keys.toArray(String[]::new));
    }
    redis.close();
    client.shutdown();
  }

  @ParameterizedTest(name = "{0} -> {1} over {2}")
  @CsvSource({
      "parley, parley, websocket",
      "parley, parley, polling",
      "node, parley, websocket",
      "parley, node, websocket",
  })
  void aClientCutFromOneServerIsRecoveredByAnother(String first, String second, String transport) throws Exception {
    try (Peer a = peer(first); Peer b = peer(second);
        CutProxy proxy = new CutProxy(a.port());
        RecoveryNodeClient js = new RecoveryNodeClient("http://127.0.0.1:" + proxy.port(), transport)) {
      JsonNode connect1 = js.awaitNth("connect", 1);
      assertThat(connect1.path("recovered").asBoolean()).isFalse();
      String id = connect1.path("id").asText();
      for (int i = 0; i < 3; i++) {
        int v = i;
        appended(() -> a.emit("room1", null, false, "m", v));
      }
      js.awaitNth("event", 3); // it has an offset now

      proxy.cut();
      a.awaitDisconnect(id);
      await("the session persisted in Redis", () -> !redis.sync().keys(key + ":session:*").isEmpty());
      appended(() -> b.emit("room1", null, false, "m", 3));   // missed: replayed, whichever server sent it
      appended(() -> a.emit("room1", null, false, "m", 4));
      appended(() -> b.emit("room2", null, false, "m", -1));  // never for this client
      appended(() -> a.emit(null, "room1", false, "m", -2));  // never for this client
      if (second.equals("parley")) {
        appended(() -> a.emit(null, null, true, "m", -3)); // volatile: not replayed (Node's restore replays it)
      }
      appended(() -> b.emit("room1", null, false, "m", 5));
      appended(() -> a.emit("room1", null, false, "m", 6));
      appended(() -> b.emit("room1", null, false, "m", 7));
      proxy.retarget(b.port());
      proxy.up();

      JsonNode connect2 = js.awaitNth("connect", 2);
      assertThat(connect2.path("recovered").asBoolean()).as("socket.recovered").isTrue();
      assertThat(connect2.path("id").asText()).isEqualTo(id);
      appended(() -> b.emit("room1", null, false, "m", 8)); // live again
      appended(() -> a.emit("room1", null, false, "m", 9));
      appended(() -> a.emit(null, null, false, "end", 0));  // after everything else in the stream
      js.await("the end marker", list -> list.stream().anyMatch(e -> e.path("event").asText().equals("end")));

      List<String> streamIds = redis.sync().xrange(key, Range.create("-", "+")).stream().map(StreamMessage::getId).toList();
      List<Integer> received = new ArrayList<>();
      List<String> offsets = new ArrayList<>();
      for (JsonNode e : js.events("event")) {
        if (e.path("event").asText().equals("end")) {
          continue;
        }
        assertThat(e.path("event").asText()).isEqualTo("m");
        JsonNode args = e.path("args");
        assertThat(args.size()).as("value + offset: %s", e).isEqualTo(2);
        received.add(args.get(0).asInt());
        offsets.add(args.get(1).asText());
      }
      assertThat(received).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      assertThat(streamIds).as("every offset is a stream id").containsAll(offsets);
      assertThat(offsets).doesNotHaveDuplicates()
          .isSortedAccordingTo((x, y) -> Integer.compare(streamIds.indexOf(x), streamIds.indexOf(y)));
      assertThat(js.events("disconnect")).hasSize(1);

      Map<String, Object> state = b.socket(id);
      assertThat(state.get("found")).isEqualTo(true);
      assertThat(state.get("recovered")).isEqualTo(true);
      assertThat(((java.util.Collection<?>) state.get("rooms")).stream().map(String::valueOf).toList()).containsExactlyInAnyOrder(id, "room1");
      assertThat(((Map<?, ?>) state.get("data")).get("user")).isEqualTo("ann");
      assertThat(a.freshConnections()).containsExactly(id);
      assertThat(b.freshConnections()).isEmpty();
      assertThat(redis.sync().keys(key + ":session:*")).as("the session was taken").isEmpty();
    }
  }

  /** Runs {@code emit} and waits until the stream has one more entry. */
  private void appended(Runnable emit) throws InterruptedException {
    long before = redis.sync().xlen(key);
    emit.run();
    await("an entry appended to the stream", () -> redis.sync().xlen(key) > before);
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private Peer peer(String kind) throws Exception {
    return kind.equals("node") ? new NodePeer(key) : new ParleyPeer(key);
  }

  /** A server of the cluster, as the test drives it. */
  interface Peer extends AutoCloseable {
    int port();

    /** Emits {@code event(value)} to {@code room} (all when null), minus {@code except}, volatile or not. */
    void emit(String room, String except, boolean unreliable, String event, int value);

    /** {found, recovered, rooms, data} of a local socket. */
    Map<String, Object> socket(String id) throws Exception;

    void awaitDisconnect(String id) throws InterruptedException;

    /** Ids of the sockets that connected without being recovered. */
    List<String> freshConnections();

    @Override
    void close();
  }

  /** A Parley server on the Streams adapter with recovery on (Node's defaults). */
  static final class ParleyPeer implements Peer {
    final SocketIoServer io;
    final ParleyJetty.Running running;
    final Map<String, DisconnectReason> disconnects = new ConcurrentHashMap<>();
    final List<String> fresh = new CopyOnWriteArrayList<>();

    ParleyPeer(String key) {
      io = SocketIoServer.builder()
          .pingInterval(Duration.ofSeconds(1))
          .pingTimeout(Duration.ofSeconds(2))
          .connectionStateRecovery(ConnectionStateRecovery.defaults())
          .adapter(RedisStreamsAdapter.factory(REDIS, RedisStreamsAdapterOptions.DEFAULT
              .withStreamName(key)
              .withSessionKeyPrefix(key + ":session:")
              .withChannelPrefix(key)
              .withBlockTime(Duration.ofMillis(500))
              .withRequestsTimeout(Duration.ofSeconds(2))))
          .build();
      io.onConnection(s -> {
        if (!s.recovered()) {
          fresh.add(s.id());
          s.join("room1");
          s.data().put("user", "ann");
        }
        s.onDisconnect(reason -> disconnects.put(s.id(), reason));
      });
      running = ParleyJetty.listen(io, "127.0.0.1", 0);
    }

    @Override
    public int port() {
      return running.port();
    }

    @Override
    public void emit(String room, String except, boolean unreliable, String event, int value) {
      if (room != null) {
        io.to(room).emit(event, value);
      } else if (except != null) {
        io.except(except).emit(event, value);
      } else if (unreliable) {
        io.unreliable().emit(event, value);
      } else {
        io.emit(event, value);
      }
    }

    @Override
    public Map<String, Object> socket(String id) {
      Socket s = io.sockets().sockets().get(id);
      if (s == null) {
        return Map.of("found", false);
      }
      return Map.of("found", true, "recovered", s.recovered(), "rooms", Set.copyOf(s.rooms()), "data", Map.copyOf(s.data()));
    }

    @Override
    public void awaitDisconnect(String id) throws InterruptedException {
      await("the server to see " + id + " disconnect", () -> disconnects.containsKey(id));
      assertThat(ConnectionStateRecovery.RECOVERABLE_REASONS).contains(disconnects.get(id));
    }

    @Override
    public List<String> freshConnections() {
      return List.copyOf(fresh);
    }

    @Override
    public void close() {
      running.close();
      io.close();
    }
  }

  /** A Node.js socket.io 4.8.4 server on @socket.io/redis-streams-adapter 0.3.1 (streams-peer.mjs). */
  static final class NodePeer implements Peer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final int port;
    private int nextId;

    NodePeer(String key) throws Exception {
      Path dir = Path.of(System.getProperty("parley.node.dir", "src/test/node")).toAbsolutePath();
      ProcessBuilder pb = new ProcessBuilder(System.getProperty("parley.node", "node"), "streams-peer.mjs", key, REDIS)
          .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
      pb.environment().remove("NODE_OPTIONS");
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            JsonNode node = JSON.readTree(line);
            if (node.has("event")) {
              events.add(node);
            } else {
              answers.add(node);
            }
          }
        } catch (IOException | RuntimeException ignored) {
          // the process ended
        }
      }, "streams-peer-out");
      reader.setDaemon(true);
      reader.start();
      JsonNode ready = answers.poll(15, TimeUnit.SECONDS);
      if (ready == null) {
        close();
        throw new AssertionError("streams-peer.mjs did not start");
      }
      port = ready.path("port").asInt();
    }

    private synchronized JsonNode call(String cmd, Map<String, Object> fields) {
      try {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", ++nextId);
        m.put("cmd", cmd);
        fields.forEach((k, v) -> m.set(k, JSON.valueToTree(v)));
        OutputStream out = process.getOutputStream();
        out.write(JSON.writeValueAsBytes(m));
        out.write('\n');
        out.flush();
        while (true) {
          JsonNode answer = answers.poll(10, TimeUnit.SECONDS);
          if (answer == null) {
            throw new AssertionError("no answer from streams-peer.mjs to " + cmd);
          }
          if (answer.path("id").asInt() == nextId) {
            if (answer.has("error")) {
              throw new AssertionError("streams-peer.mjs: " + cmd + " failed: " + answer.get("error").asText());
            }
            return answer;
          }
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public void emit(String room, String except, boolean unreliable, String event, int value) {
      Map<String, Object> c = new java.util.HashMap<>();
      c.put("rooms", room == null ? List.of() : List.of(room));
      c.put("except", except == null ? List.of() : List.of(except));
      c.put("volatile", unreliable);
      c.put("event", event);
      c.put("args", List.of(value));
      call("emit", c);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> socket(String id) {
      return JSON.convertValue(call("socket", Map.of("socket", id)), Map.class);
    }

    @Override
    public void awaitDisconnect(String id) throws InterruptedException {
      await("the Node server to see " + id + " disconnect", () -> events.stream()
          .anyMatch(e -> e.path("event").asText().equals("disconnect") && e.path("id").asText().equals(id)));
    }

    @Override
    public List<String> freshConnections() {
      return events.stream()
          .filter(e -> e.path("event").asText().equals("connection") && !e.path("recovered").asBoolean())
          .map(e -> e.path("id").asText()).toList();
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
