package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chat in a real browser: Debian's Chromium ({@code /usr/bin/chromium}) driven by playwright-core
 * from {@code src/test/browser/chat-e2e.mjs}. Two users in two browser contexts log in, see each other
 * online, see the typing line, exchange messages, watch the read receipt, and see presence go offline;
 * once over WebSocket and once with polling only. Screenshots land in {@code target/screenshots}.
 */
class ChatBrowserTest {
  private static final Path SCRIPT = Path.of("src/test/browser/chat-e2e.mjs");
  private static final Path SHOTS = Path.of("target/screenshots");

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "polling"})
  void twoUsersChatInChromium(String mode) throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(Path.of(chromium)).as("Debian's chromium is needed (apt-get install chromium; scripts/test.sh installs it)")
        .exists();
    try (ChatServer.Running server = ChatServer.start(ChatServerTest.config(dir.resolve("db-" + mode), 1000, 1000))) {
      Path log = dir.resolve("e2e-" + mode + ".log");
      Process node = new ProcessBuilder(System.getProperty("parley.node", "node"), SCRIPT.toString(),
          "http://127.0.0.1:" + server.port(), mode, SHOTS.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      boolean finished = node.waitFor(120, TimeUnit.SECONDS);
      if (!finished) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = read(log);
      assertThat(finished).as("the browser run finished in time:\n" + output).isTrue();
      assertThat(output).as("browser run output").contains("e2e: passed");
      assertThat(node.exitValue()).isZero();
      assertThat(SHOTS.resolve(mode + "-2-alice-read-receipt.png")).exists();
    }
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
