package dev.parley.internal.engine;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Unguessable identifiers: 15 random bytes from {@link SecureRandom}, written as 20 base64url
 * characters, the length the reference server uses.
 *
 * <pre>{@code
 * String sid = Ids.random(); // e.g. "pG1d8Yw0oQmUuJ3x_KzA"
 * }</pre>
 */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  /** A new random id of 20 base64url characters. */
  public static String random() {
    byte[] bytes = new byte[15];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}
