package dev.parley.admin;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link AdminUi#instrument} sets up the admin namespace: the options of the reference's
 * {@code instrument(io, opts)} ({@code namespaceName}, {@code auth}, {@code readonly},
 * {@code serverId}, {@code store}, {@code mode}). The authentication must be chosen explicitly, as
 * the reference requires: {@link Builder#basicAuth} or {@link Builder#noAuth}.
 *
 * <pre>{@code
 * AdminUiOptions options = AdminUiOptions.builder()
 *     .basicAuth("admin", "$2b$10$heqvAkYMez.Va6Et2uXInOnkCT6/uQj1brkrbyG3LpopDklcq7ZOS")
 *     .mode(AdminUiOptions.Mode.PRODUCTION)
 *     .build();
 * }</pre>
 *
 * @param namespace the admin namespace's name
 * @param username the basic-auth user name, or null when there is no authentication
 * @param passwordHash the bcrypt hash of the password, or null when there is no authentication
 * @param readonly true: the page's commands are ignored and its buttons hidden
 * @param mode what the page is told about
 * @param serverId how the page names this server
 * @param store where login sessions live
 * @param statsInterval how often {@code server_stats} is sent
 */
public record AdminUiOptions(
    String namespace,
    String username,
    String passwordHash,
    boolean readonly,
    Mode mode,
    String serverId,
    SessionStore store,
    Duration statsInterval) {

  /** What the admin page is told about, and so what it costs the server. */
  public enum Mode {
    /**
     * Everything: every socket's connect, upgrade, rooms, events in and out and disconnect, as it
     * happens (the reference's {@code "development"}). Costs a message to the admin namespace per
     * event of every socket.
     */
    DEVELOPMENT,
    /**
     * The {@code server_stats} every two seconds only: counts and aggregated figures read from the
     * server's counters, nothing per event (the reference's {@code "production"}).
     */
    PRODUCTION
  }

  /** Checks the values; use {@link #builder()}. */
  public AdminUiOptions {
    Objects.requireNonNull(namespace, "namespace == null");
    if (!namespace.startsWith("/")) {
      throw new IllegalArgumentException("the namespace must start with '/': " + namespace);
    }
    if ((username == null) != (passwordHash == null)) {
      throw new IllegalArgumentException("basic auth needs both a username and a password hash");
    }
    if (passwordHash != null) {
      try {
        BCrypt.Version.VERSION_2A.parser.parse(passwordHash.getBytes(StandardCharsets.UTF_8));
      } catch (IllegalBCryptFormatException | RuntimeException e) {
        throw new IllegalArgumentException("the password must be a valid bcrypt hash ($2a$, $2b$ or $2y$)");
      }
    }
    Objects.requireNonNull(mode, "mode == null");
    Objects.requireNonNull(serverId, "serverId == null");
    Objects.requireNonNull(store, "store == null");
    Objects.requireNonNull(statsInterval, "statsInterval == null");
    if (statsInterval.toMillis() <= 0) {
      throw new IllegalArgumentException("statsInterval must be positive: " + statsInterval);
    }
  }

  /** True when the page must log in. */
  public boolean authenticated() {
    return username != null;
  }

  @Override
  public String toString() {
    // the hash is not a secret the way a password is, but it is no one's business either
    return "AdminUiOptions{namespace=" + namespace + ", auth=" + (username == null ? "none" : "basic") + ", readonly="
        + readonly + ", mode=" + mode + ", serverId=" + serverId + ", store=" + store.getClass().getSimpleName() + "}";
  }

  /**
   * A builder with the reference's defaults: namespace {@code /admin}, read-write, development
   * mode, the host name as server id, sessions in memory, stats every two seconds.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link AdminUiOptions}. */
  public static final class Builder {
    private String namespace = "/admin";
    private String username;
    private String passwordHash;
    private boolean authChosen;
    private boolean readonly;
    private Mode mode = Mode.DEVELOPMENT;
    private String serverId;
    private SessionStore store;
    private Duration statsInterval = Duration.ofSeconds(2);

    private Builder() {}

    /** The admin namespace; {@code /admin} by default. */
    public Builder namespace(String name) {
      this.namespace = name;
      return this;
    }

    /**
     * The page logs in with this user name and the password whose bcrypt hash is given, as Node users
     * make it ({@code require("bcrypt").hashSync(password, 10)}, or bcryptjs): {@code $2a$},
     * {@code $2b$} and {@code $2y$} hashes are accepted, the cost is read from the hash.
     *
     * @param username the user name the page must send
     * @param bcryptHash the bcrypt hash of the password
     */
    public Builder basicAuth(String username, String bcryptHash) {
      this.username = Objects.requireNonNull(username, "username == null");
      this.passwordHash = Objects.requireNonNull(bcryptHash, "bcryptHash == null");
      this.authChosen = true;
      return this;
    }

    /**
     * Anyone who reaches the admin namespace is admitted: for a development machine only. The page
     * shows every socket's handshake headers (cookies included) and can disconnect anyone.
     */
    public Builder noAuth() {
      this.username = null;
      this.passwordHash = null;
      this.authChosen = true;
      return this;
    }

    /** True: the page's commands (join, leave, disconnect, emit) are ignored and its buttons hidden. */
    public Builder readonly(boolean readonly) {
      this.readonly = readonly;
      return this;
    }

    /** {@link Mode#DEVELOPMENT} by default, as the reference without {@code NODE_ENV}. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** How the page names this server; the host name by default. Must differ between servers. */
    public Builder serverId(String serverId) {
      this.serverId = serverId;
      return this;
    }

    /** Where login sessions live; a new {@link InMemorySessionStore} by default. */
    public Builder store(SessionStore store) {
      this.store = store;
      return this;
    }

    /** How often {@code server_stats} is sent; two seconds by default, as the page expects. */
    public Builder statsInterval(Duration interval) {
      this.statsInterval = interval;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalStateException when neither {@link #basicAuth} nor {@link #noAuth} was called
     * @throws IllegalArgumentException when the password hash is not a bcrypt hash
     */
    public AdminUiOptions build() {
      if (!authChosen) {
        throw new IllegalStateException("choose the authentication: basicAuth(username, bcryptHash) or noAuth()");
      }
      return new AdminUiOptions(namespace, username, passwordHash, readonly, mode,
          serverId != null ? serverId : AdminUi.hostname(), store != null ? store : new InMemorySessionStore(),
          statsInterval);
    }
  }
}
