package dev.parley.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.parley.SocketIoServer;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.RoomEvent;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.admin.AdminUi;
import dev.parley.admin.AdminUiOptions;
import dev.parley.transport.jetty.ParleyJetty;
import io.socket.client.IO;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real admin page against Parley: the official {@code @socket.io/admin-ui} 0.5.1 page, from the npm
 * package's {@code ui/dist} served locally by {@code src/test/browser/admin-ui-e2e.mjs}, in Debian's
 * Chromium driven by playwright-core, logs in to the scenario server instrumented as {@code ADMIN_UI=on}
 * (or {@code readonly}) with {@code ADMIN_UI_AUTH} would, and sees a connected client and its room; its
 * buttons make the client join and leave a room and disconnect it, and a readonly server's page has no
 * leave or disconnect button. Screenshots
 * land in {@code target/screenshots} ({@code admin-*.png}).
 */
class AdminUiBrowserTest {
  private static final Path SCRIPT = Path.of("src/test/browser/admin-ui-e2e.mjs");
  private static final Path SHOTS = Path.of("target/screenshots");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rw", "readonly"})
  void theAdminPageShowsAndSteersAParleyServer(String mode) throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(Path.of(chromium)).as("Debian's chromium is needed (apt-get install chromium; scripts/test.sh installs it)")
        .exists();
    String hash = BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(4, "admin-pass".toCharArray());
    SocketIoServer server = ScenarioServer.create(InMemoryAdapter::new, null, true); // as with ADMIN_UI=on
    AdminUi.instrument(server, ScenarioServer.adminUiOptions(mode.equals("readonly") ? "readonly" : "on", "admin:" + hash));
    List<String> vip = new CopyOnWriteArrayList<>();
    server.of("/").onRoomEvent(e -> {
      if (e.room().equals("vip") && (e.kind() == RoomEvent.Kind.JOIN || e.kind() == RoomEvent.Kind.LEAVE)) {
        vip.add(e.kind() + " " + e.socketId());
      }
    });
    ParleyJetty.Running running = ParleyJetty.listen(server, "127.0.0.1", 0);
    String url = "http://127.0.0.1:" + running.port();
    io.socket.client.Socket client = IO.socket(URI.create(url),
        IO.Options.builder().setTransports(new String[] {"websocket"}).setForceNew(true).setReconnection(false).build());
    try {
      CompletableFuture<Object> joined = new CompletableFuture<>();
      client.on(io.socket.client.Socket.EVENT_CONNECT,
          a -> client.emit("join", new Object[] {"lobby"}, ack -> joined.complete(ack[0])));
      client.connect();
      assertThat(joined.get(20, TimeUnit.SECONDS)).isEqualTo(true);
      String socketId = client.id();

      assertThat(page(url, socketId, mode, "")).as("browser run output").contains("admin-e2e: passed");
      if (mode.equals("readonly")) {
        assertThat(server.of("/").sockets()).containsKey(socketId);
      } else {
        assertThat(vip).as("the page's join and leave buttons").containsExactly("JOIN " + socketId, "LEAVE " + socketId);
        assertThat(server.of("/").sockets()).as("the page's button disconnected the client").doesNotContainKey(socketId);
      }
    } finally {
      client.close();
      running.close();
      server.close();
    }
  }

  /**
   * Two servers on the Redis adapter: the page logged in to A lists both servers, and the socket of a
   * client of B, and its disconnect button disconnects that client.
   */
  @Test
  void theAdminPageShowsAClusterAndSteersASocketOnAnotherServer() throws Exception {
    assertThat(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"))).exists();
    String hash = BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(4, "admin-pass".toCharArray());
    String key = "parley-admin-browser-" + UUID.randomUUID();
    List<AutoCloseable> open = new ArrayList<>();
    try {
      List<String> urls = new ArrayList<>();
      List<SocketIoServer> servers = new ArrayList<>();
      for (String id : List.of("parley-a", "parley-b")) {
        SocketIoServer server = ScenarioServer.create(RedisAdapter.factory("redis://127.0.0.1:6379",
            RedisAdapterOptions.DEFAULT.withKey(key).withRequestsTimeout(Duration.ofSeconds(2))), null, true);
        AdminUi.instrument(server, AdminUiOptions.builder().basicAuth("admin", hash).serverId(id).build());
        ParleyJetty.Running running = ParleyJetty.listen(server, "127.0.0.1", 0);
        open.add(0, running);
        servers.add(server);
        urls.add("http://127.0.0.1:" + running.port());
      }
      io.socket.client.Socket client = IO.socket(URI.create(urls.get(1)),
          IO.Options.builder().setTransports(new String[] {"websocket"}).setForceNew(true).setReconnection(false).build());
      open.add(0, client::close);
      CompletableFuture<Object> joined = new CompletableFuture<>();
      client.on(io.socket.client.Socket.EVENT_CONNECT,
          a -> client.emit("join", new Object[] {"lobby"}, ack -> joined.complete(ack[0])));
      client.connect();
      assertThat(joined.get(20, TimeUnit.SECONDS)).isEqualTo(true);
      String socketId = client.id();

      assertThat(page(urls.get(0), socketId, "cluster", "parley-a,parley-b")).as("browser run output")
          .contains("admin-e2e: passed");
      assertThat(servers.get(1).of("/").sockets()).as("the page on A disconnected B's client")
          .doesNotContainKey(socketId);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  /** Runs the page script against {@code url}; its output. */
  private static String page(String url, String socketId, String mode, String serverIds) throws Exception {
    Process node = new ProcessBuilder(System.getProperty("parley.node", "node"), SCRIPT.toString(), url, "admin",
        "admin-pass", socketId, "lobby", mode, SHOTS.toString(), serverIds).redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      Thread watchdog = new Thread(() -> {
        try {
          if (!node.waitFor(150, TimeUnit.SECONDS)) {
            node.destroyForcibly();
          }
        } catch (InterruptedException e) {
          node.destroyForcibly();
        }
      });
      watchdog.setDaemon(true);
      watchdog.start();
      for (String line; (line = out.readLine()) != null; ) {
        output.append(line).append('\n');
      }
      node.waitFor(10, TimeUnit.SECONDS);
    } finally {
      node.destroyForcibly();
    }
    return output.toString();
  }
}
