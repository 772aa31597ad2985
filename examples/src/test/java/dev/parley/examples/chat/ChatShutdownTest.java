package dev.parley.examples.chat;

import static dev.parley.examples.chat.ChatTestSupport.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.examples.chat.ChatTestSupport.Client;
import io.socket.client.Socket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat stopped as a person stops it: {@code ChatServer.main} in its own JVM gets SIGTERM with a user
 * connected. Parley must close before the database (H2's own shutdown hook would close the database
 * first, and the user's last-seen time would be lost), and the time must be there after a restart.
 */
class ChatShutdownTest {
  private static final Pattern STARTED = Pattern.compile("chat at http://localhost:(\\d+)/");

  @TempDir
  Path dir;

  @Test
  void lastSeenIsWrittenOnShutdownAndSurvivesARestart() throws Exception {
    Path db = dir.resolve("db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dchat.port=0", "-Dchat.host=127.0.0.1", "-Dchat.db=" + db, "-Dchat.web=chat-web",
        "-Dchat.jwt.secret=" + ChatServerTest.SECRET, ChatServer.class.getName())
        .redirectErrorStream(true).start();
    StringBuilder log = new StringBuilder();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (log) {
            log.append(line).append('\n');
          }
          Matcher m = STARTED.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (java.io.IOException e) {
        // the child's output ended
      }
      port.completeExceptionally(new AssertionError("the chat did not start:\n" + log));
    });
    reader.start();
    long before;
    try {
      int p = port.get(60, TimeUnit.SECONDS);
      // over polling: the Java client 2.x notices a server's WebSocket close frame only at its ping timeout
      try (Client alice = Client.connect(p, "s-alice", "polling")) {
        CompletableFuture<Object> told = new CompletableFuture<>();
        alice.socket.on(Socket.EVENT_DISCONNECT, args -> told.complete(args.length > 0 ? args[0] : null));
        before = System.currentTimeMillis();
        child.destroy(); // SIGTERM: the shutdown hooks run
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the chat stopped").isTrue();
        assertThat(told.get(10, TimeUnit.SECONDS)).as("the client was told").isEqualTo("transport close");
      }
    } finally {
      child.destroyForcibly();
      reader.join(10_000);
    }
    String output;
    synchronized (log) {
      output = log.toString();
    }
    assertThat(output).doesNotContain("presence of").doesNotContain("already closed").doesNotContain("Exception");

    // the last-seen time is in the database: a new server on the same file shows it
    try (ChatServer.Running again = ChatServer.start(ChatServerTest.config(db, 1000, 1000));
        Client bob = Client.connect(again.port(), "s-bob")) {
      JSONArray people = bob.callArray("users", obj());
      JSONObject alice = null;
      for (int i = 0; i < people.length(); i++) {
        if (people.optJSONObject(i).optString("user").equals("s-alice")) {
          alice = people.optJSONObject(i);
        }
      }
      assertThat(alice).as("s-alice in %s", people).isNotNull();
      assertThat(alice.optBoolean("online")).isFalse();
      assertThat(alice.optLong("lastSeen")).isGreaterThanOrEqualTo(before);
    }
  }
}
