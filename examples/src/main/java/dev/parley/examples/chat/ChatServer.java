package dev.parley.examples.chat;

import dev.parley.SocketIoServer;
import dev.parley.adapter.Adapter;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example chat: the web page, {@code POST /signup}, {@code POST /login} and the Socket.IO endpoint on
 * one port. Start it with {@code scripts/chat.sh} and open http://localhost:3000; docs/chat.md describes it.
 *
 * <p>Configuration, each from a system property or else an environment variable: {@code PORT}
 * ({@code chat.port}, default 3000), {@code HOST} ({@code chat.host}, default all interfaces),
 * {@code CHAT_DB} ({@code chat.db}, default {@code ./target/chat-db}), {@code CHAT_JWT_SECRET}
 * ({@code chat.jwt.secret}, a development default with a warning), {@code ADAPTER} ({@code chat.adapter}:
 * {@code memory} or {@code redis}) with {@code REDIS_URL} ({@code chat.redis.url}), and {@code chat.web}
 * (the folder of the page, default {@code examples/chat-web}).
 */
public final class ChatServer {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  static final String DEV_SECRET = "parley-chat-development-secret-change-me";

  /** What a chat server needs; {@link #fromEnvironment()} reads it, tests build their own. */
  public record Config(
      String host,
      int port,
      Path webDir,
      Path db,
      boolean sharedDb,
      String jwtSecret,
      Adapter.Factory adapter,
      Duration typingTimeout,
      int historySize,
      int maxText,
      double ratePerSecond,
      int rateBurst,
      int argon2MemoryKib,
      double loginPerSecond,
      int loginBurst,
      Duration tokenLifetime) {

    /**
     * Defaults for one node on the in-memory adapter: port 3000, 3 s typing, 50 messages, 5 msg/s burst
     * 10, Argon2id with 19 MiB, 5 login attempts per name then one every 20 s (and per client address
     * four times that).
     */
    public static Config defaults(Path db, String jwtSecret) {
      return new Config(null, 3000, Path.of("examples/chat-web"), db, false, jwtSecret, InMemoryAdapter::new,
          Duration.ofSeconds(3), 50, 2000, 5, 10, 19 * 1024, 0.05, 5, Duration.ofHours(12));
    }

    public Config withHostPort(String host, int port) {
      return new Config(host, port, webDir, db, sharedDb, jwtSecret, adapter, typingTimeout, historySize, maxText,
          ratePerSecond, rateBurst, argon2MemoryKib, loginPerSecond, loginBurst, tokenLifetime);
    }

    public Config withTyping(Duration typingTimeout) {
      return new Config(host, port, webDir, db, sharedDb, jwtSecret, adapter, typingTimeout, historySize, maxText,
          ratePerSecond, rateBurst, argon2MemoryKib, loginPerSecond, loginBurst, tokenLifetime);
    }

    /** This configuration with {@code loginBurst} attempts per name, refilled at {@code loginPerSecond}. */
    public Config withLoginLimit(double loginPerSecond, int loginBurst) {
      return new Config(host, port, webDir, db, sharedDb, jwtSecret, adapter, typingTimeout, historySize, maxText,
          ratePerSecond, rateBurst, argon2MemoryKib, loginPerSecond, loginBurst, tokenLifetime);
    }

    public Config withAdapter(Adapter.Factory adapter, boolean sharedDb) {
      return new Config(host, port, webDir, db, sharedDb, jwtSecret, adapter, typingTimeout, historySize, maxText,
          ratePerSecond, rateBurst, argon2MemoryKib, loginPerSecond, loginBurst, tokenLifetime);
    }

    /** The configuration of {@code main}: system properties first, then environment variables. */
    public static Config fromEnvironment() {
      String secret = setting("chat.jwt.secret", "CHAT_JWT_SECRET", null);
      if (secret == null || secret.isBlank()) {
        log.warn("CHAT_JWT_SECRET is not set: tokens are signed with a development secret that anyone can read"
            + " in the source; set CHAT_JWT_SECRET before exposing this server");
        secret = DEV_SECRET;
      } else if (secret.length() < 32) {
        log.warn("CHAT_JWT_SECRET is shorter than 32 characters: HMAC-SHA256 wants 32 bytes or more");
      }
      String adapterName = setting("chat.adapter", "ADAPTER", "memory");
      Adapter.Factory adapter;
      boolean shared;
      if (adapterName.equals("memory")) {
        adapter = InMemoryAdapter::new;
        shared = false;
      } else if (adapterName.equals("redis")) {
        String uri = setting("chat.redis.url", "REDIS_URL", "redis://127.0.0.1:6379");
        adapter = RedisAdapter.factory(uri, RedisAdapterOptions.DEFAULT);
        shared = true; // the nodes share the database file (H2 AUTO_SERVER)
        log.info("on the Redis adapter at {}", uri);
      } else {
        throw new IllegalArgumentException("ADAPTER=" + adapterName + " is unknown: use memory (default) or redis");
      }
      Config d = defaults(Path.of(setting("chat.db", "CHAT_DB", "target/chat-db")), secret);
      return new Config(setting("chat.host", "HOST", null), Integer.parseInt(setting("chat.port", "PORT", "3000")),
          Path.of(setting("chat.web", "CHAT_WEB", "examples/chat-web")), d.db(), shared, secret, adapter,
          d.typingTimeout(), d.historySize(), d.maxText(), d.ratePerSecond(), d.rateBurst(), d.argon2MemoryKib(),
          d.loginPerSecond(), d.loginBurst(), d.tokenLifetime());
    }

    private static String setting(String property, String env, String fallback) {
      String v = System.getProperty(property);
      if (v == null || v.isEmpty()) {
        v = System.getenv(env);
      }
      return v == null || v.isEmpty() ? fallback : v;
    }
  }

