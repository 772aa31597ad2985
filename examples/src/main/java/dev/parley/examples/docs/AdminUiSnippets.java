package dev.parley.examples.docs;

import dev.parley.SocketIoServer;
import dev.parley.adapter.redis.RedisAdapter;
import dev.parley.adapter.redis.RedisAdapterOptions;
import dev.parley.admin.AdminUi;
import dev.parley.admin.AdminUiOptions;
import dev.parley.admin.RedisSessionStore;
import io.lettuce.core.RedisClient;
import java.time.Duration;

/**
 * The code of {@code docs/admin-ui.md}, compiled with the project: each region between
 * {@code tag::NAME[]} and {@code end::NAME[]} appears verbatim in the page after a
 * {@code <!-- snippet: AdminUiSnippets.java#NAME -->} marker, and {@code DocsSnippetsTest} checks
 * that they are equal.
 *
 * <pre>{@code
 * AdminUiSnippets.setUp(); // never called: it only has to compile
 * }</pre>
 */
@SuppressWarnings("unused")
final class AdminUiSnippets {
  private AdminUiSnippets() {}

  static void setUp(SocketIoServer io) {
    // tag::admin-setup[]
    AdminUi.instrument(io, AdminUiOptions.builder()
        .basicAuth("admin", System.getenv("ADMIN_UI_PASSWORD_HASH")) // a bcrypt hash: $2a$, $2b$ or $2y$
        .build());
    // end::admin-setup[]
  }

  static SocketIoServer cors() {
    // tag::admin-cors[]
    SocketIoServer io = SocketIoServer.builder()
        .cors(cors -> cors.allowOrigin("https://admin.socket.io").allowCredentials(true))
        .build();
    // end::admin-cors[]
    return io;
  }

  static AdminUi options(SocketIoServer io, String hash) {
    // tag::admin-options[]
    AdminUi ui = AdminUi.instrument(io, AdminUiOptions.builder()
        .namespace("/admin")                     // the default
        .basicAuth("admin", hash)                // or .noAuth(): one of the two is required
        .readonly(true)                          // the page's join/leave/disconnect/emit are ignored, buttons hidden
        .mode(AdminUiOptions.Mode.PRODUCTION)    // statistics only (DEVELOPMENT by default)
        .serverId("eu-west-1a")                  // how the page names this server (the host name by default)
        .statsInterval(Duration.ofSeconds(2))    // the default, what the page expects
        .build());
    ui.close();                                  // stops the statistics and notifications
    // end::admin-options[]
    return ui;
  }

  static void cluster(String hash) {
    // tag::admin-cluster[]
    RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
    SocketIoServer io = SocketIoServer.builder()
        .adapter(RedisAdapter.factory("redis://127.0.0.1:6379", RedisAdapterOptions.DEFAULT))
        .cors(cors -> cors.allowOrigin("https://admin.socket.io").allowCredentials(true))
        .build();
    AdminUi.instrument(io, AdminUiOptions.builder()
        .basicAuth("admin", hash)
        .serverId(System.getenv("POD_NAME"))              // one name per server
        .store(new RedisSessionStore(redis.connect()))    // a login is good on every server
        .build());
    // end::admin-cluster[]
  }
}
