package dev.parley.adapter.redis;

import static dev.parley.adapter.redis.Redis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A process with no server reaches the sockets of two servers through the emitter. */
@Timeout(30)
class RedisEmitterTest {
  private String key;
  private Redis.Node a;
  private Redis.Node b;
  private RedisEmitter emitter;

  @BeforeEach
  void setUp() {
    key = Redis.freshKey();
    a = new Redis.Node(Redis.URI, Redis.options(key)).socket("a1", "room1").socket("a2");
    b = new Redis.Node(Redis.URI, Redis.options(key)).socket("b1", "room1", "room2").socket("b2", "room2");
    emitter = RedisEmitter.create(Redis.URI, key);
  }

  @AfterEach
  void tearDown() {
    emitter.close();
    a.close();
    b.close();
  }

  @Test
  void emitReachesTheTargetedSocketsOfEveryServer() {
    emitter.emit("news", "from emitter", 1, Map.of("k", List.of(true)), new byte[] {7, 7});
    emitter.to("room1").emit("room1");
    emitter.to("room1", "room2").except("room1").unreliable().compress(true).emit("r2-not-r1");
    await("all", () -> !b.context.deliveries("b2").isEmpty() && b.context.deliveries("b2").size() == 2);
    Redis.flush(a, b);
    @SuppressWarnings("unchecked")
    List<Object> first = (List<Object>) a.context.deliveries("a2").get(0);
    assertThat(first.subList(0, 4)).containsExactly("news", "from emitter", 1L, Map.of("k", List.of(true)));
    assertThat((byte[]) first.get(4)).containsExactly(7, 7);
    assertThat(a.context.deliveries("a1")).hasSize(2).contains(List.of("room1"));
    assertThat(b.context.deliveries("b1")).hasSize(2).contains(List.of("room1"));
    assertThat(b.context.deliveries("b2")).hasSize(2).contains(List.of("r2-not-r1"));
  }

  @Test
  void otherNamespaces() {
    try (Redis.Node chat = new Redis.Node(Redis.URI, Redis.options(key), "/chat").socket("c1")) {
      emitter.of("chat").emit("chat", "hi");
      await("c1", () -> !chat.context.deliveries("c1").isEmpty());
      assertThat(chat.context.deliveries("c1")).containsExactly(List.of("chat", "hi"));
      Redis.flush(a, b);
      assertThat(a.context.deliveries("a1")).isEmpty();
    }
  }

  @Test
  void socketsJoinLeaveAndDisconnect() {
    emitter.in("room2").socketsJoin("ejoined");
    await("joined", () -> b.adapter.sockets(Set.of("ejoined")).size() == 2);
    emitter.socketsLeave("room1");
    await("left", () -> a.adapter.sockets(Set.of("room1")).isEmpty() && b.adapter.sockets(Set.of("room1")).isEmpty());
    emitter.in("room2").except("ejoined-nobody").disconnectSockets(false);
    await("disconnected", () -> b.context.disconnects().size() == 2);
    assertThat(b.context.disconnects()).containsExactlyInAnyOrder("b1", "b2");
    assertThat(a.context.disconnects()).isEmpty();
  }

  @Test
  void serverSideEmitReachesEveryServer() {
    emitter.serverSideEmit("hello", "from emitter");
    await("both", () -> !a.context.serverSideEvents().isEmpty() && !b.context.serverSideEvents().isEmpty());
    assertThat(a.context.serverSideEvents()).containsExactly(List.of("hello", "from emitter"));
  }

  @Test
  void reservedEventsAreRefused() {
    assertThatThrownBy(() -> emitter.emit("connect")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"connect\" is a reserved event name");
  }
}
