package dev.parley.examples.docs;

import dev.parley.ConnectionStateRecovery;
import dev.parley.SocketIoServer;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.adapter.redis.RedisEmitter;
import dev.parley.adapter.redis.RedisStreamsAdapter;
import dev.parley.adapter.redis.RedisStreamsAdapterOptions;
import dev.parley.adapter.redis.ShardedRedisAdapter;
import dev.parley.adapter.redis.ShardedRedisAdapterOptions;
import dev.parley.engine.CookieOptions;
import dev.parley.engine.TransportKind;
import dev.parley.transport.jetty.ParleyJetty;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The code of {@code docs/scaling.md}, compiled with the project: each region between
 * {@code tag::NAME[]} and {@code end::NAME[]} appears verbatim in the page after a
 * {@code <!-- snippet: ScalingSnippets.java#NAME -->} marker, and {@code DocsSnippetsTest} checks
 * that they are equal.
 *
 * <pre>{@code
 * ScalingSnippets.redis(); // never called: it only has to compile
 * }</pre>
 */
@SuppressWarnings("unused")
final class ScalingSnippets {
  private ScalingSnippets() {}

  static void redis() {
    // tag::scaling-redis[]
    SocketIoServer io = SocketIoServer.builder()
        .adapter(RedisAdapter.factory("redis://127.0.0.1:6379", RedisAdapterOptions.DEFAULT))
        .build();
    ParleyJetty.Running running = ParleyJetty.listen(io, 3000);

    io.onConnection(socket -> socket.join("news"));
    io.to("news").emit("headline", "reaches the sockets of every server");
    // end::scaling-redis[]
  }

  static RedisAdapterOptions options() {
    // tag::scaling-options[]
    RedisAdapterOptions options = RedisAdapterOptions.DEFAULT   // "socket.io", 5 s, false
        .withKey("myapp")                                       // channel prefix: myapp#/#, myapp-request#/#, ...
        .withRequestsTimeout(Duration.ofSeconds(2))             // fetchSockets, allRooms, serverSideEmitWithAck
        .withPublishOnSpecificResponseChannel(true);            // answers go to the requester's own channel
    // end::scaling-options[]
    return options;
  }

  static void clusterOps(SocketIoServer io) throws Exception {
    // tag::scaling-cluster-ops[]
    io.fetchSockets().thenAccept(sockets -> sockets.forEach(remote -> {
      if (!remote.isLocal()) {                  // a socket of another server, Java or Node
        remote.emit("hello", "from " + remote.data().get("name"));
      }
    }));
    io.in("room1").socketsJoin("room2");
    io.in("room2").disconnectSockets(false);
    io.sockets().onServerSideEmit((event, args, ack) -> ack.send(Map.of("status", "ok")));
    io.serverSideEmitWithAck("health").thenAccept(answers -> System.out.println(answers.size() + " answered"));
    io.timeout(Duration.ofSeconds(2)).emitWithAck("ping")
        .whenComplete((answers, error) -> System.out.println(error == null ? answers : error.getMessage()));
    // end::scaling-cluster-ops[]
  }

  static SocketIoServer websocketOnly() {
    // tag::scaling-websocket-only[]
    SocketIoServer io = SocketIoServer.builder()
        .engine(engine -> engine.transports(TransportKind.WEBSOCKET))
        .adapter(RedisAdapter.factory("redis://127.0.0.1:6379", RedisAdapterOptions.DEFAULT))
        .build();
    // end::scaling-websocket-only[]
    return io;
  }

  static SocketIoServer cookie() {
    // tag::scaling-cookie[]
    SocketIoServer io = SocketIoServer.builder()
        .engine(engine -> engine.cookie(CookieOptions.builder().name("io").path("/").sameSite("Lax").build()))
        .adapter(RedisAdapter.factory("redis://127.0.0.1:6379", RedisAdapterOptions.DEFAULT))
        .build();
    // end::scaling-cookie[]
    return io;
  }

  static SocketIoServer streams() {
    // tag::scaling-streams[]
    SocketIoServer io = SocketIoServer.builder()
        .connectionStateRecovery(ConnectionStateRecovery.defaults())   // 2 min window, as in Node
        .adapter(RedisStreamsAdapter.factory("redis://127.0.0.1:6379",
            RedisStreamsAdapterOptions.DEFAULT                         // stream "socket.io", MAXLEN ~ 10,000
                .withStreamName("myapp")
                .withMaxLen(100_000)))                                 // how far back a client can recover
        .build();
    // end::scaling-streams[]
    return io;
  }

  static SocketIoServer sharded() {
    // tag::scaling-sharded[]
    SocketIoServer io = SocketIoServer.builder()
        .adapter(ShardedRedisAdapter.factory(
            "redis://10.0.0.1:7000,redis://10.0.0.2:7000,redis://10.0.0.3:7000",  // seeds, or one URI
            ShardedRedisAdapterOptions.DEFAULT                         // prefix "socket.io", mode dynamic
                .withSubscriptionMode(ShardedRedisAdapterOptions.SubscriptionMode.DYNAMIC)))
        .build();
    // end::scaling-sharded[]
    return io;
  }

  static void emitter() {
    // tag::scaling-emitter[]
    try (RedisEmitter emitter = RedisEmitter.create("redis://127.0.0.1:6379", "socket.io")) {
      emitter.to("room1").emit("report", Map.of("rows", 1200), new byte[] {1, 2, 3});
      emitter.of("/admin").except("muted").emit("notice", "nightly job done");
      emitter.in("room1").socketsJoin("archived");
      emitter.serverSideEmit("cache-flush", List.of("users"));
    }
    // end::scaling-emitter[]
  }
}
