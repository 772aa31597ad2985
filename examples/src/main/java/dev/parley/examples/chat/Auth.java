package dev.parley.examples.chat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * Accounts and tokens. {@link #signUp} creates an account, {@link #login} checks one; passwords are
 * kept as Argon2id hashes ({@link Passwords}). A login that fails says the same whether the name is
 * unknown or the password wrong, and costs the same time (an unknown name is checked against a dummy
 * hash). Attempts are rate-limited per name and per client address, before any hash is computed. A
 * successful sign-up or login returns a JWT signed with HMAC-SHA256 (library: {@code com.auth0:java-jwt})
 * whose subject is the user name; the Socket.IO connect middleware accepts a socket only with a valid one.
 */
public final class Auth {
  /** Names: 1 to 32 letters, digits, {@code _ . -}. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  /** The one answer to a failed login, for an unknown name and a wrong password alike. */
  static final String WRONG = "wrong name or password";
  private static final String ISSUER = "parley-chat";
  private static final int MIN_PASSWORD = 8;
  private static final int MAX_PASSWORD = 200;

  /** The result of a sign-up or login: a token, or an HTTP status with an error. */
  public record Result(String token, String name, int status, String error, long retryAfterMs) {
    static Result ok(String token, String name) {
      return new Result(token, name, 200, null, 0);
    }

    static Result fail(int status, String error) {
      return new Result(null, null, status, error, 0);
    }

    static Result limited(long retryAfterMs) {
      return new Result(null, null, 429, "too many attempts: wait a little", retryAfterMs);
    }
  }

  private final ChatStore store;
  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Duration tokenLifetime;
  private final Passwords passwords;
  private final RateLimiter perName;
  private final RateLimiter perAddress;
  /** Argon2 takes its memory per hash: this many hashes at once at most. */
  private final Semaphore hashing = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));
  /** Checked for an unknown name, so that it costs what a known one does. */
  private final String dummyHash;

  Auth(ChatStore store, String secret, Duration tokenLifetime, Passwords passwords, RateLimiter perName,
      RateLimiter perAddress) {
    this.store = store;
    this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
    this.verifier = JWT.require(algorithm).withIssuer(ISSUER).build();
    this.tokenLifetime = tokenLifetime;
    this.passwords = passwords;
    this.perName = perName;
    this.perAddress = perAddress;
    this.dummyHash = passwords.hash("not a password of anyone");
  }

  /** Creates an account: 409 when the name is taken. */
  public Result signUp(String name, String password, String address) {
    Result invalid = validate(name, password);
    if (invalid != null) {
      return invalid;
    }
    Result limited = limit(name, address);
    if (limited != null) {
      return limited;
    }
    if (store.user(name).isPresent()) {
      return Result.fail(409, "that name is taken");
    }
    String hash = withHashing(() -> passwords.hash(password));
    return store.createUser(name, hash) ? Result.ok(token(name), name) : Result.fail(409, "that name is taken");
  }

  /** Logs in: 401 with {@link #WRONG} for an unknown name and for a wrong password alike. */
  public Result login(String name, String password, String address) {
    if (name == null || password == null || name.isEmpty() || password.isEmpty()) {
      return Result.fail(400, "give a name and a password");
    }
    Result limited = limit(name, address);
    if (limited != null) {
      return limited;
    }
    Optional<ChatStore.User> user = NAME.matcher(name).matches() && password.length() <= MAX_PASSWORD
        ? store.user(name) : Optional.empty();
    String hash = user.map(ChatStore.User::password).orElse(null);
    boolean ok = withHashing(() -> Passwords.verify(password.length() <= MAX_PASSWORD ? password : "",
        hash != null ? hash : dummyHash));
    return ok && hash != null ? Result.ok(token(name), name) : Result.fail(401, WRONG);
  }

  private static Result validate(String name, String password) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Result.fail(400, "a name has 1 to 32 letters, digits, '_', '.' or '-'");
    }
    if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return Result.fail(400, "a password has " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
    }
    return null;
  }

  /** Takes one attempt from the name's and the address's allowance; the refusal when either is spent. */
  private Result limit(String name, String address) {
    String nameKey = name.length() > 64 ? name.substring(0, 64) : name;
    if (!perAddress.tryAcquire(address)) {
      return Result.limited(perAddress.retryAfterMillis(address));
    }
    if (!perName.tryAcquire(nameKey)) {
      return Result.limited(perName.retryAfterMillis(nameKey));
    }
    return null;
  }

  private <T> T withHashing(java.util.function.Supplier<T> work) {
    hashing.acquireUninterruptibly();
    try {
      return work.get();
    } finally {
      hashing.release();
    }
  }

  /** The user name of a valid token (signature, issuer, expiry) of a user that exists, if any. */
  public Optional<String> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    try {
      String name = verifier.verify(token).getSubject();
      return name != null && store.user(name).isPresent() ? Optional.of(name) : Optional.empty();
    } catch (JWTVerificationException e) {
      return Optional.empty();
    }
  }

  String token(String name) {
    Instant now = Instant.now();
    return JWT.create().withIssuer(ISSUER).withSubject(name).withIssuedAt(now)
        .withExpiresAt(now.plus(tokenLifetime)).sign(algorithm);
  }
}
