package dev.parley.it.sio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parley on the module path: an application module whose descriptor says only
 * {@code requires dev.parley.transport.jetty} is compiled here (javax.tools) against Parley's modules,
 * then run as {@code java --module-path ... -m app/app.Main} in a child JVM, with no
 * {@code --add-exports}, {@code --add-opens} or {@code --add-reads}, and serves the official
 * socket.io-client over long-polling and over WebSocket: a welcome event on connect, an ack with the
 * arguments back. The module path holds exactly the named modules an application would have: Parley's
 * ({@code dev.parley.*}, each with its {@code module-info}), Jetty's, Jackson's and SLF4J's (with
 * slf4j-simple, which logs the WebSocket path the handler took). Both WebSocket paths run: the one the
 * start-up check picks ({@code auto}), and the public path forced. Neither may end in an
 * {@code IllegalAccessError}, whatever the check decides.
 */
class ModulePathTest {
  /** The application module: one {@code requires}, nothing opened to anyone. */
  private static final String MODULE_INFO = """
      module app {
        requires dev.parley.transport.jetty;
      }
      """;

  /** The application: a welcome naming the modules it runs in, an ack with the arguments back. */
  private static final String MAIN = """
      package app;

      import dev.parley.SocketIoServer;
      import dev.parley.transport.jetty.ParleyJetty;
      import java.util.Map;

      public final class Main {
        public static void main(String[] args) throws Exception {
          SocketIoServer io = SocketIoServer.builder().build();
          io.onConnection(socket -> {
            socket.emit("welcome", Map.of(
                "app", String.valueOf(Main.class.getModule().getName()),
                "parley", String.valueOf(SocketIoServer.class.getModule().getName())));
            socket.on("ping", (a, ack) -> ack.send("pong", a.get(0)));
          });
          ParleyJetty.Running running = ParleyJetty.listen(io, "127.0.0.1", 0);
          System.out.println("listening on " + running.port());
          running.join();
        }
      }
      """;

  /** Named modules an application on Parley has on its module path (and nothing else of the tests'). */
  private static final Pattern MODULES = Pattern.compile(
      "dev\\.parley\\.(adapter|core|transport\\.polling|transport\\.jetty)|org\\.eclipse\\.jetty\\..*"
          + "|com\\.fasterxml\\.jackson\\.(core|databind|annotation)|org\\.slf4j|org\\.slf4j\\.simple");

  @TempDir
  Path dir;

  @ParameterizedTest(name = "parley.websocket.path={0}")
  @ValueSource(strings = {"auto", "public"})
  @Timeout(180)
  void anApplicationModuleServesTheOfficialClient(String path) throws Exception {
    String modulePath = modulePath();
    Path classes = compileApp(modulePath);

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Dparley.websocket.path=" + path,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "--module-path", classes + File.pathSeparator + modulePath, "-m", "app/app.Main");
    Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> read(server, output), "module-app-output");
    reader.setDaemon(true);
    reader.start();
    try (SioNodeClient node = SioNodeClient.start()) {
      int port = awaitPort(server, output);
      String url = "http://127.0.0.1:" + port;
      for (TransportMode mode : List.of(TransportMode.POLLING, TransportMode.WEBSOCKET)) {
        ClientSocket socket = node.connect("c-" + mode, url, "/", mode, Map.of());
        ClientEvent connect = socket.awaitConnect();
        assertThat(connect.field("transport")).isEqualTo(mode.openTransport());

        JsonNode welcome = socket.awaitEvent("welcome").arg(0);
        assertThat(welcome.path("app").asText()).isEqualTo("app");
        assertThat(welcome.path("parley").asText()).isEqualTo("dev.parley.core");

        List<JsonNode> answer = socket.emitWithAck("ping", mode.name()).await();
        assertThat(answer).extracting(JsonNode::asText).containsExactly("pong", mode.name());
        socket.disconnect();
      }
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
      reader.join(5_000);
    }

    String log = String.join("\n", output);
    System.out.println("[" + path + "] the application's output:\n" + log); // kept in the test's -output.txt
    assertThat(log).as(log).doesNotContain("IllegalAccessError", "InaccessibleObjectException", "Exception in thread");
    // the start-up check's verdict, logged once at INFO: on the module path it also checks that every
    // Jetty package the fast path links against is exported to dev.parley.transport.jetty
    String expected = path.equals("public")
        ? "WebSocket connections use Jetty's WebSocket API \\(public path\\), as -Dparley.websocket.path asks"
        : "WebSocket connections use (Parley's own frame layer \\(fast path\\): Jetty \\S+ has what it needs"
            + "|Jetty's WebSocket API \\(public path\\), because .+)";
    assertThat(log).as(log).containsPattern(expected);
  }

  /**
   * This JVM's class path entries that are named modules an application would have (Parley's module
   * directories or jars, Jetty, Jackson, SLF4J), as a module path: class path entries without a
   * descriptor (the tests' own classes, the test libraries) stay out.
   */
  private static String modulePath() {
    List<String> entries = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.isEmpty() || !Files.exists(Path.of(entry))) {
        continue;
      }
      Optional<ModuleReference> module;
      try {
        module = ModuleFinder.of(Path.of(entry)).findAll().stream().findFirst();
      } catch (RuntimeException e) {
        continue; // not readable as a module
      }
      if (module.isEmpty() || module.get().descriptor().isAutomatic()) {
        continue;
      }
      String name = module.get().descriptor().name();
      if (MODULES.matcher(name).matches() && seen.putIfAbsent(name, entry) == null) {
        entries.add(entry);
      }
    }
    assertThat(seen).as("Parley's modules on the test class path").containsKeys(
        "dev.parley.adapter", "dev.parley.core", "dev.parley.transport.polling", "dev.parley.transport.jetty",
        "org.eclipse.jetty.server", "org.eclipse.jetty.websocket.core.server", "com.fasterxml.jackson.databind",
        "org.slf4j", "org.slf4j.simple");
    return String.join(File.pathSeparator, entries);
  }

  /** Compiles the application module against the module path; returns its classes directory. */
  private Path compileApp(String modulePath) throws IOException {
    Path src = dir.resolve("src/app");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
    Files.writeString(src.resolve("app/Main.java"), MAIN);
    Path classes = dir.resolve("classes/app");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean ok = javac.getTask(diagnostics, null, null,
        List.of("--module-path", modulePath, "-d", classes.toString(), "-Xlint:all"),
        null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(
            src.resolve("module-info.java"), src.resolve("app/Main.java"))).call();
    assertThat(ok).as("javac: %s", diagnostics).isTrue();
    return classes;
  }

  private static int awaitPort(Process server, List<String> output) throws InterruptedException {
    Pattern listening = Pattern.compile("listening on (\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        Matcher m = listening.matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (!server.isAlive()) {
        throw new AssertionError("the application ended (exit " + server.exitValue() + "):\n"
            + String.join("\n", output));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the application did not start listening:\n" + String.join("\n", output));
  }

  private static void read(Process process, List<String> output) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException e) {
      // the process ended
    }
  }
}
