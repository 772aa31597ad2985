package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chat in a real browser: Debian's Chromium ({@code /usr/bin/chromium}) driven by playwright-core
 * from {@code src/test/browser/chat-e2e.mjs}, at a desktop's width and at a phone's (390 px), over
 * WebSocket and over polling. The script goes through every part of the chat as people use it (see its
 * header); this test runs the server, seeds a message from yesterday, and stops and starts the server
 * when the script asks ("control: stop" / "control: start" on its stdout, "ok" back on its stdin).
 * Screenshots land in {@code target/screenshots}.
 */
class ChatBrowserTest {
  private static final Path SCRIPT = Path.of("src/test/browser/chat-e2e.mjs");
  private static final Path SHOTS = Path.of("target/screenshots");

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"desktop, websocket", "phone, polling", "phone, websocket", "desktop, polling"})
  void aPersonUsesTheChat(String viewport, String mode) throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(Path.of(chromium)).as("Debian's chromium is needed (apt-get install chromium; scripts/test.sh installs it)")
        .exists();
    // the login limit is low enough for the script to meet it: 4 attempts per name; typing lasts as long as
    // in production (3 s), so a page on a loaded machine still shows it (the test's 400 ms can pass unseen)
    ChatServer.Config config = ChatServerTest.config(dir.resolve("db"), 1000, 1000).withLoginLimit(0.001, 4)
        .withTyping(Duration.ofSeconds(3));
    ChatServer.Running server = ChatServer.start(config);
    int port = server.port();
    config = config.withHostPort("127.0.0.1", port); // a restart takes the same port
    long yesterday = System.currentTimeMillis() - 24 * 3600 * 1000L;
    server.store().addMessageOnce(new ChatStore.Message(UUID.randomUUID().toString(), "general", "carol",
        "a message from yesterday", yesterday, null));

    Process node = new ProcessBuilder(System.getProperty("parley.node", "node"), SCRIPT.toString(),
        "http://127.0.0.1:" + port, mode, viewport, SHOTS.toString())
        .redirectErrorStream(true)
        .start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        OutputStream in = node.getOutputStream()) {
      long deadline = System.currentTimeMillis() + 180_000;
      Thread watchdog = new Thread(() -> {
        try {
          if (!node.waitFor(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
            node.destroyForcibly(); // ends the output, so the loop below ends
          }
        } catch (InterruptedException e) {
          node.destroyForcibly();
        }
      });
      watchdog.setDaemon(true);
      watchdog.start();
      for (String line; (line = out.readLine()) != null; ) {
        output.append(line).append('\n');
        if (line.equals("control: stop")) {
          server.close();
          in.write("ok\n".getBytes(StandardCharsets.UTF_8));
          in.flush();
        } else if (line.equals("control: start")) {
          server = ChatServer.start(config);
          in.write("ok\n".getBytes(StandardCharsets.UTF_8));
          in.flush();
        }
      }
      node.waitFor(10, TimeUnit.SECONDS);
    } finally {
      node.destroyForcibly();
      server.close();
    }
    assertThat(output.toString()).as("browser run output").contains("e2e: passed");
    assertThat(node.exitValue()).isZero();
    assertThat(SHOTS.resolve(viewport + "-" + mode + "-5-pending.png")).exists();
  }
}
