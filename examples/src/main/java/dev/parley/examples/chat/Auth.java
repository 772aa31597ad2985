package dev.parley.examples.chat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Login and tokens. A first login with a new name registers it (the password is kept as a salted
 * PBKDF2-HMAC-SHA256 hash from the JDK); later logins must give the same password. A successful
 * login returns a JWT signed with HMAC-SHA256 (library: {@code com.auth0:java-jwt}) whose subject is
 * the user name; the Socket.IO connect middleware accepts a socket only with a valid one.
 */
public final class Auth {
  /** Names: 1 to 32 letters, digits, {@code _ . -}. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  private static final String ISSUER = "parley-chat";
  private static final int MIN_PASSWORD = 4;
  private static final int MAX_PASSWORD = 200;

  /** The result of a login: a token, or an HTTP status with an error. */
  public record Result(String token, String name, int status, String error) {
    static Result ok(String token, String name) {
      return new Result(token, name, 200, null);
    }

    static Result fail(int status, String error) {
      return new Result(null, null, status, error);
    }
  }

  private final ChatStore store;
  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Duration tokenLifetime;
  private final int iterations;
  private final SecureRandom random = new SecureRandom();

  Auth(ChatStore store, String secret, Duration tokenLifetime, int iterations) {
    this.store = store;
    this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
    this.verifier = JWT.require(algorithm).withIssuer(ISSUER).build();
    this.tokenLifetime = tokenLifetime;
    this.iterations = iterations;
  }

  /** Logs in (registering a new name); never says more than "wrong password" about an existing user. */
  public Result login(String name, String password) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Result.fail(400, "a name has 1 to 32 letters, digits, '_', '.' or '-'");
    }
    if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return Result.fail(400, "a password has " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
    }
    Optional<ChatStore.User> existing = store.user(name);
    if (existing.isEmpty()) {
      byte[] salt = new byte[16];
      random.nextBytes(salt);
      if (store.createUser(name, salt, hash(password, salt, iterations), iterations)) {
        return Result.ok(token(name), name);
      }
      existing = store.user(name); // registered concurrently: check against that one
    }
    ChatStore.User u = existing.orElseThrow();
    if (!MessageDigest.isEqual(u.hash(), hash(password, u.salt(), u.iterations()))) {
      return Result.fail(401, "wrong password");
    }
    return Result.ok(token(name), name);
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

  static byte[] hash(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }
}
