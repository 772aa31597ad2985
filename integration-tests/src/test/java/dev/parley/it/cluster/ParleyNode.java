package dev.parley.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.transport.jetty.ParleyJetty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Parley server on 127.0.0.1:0 on the Redis adapter (key prefix of the test, requests time out after
 * 2 s), with the same behaviour as cluster-peer.mjs: data {name, node}, joins auth.room, "shout"(room,
 * text) -> socket.to(room).emit("shouted", text), server-side "hello" recorded and "ping-ssa" answered
 * with {pong: label, got: arg}.
 */
final class ParleyNode implements AutoCloseable {
  static final String REDIS = "redis://127.0.0.1:6379";

  final String label;
  final SocketIoServer io;
  final List<String> serverSide = new CopyOnWriteArrayList<>();
  final Map<String, String> disconnects = new ConcurrentHashMap<>();
  private final ParleyJetty.Running running;

  ParleyNode(String label, String key) {
    this(label, RedisAdapter.factory(REDIS, RedisAdapterOptions.DEFAULT.withKey(key).withRequestsTimeout(Duration.ofSeconds(2))));
  }

  /** A server on the adapters of {@code adapters} (one factory per server). */
  ParleyNode(String label, Adapter.Factory adapters) {
    this.label = label;
    this.io = SocketIoServer.builder()
        .pingInterval(Duration.ofSeconds(1))
        .pingTimeout(Duration.ofSeconds(2))
        .adapter(adapters)
        .build();
    io.onConnection(this::connected);
    io.sockets().onServerSideEmit((event, args, ack) -> {
      if (event.equals("ping-ssa")) {
        ack.send(Map.of("pong", label, "got", args.get(0).asText()));
      } else {
        serverSide.add(event + " " + args.values().stream().map(x -> x.isTextual() ? x.asText() : x.toString()).toList());
      }
    });
    try {
      running = ParleyJetty.listen(io, "127.0.0.1", 0);
    } catch (RuntimeException e) {
      io.close();
      throw e;
    }
  }

  private void connected(Socket s) {
    JsonNode auth = s.handshake().auth();
    s.data().put("name", auth.path("name").asText());
    s.data().put("node", label);
    if (auth.hasNonNull("room")) {
      s.join(auth.get("room").asText());
    }
    s.onDisconnect(reason -> disconnects.put(s.id(), reason.wireName()));
    s.on("shout", (args, ack) -> s.to(args.get(0).asText()).emit("shouted", args.get(1).asText()));
  }

  String url() {
    return "http://127.0.0.1:" + running.port();
  }

  /** The rooms of local socket {@code id}, or null. */
  java.util.Set<String> rooms(String id) {
    Socket s = io.sockets().sockets().get(id);
    return s == null ? null : s.rooms();
  }

  @Override
  public void close() {
    running.close();
  }

  @Override
  public String toString() {
    return label;
  }
}
