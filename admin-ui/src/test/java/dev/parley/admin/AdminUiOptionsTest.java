package dev.parley.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The options: the reference's defaults, the authentication that must be chosen, bcrypt hashes of
 * every version Node users have, and the in-memory session store.
 */
class AdminUiOptionsTest {
  /** {@code require("bcryptjs").hashSync("secret", 4)}: what bcryptjs (the admin UI's own) makes. */
  private static final String BCRYPTJS_2A = "$2a$04$.QeSIY5fIA1SlXoB5ULED.zpDoPKiS/qYWdYPvM2huVfRx9HLBlw6";

  @Test
  void theDefaultsAreTheReferences() {
    AdminUiOptions o = AdminUiOptions.builder().noAuth().build();
    assertThat(o.namespace()).isEqualTo("/admin");
    assertThat(o.readonly()).isFalse();
    assertThat(o.mode()).isEqualTo(AdminUiOptions.Mode.DEVELOPMENT);
    assertThat(o.serverId()).isNotBlank();
    assertThat(o.store()).isInstanceOf(InMemorySessionStore.class);
    assertThat(o.statsInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.authenticated()).isFalse();
  }

  @Test
  void theAuthenticationMustBeChosen() {
    assertThatThrownBy(() -> AdminUiOptions.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("basicAuth").hasMessageContaining("noAuth");
  }

  @Test
  void hashesOfEveryBcryptVersionAreAcceptedAndOthersRefused() {
    for (BCrypt.Version v : new BCrypt.Version[] {BCrypt.Version.VERSION_2A, BCrypt.Version.VERSION_2B,
        BCrypt.Version.VERSION_2Y}) {
      String hash = BCrypt.with(v).hashToString(4, "pw".toCharArray());
      assertThat(AdminUiOptions.builder().basicAuth("admin", hash).build().authenticated()).as(hash).isTrue();
    }
    assertThat(AdminUiOptions.builder().basicAuth("admin", BCRYPTJS_2A).build().passwordHash()).startsWith("$2a$04$");
    assertThatThrownBy(() -> AdminUiOptions.builder().basicAuth("admin", "s3cret").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bcrypt hash");
  }

  @Test
  void theHashIsNotPrinted() {
    assertThat(AdminUiOptions.builder().basicAuth("admin", BCRYPTJS_2A).build().toString())
        .contains("auth=basic").doesNotContain("$2a$");
  }

  @Test
  void aNamespaceStartsWithASlash() {
    assertThatThrownBy(() -> AdminUiOptions.builder().noAuth().namespace("admin").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inMemorySessionsExpire() throws Exception {
    InMemorySessionStore store = new InMemorySessionStore(Duration.ofMillis(50));
    store.save("0123456789abcdef");
    assertThat(store.exists("0123456789abcdef").toCompletableFuture().get()).isTrue();
    assertThat(store.exists("fedcba9876543210").toCompletableFuture().get()).isFalse();
    Thread.sleep(120);
    assertThat(store.exists("0123456789abcdef").toCompletableFuture().get()).isFalse();
  }

  @Test
  void timestampsAreWhatAJavaScriptDateBecomesOnTheWire() {
    assertThat(SocketJson.timestamp(1796501369722L)).isEqualTo("2026-12-05T20:09:29.722Z");
    assertThat(SocketJson.timestamp(1796501369000L)).isEqualTo("2026-12-05T20:09:29.000Z");
    assertThat(SocketJson.clientId("6PFCUgkf9O9wAAAB-xyz")).isEqualTo("6PFCUgkf9O9w");
  }
}