  /** A started chat: its port, and {@link #close()} to stop everything. */
  public static final class Running implements AutoCloseable {
    private final Server jetty;
    private final ServerConnector connector;
    private final SocketIoServer io;
    private final ChatService service;
    private final ChatStore store;
    private final ScheduledExecutorService timers;
    private boolean closed;

    private Running(Server jetty, ServerConnector connector, SocketIoServer io, ChatService service, ChatStore store,
        ScheduledExecutorService timers) {
      this.jetty = jetty;
      this.connector = connector;
      this.io = io;
      this.service = service;
      this.store = store;
      this.timers = timers;
    }

    public int port() {
      return connector.getLocalPort();
    }

    public SocketIoServer io() {
      return io;
    }

    public void join() throws InterruptedException {
      jetty.join();
    }

    ChatStore store() {
      return store;
    }

    /**
     * Stops in the order that keeps every write: Parley first (each client is told, each disconnect
     * writes the user's last-seen time), then the presence writes still under way, then Jetty, and the
     * database last. Safe to call twice (the shutdown hook and a test).
     */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      io.close();
      service.awaitPresenceWrites(Duration.ofSeconds(3));
      try {
        jetty.stop();
      } catch (Exception e) {
        log.warn("jetty did not stop cleanly", e);
      }
      timers.shutdownNow();
      store.close();
    }
  }

  private ChatServer() {}

  public static void main(String[] args) throws Exception {
    Config config = Config.fromEnvironment();
    if (!Files.isRegularFile(StaticFiles.bundle(config.webDir()))) {
      throw new IllegalStateException("the browser client is missing: run 'npm ci' in " + config.webDir()
          + " (scripts/chat.sh does it)");
    }
    Running running = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    log.info("chat at http://localhost:{}/ (database {})", running.port(), config.db().toAbsolutePath());
    running.join();
  }

  /** Starts a chat server; port 0 picks a free port. */
  public static Running start(Config config) throws Exception {
    Files.createDirectories(config.db().toAbsolutePath().getParent());
    ChatStore store = ChatStore.open(config.db(), config.sharedDb());
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "chat-timers");
      t.setDaemon(true);
      return t;
    });
    SocketIoServer io = SocketIoServer.builder().adapter(config.adapter()).build();
    Auth auth = new Auth(store, config.jwtSecret(), config.tokenLifetime(), new Passwords(config.argon2MemoryKib(), 2),
        new RateLimiter(config.loginPerSecond(), config.loginBurst()),
        new RateLimiter(config.loginPerSecond() * 4, config.loginBurst() * 4));
    ChatService service = new ChatService(io, store, auth, new RateLimiter(config.ratePerSecond(), config.rateBurst()),
        timers, config.typingTimeout(), config.historySize(), config.maxText());
    service.install();

    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("chat-jetty");
    Server jetty = new Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(config.host());
    connector.setPort(config.port());
    jetty.addConnector(connector);
    jetty.setHandler(new Handler.Sequence(new dev.parley.transport.jetty.ParleyHandler(io),
        new LoginHandler(auth, io.mapper()), new StaticFiles(config.webDir())));
    try {
      jetty.start();
    } catch (Exception e) {
      jetty.stop();
      io.close();
      timers.shutdownNow();
      store.close();
      throw e;
    }
    return new Running(jetty, connector, io, service, store, timers);
  }
}
