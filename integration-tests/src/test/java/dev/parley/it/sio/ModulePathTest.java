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
import java.util.Arrays;
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
import org.junit.jupiter.api.Test;
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
 * {@code IllegalAccessError}, whatever the check decides. A second application module also requires
 * {@code dev.parley.adapter.redis} (Lettuce and msgpack-core as automatic modules) and runs two servers
 * on the shared Redis (a key of its own): a broadcast on one reaches a client of the other.
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

  /** A cluster of two servers on the Redis adapter: what one broadcasts reaches the other's clients. */
  private static final String REDIS_MODULE_INFO = """
      module rapp {
        requires dev.parley.transport.jetty;
        requires dev.parley.adapter.redis;
      }
      """;

  private static final String REDIS_MAIN = """
      package rapp;

      import dev.parley.SocketIoServer;
      import dev.parley.adapter.redis.RedisAdapter;
      import dev.parley.adapter.redis.RedisAdapterOptions;
      import dev.parley.transport.jetty.ParleyJetty;

      public final class Main {
        public static void main(String[] args) throws Exception {
          RedisAdapterOptions options = RedisAdapterOptions.DEFAULT.withKey(args[0]);
          SocketIoServer a = SocketIoServer.builder().adapter(RedisAdapter.factory(args[1], options)).build();
          SocketIoServer b = SocketIoServer.builder().adapter(RedisAdapter.factory(args[1], options)).build();
          a.onConnection(socket -> socket.on("shout", (x, ack) -> {
            a.emit("news", x.get(0));
            ack.send("sent");
          }));
          ParleyJetty.Running ra = ParleyJetty.listen(a, "127.0.0.1", 0);
          ParleyJetty.Running rb = ParleyJetty.listen(b, "127.0.0.1", 0);
          System.out.println("listening on " + ra.port() + " " + rb.port());
          ra.join();
        }
      }
      """;

  /** Named modules an application on Parley has on its module path (and nothing else of the tests'). */
  private static final Pattern MODULES = Pattern.compile(
      "dev\\.parley\\.(adapter|core|transport\\.polling|transport\\.jetty)|org\\.eclipse\\.jetty\\..*"
          + "|com\\.fasterxml\\.jackson\\.(core|databind|annotation|datatype\\.jdk8|datatype\\.jsr310)|org\\.slf4j|org\\.slf4j\\.simple");
  /** And with the Redis adapter: Lettuce and msgpack (automatic modules), Netty, Reactor. */
  private static final Pattern REDIS_MODULES = Pattern.compile(MODULES.pattern()
      + "|dev\\.parley\\.adapter\\.redis|lettuce\\.core|msgpack\\.core|io\\.netty\\..*|reactor\\.core"
      + "|org\\.reactivestreams|redis\\.clients\\..*");
  private static final String REDIS = "redis://127.0.0.1:6379";

  @TempDir
  Path dir;

  @ParameterizedTest(name = "parley.websocket.path={0}")
  @ValueSource(strings = {"auto", "public"})
  @Timeout(180)
  void anApplicationModuleServesTheOfficialClient(String path) throws Exception {
    String modulePath = modulePath(MODULES, false);
    Path classes = compileApp("app", MODULE_INFO, MAIN, modulePath);

    List<String> output = new CopyOnWriteArrayList<>();
    Process server = launch(classes, modulePath, "app/app.Main", List.of("-Dparley.websocket.path=" + path),
        List.of(), output);
    try (SioNodeClient node = SioNodeClient.start()) {
      int port = awaitPorts(server, output)[0];
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
      stop(server);
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
   * The Redis adapter on the module path: Lettuce and msgpack-core are automatic modules, Netty's jars
   * named ones that only {@code dev.parley.adapter.redis}'s descriptor brings into the module graph. Two
   * servers in one application module share a Redis key; a broadcast on one reaches a client of the other.
   */
  @Test
  @Timeout(180)
  void anApplicationModuleRunsTheRedisAdapter() throws Exception {
    String modulePath = modulePath(REDIS_MODULES, true);
    Path classes = compileApp("rapp", REDIS_MODULE_INFO, REDIS_MAIN, modulePath);

    List<String> output = new CopyOnWriteArrayList<>();
    String key = "parley-it-module-path-" + System.nanoTime();
    Process server = launch(classes, modulePath, "rapp/rapp.Main", List.of(), List.of(key, REDIS), output);
    try (SioNodeClient node = SioNodeClient.start()) {
      int[] ports = awaitPorts(server, output);
      ClientSocket listener = node.connect("b", "http://127.0.0.1:" + ports[1], "/", TransportMode.POLLING, Map.of());
      listener.awaitConnect();
      ClientSocket shouter = node.connect("a", "http://127.0.0.1:" + ports[0], "/", TransportMode.WEBSOCKET, Map.of());
      shouter.awaitConnect();

      assertThat(shouter.emitWithAck("shout", "over redis").await()).extracting(JsonNode::asText).containsExactly("sent");
      assertThat(listener.awaitEvent("news").arg(0).asText()).isEqualTo("over redis");
    } finally {
      stop(server);
    }
    String log = String.join("\n", output);
    assertThat(log).as(log).doesNotContain("IllegalAccessError", "InaccessibleObjectException", "Exception in thread");
  }

  /** Starts {@code java --module-path classes:modulePath -m main args}; its output lands in {@code output}. */
  private static Process launch(Path classes, String modulePath, String main, List<String> jvmOptions,
      List<String> args, List<String> output) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.addAll(List.of("--module-path", classes + File.pathSeparator + modulePath, "-m", main));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> read(process, output), "module-app-output");
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /**
   * This JVM's class path entries whose module name {@code names} matches, as a module path: Parley's
   * module directories or jars and the named modules of its dependencies (with {@code automatic}, also
   * jars without a descriptor, by their automatic module name). The tests' own classes and libraries
   * stay out.
   */
  private static String modulePath(Pattern names, boolean automatic) {
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
      if (module.isEmpty() || module.get().descriptor().isAutomatic() && (!automatic || Files.isDirectory(Path.of(entry)))) {
        continue;
      }
      String name = module.get().descriptor().name();
      if (names.matcher(name).matches() && seen.putIfAbsent(name, entry) == null) {
        entries.add(entry);
      }
    }
    assertThat(seen).as("Parley's modules on the test class path").containsKeys(
        "dev.parley.adapter", "dev.parley.core", "dev.parley.transport.polling", "dev.parley.transport.jetty",
        "org.eclipse.jetty.server", "org.eclipse.jetty.websocket.core.server", "com.fasterxml.jackson.databind",
        "org.slf4j", "org.slf4j.simple");
    return String.join(File.pathSeparator, entries);
  }

  /** Compiles an application module ({@code name}, with {@code name.Main}); returns its classes directory. */
  private Path compileApp(String name, String moduleInfo, String main, String modulePath) throws IOException {
    Path src = dir.resolve("src/" + name);
    Files.createDirectories(src.resolve(name));
    Files.writeString(src.resolve("module-info.java"), moduleInfo);
    Files.writeString(src.resolve(name + "/Main.java"), main);
    Path classes = dir.resolve("classes/" + name);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean ok = javac.getTask(diagnostics, null, null,
        List.of("--module-path", modulePath, "-d", classes.toString(), "-Xlint:all"),
        null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(
            src.resolve("module-info.java"), src.resolve(name + "/Main.java"))).call();
    assertThat(ok).as("javac: %s", diagnostics).isTrue();
    return classes;
  }

  /** The ports of the application's "listening on P1 P2 ..." line, once it has printed it. */
  private static int[] awaitPorts(Process server, List<String> output) throws InterruptedException {
    Pattern listening = Pattern.compile("listening on ([\\d ]+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        Matcher m = listening.matcher(line);
        if (m.find()) {
          return Arrays.stream(m.group(1).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
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
