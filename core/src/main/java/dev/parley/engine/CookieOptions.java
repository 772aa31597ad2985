package dev.parley.engine;

import java.util.Objects;

/**
 * The optional {@code io} cookie set on the handshake response, holding the session id so a load
 * balancer can route a client's later polling requests to the same node (sticky sessions). Off by
 * default, as in the reference server.
 *
 * <pre>{@code
 * CookieOptions cookie = CookieOptions.builder().name("io").path("/").sameSite("Lax").build();
 * cookie.headerValue("abc"); // "io=abc; Path=/; HttpOnly; SameSite=Lax"
 * }</pre>
 */
public final class CookieOptions {
  private final String name;
  private final String path;
  private final boolean httpOnly;
  private final String sameSite;
  private final boolean secure;

  private CookieOptions(Builder b) {
    this.name = b.name;
    this.path = b.path;
    this.httpOnly = b.httpOnly;
    this.sameSite = b.sameSite;
    this.secure = b.secure;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The cookie's name, {@code io} by default. */
  public String name() {
    return name;
  }

  /** The value of the {@code Set-Cookie} header for a session id. */
  public String headerValue(String sid) {
    StringBuilder sb = new StringBuilder(name).append('=').append(sid);
    if (path != null) {
      sb.append("; Path=").append(path);
    }
    if (httpOnly) {
      sb.append("; HttpOnly");
    }
    if (secure) {
      sb.append("; Secure");
    }
    if (sameSite != null) {
      sb.append("; SameSite=").append(sameSite);
    }
    return sb.toString();
  }

  /** Builds {@link CookieOptions}: name {@code io}, path {@code /}, HttpOnly, SameSite=Lax. */
  public static final class Builder {
    private String name = "io";
    private String path = "/";
    private boolean httpOnly = true;
    private String sameSite = "Lax";
    private boolean secure;

    private Builder() {}

    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name == null");
      return this;
    }

    /** The cookie path, or {@code null} for none. */
    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder httpOnly(boolean httpOnly) {
      this.httpOnly = httpOnly;
      return this;
    }

    /** {@code Strict}, {@code Lax}, {@code None}, or {@code null} to leave the attribute out. */
    public Builder sameSite(String sameSite) {
      this.sameSite = sameSite;
      return this;
    }

    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    public CookieOptions build() {
      return new CookieOptions(this);
    }
  }
}
