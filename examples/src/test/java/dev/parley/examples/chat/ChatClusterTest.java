package dev.parley.examples.chat;

import static dev.parley.examples.chat.ChatTestSupport.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.examples.chat.ChatTestSupport.Client;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.UUID;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two chat nodes on one Redis (127.0.0.1:6379, which scripts/test.sh starts) and one shared H2 file:
 * rooms, messages, typing and presence span both. Skipped when no Redis listens there.
 */
class ChatClusterTest {
  static final String REDIS = "redis://127.0.0.1:6379";

  @TempDir
  static Path dir;
  static ChatServer.Running node1;
  static ChatServer.Running node2;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(redisListens(), "no Redis on 127.0.0.1:6379");
    // a key of its own, so that nothing else on this Redis hears these nodes
    RedisAdapterOptions options = RedisAdapterOptions.DEFAULT.withKey("chat-test-" + UUID.randomUUID());
    // a factory (so a Redis connection) per node, as two processes would have: Redis counts the servers
    // of a cluster by their subscribed connections, so two nodes on one factory would count as one
    ChatServer.Config c = ChatServerTest.config(dir.resolve("db"), 1000, 1000);
    node1 = ChatServer.start(c.withAdapter(RedisAdapter.factory(REDIS, options), true));
    node2 = ChatServer.start(c.withAdapter(RedisAdapter.factory(REDIS, options), true));
  }

  @AfterAll
  static void stop() {
    if (node2 != null) {
      node2.close();
    }
    if (node1 != null) {
      node1.close();
    }
  }

  @Test
  void twoNodesShareRoomsMessagesTypingAndPresence() throws Exception {
    try (Client alice = Client.connect(node1.port(), "c-alice"); Client bob = Client.connect(node2.port(), "c-bob")) {
      bob.await("online", e -> ChatTestSupport.strings(e.json().optJSONArray("users")).contains("c-alice"));

      alice.callJson("room:create", obj("name", "c-room", "private", true));
      alice.callJson("room:invite", obj("room", "c-room", "user", "c-bob"));
      bob.await("rooms:changed", e -> e.json().optString("room").equals("c-room"));
      assertThat(bob.callJson("room:join", obj("room", "c-room")).has("history")).isTrue();

      String id = alice.callJson("message", obj("room", "c-room", "text", "across nodes")).optString("id");
      JSONObject got = bob.await("message", e -> e.json().optString("id").equals(id)).json();
      assertThat(got.optString("sender")).isEqualTo("c-alice");
      bob.emit("delivered", obj("id", id));
      alice.await("receipt", e -> e.json().optString("status").equals("delivered"));

      bob.emit("typing", obj("room", "c-room"));
      alice.await("typing", e -> e.json().optString("user").equals("c-bob") && e.json().optBoolean("typing"));
      alice.await("typing", e -> e.json().optString("user").equals("c-bob") && !e.json().optBoolean("typing"));

      // carol has a tab on each node: she goes offline with the second one only
      Client tab1 = Client.connect(node1.port(), "c-carol");
      Client tab2 = Client.connect(node2.port(), "c-carol");
      tab1.close();
      Thread.sleep(500);
      assertThat(alice.received("presence")).noneMatch(e -> e.json().optString("user").equals("c-carol")
          && !e.json().optBoolean("online"));
      tab2.close();
      alice.await("presence", e -> e.json().optString("user").equals("c-carol") && !e.json().optBoolean("online"));
      bob.await("presence", e -> e.json().optString("user").equals("c-carol") && !e.json().optBoolean("online"));
    }
  }

  private static boolean redisListens() {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
