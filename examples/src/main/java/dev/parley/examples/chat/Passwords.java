package dev.parley.examples.chat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes: Argon2id (the first choice of OWASP's password storage guidance) computed by Bouncy
 * Castle, kept as the usual PHC string, {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (base64
 * without padding), which carries its own parameters: raising them later leaves the old hashes valid.
 *
 * <p>Argon2 is memory-hard by design, {@code memoryKib} per hash: the number of hashes computed at once
 * is bounded by the caller ({@link Auth}).
 */
final class Passwords {
  private static final Pattern PHC = Pattern.compile(
      "\\$(argon2id|argon2i|argon2d)\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{16,128})");
  private static final Map<String, Integer> TYPES = Map.of(
      "argon2id", Argon2Parameters.ARGON2_id, "argon2i", Argon2Parameters.ARGON2_i, "argon2d", Argon2Parameters.ARGON2_d);
  /** A stored hash asking for more memory than this (256 MiB) is refused rather than computed. */
  private static final int MAX_MEMORY_KIB = 256 * 1024;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final SecureRandom random = new SecureRandom();

  /** Argon2id with {@code memoryKib} of memory and {@code iterations} passes, one lane. */
  Passwords(int memoryKib, int iterations) {
    if (memoryKib < 8 || memoryKib > MAX_MEMORY_KIB || iterations < 1) {
      throw new IllegalArgumentException("Argon2 takes 8 KiB to 256 MiB and one pass or more");
    }
    this.memoryKib = memoryKib;
    this.iterations = iterations;
  }

  /** OWASP's minimum for Argon2id: 19 MiB, two passes, one lane. */
  static Passwords owaspDefaults() {
    return new Passwords(19 * 1024, 2);
  }

  /** A fresh PHC string for {@code password}, with a random 16-byte salt. */
  String hash(String password) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    byte[] out = argon2(Argon2Parameters.ARGON2_id, memoryKib, iterations, 1, salt, password, 32);
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=1$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(out);
  }

  /** Whether {@code password} matches {@code phc}; false for a string that is not a PHC Argon2 hash. */
  static boolean verify(String password, String phc) {
    Matcher m = phc == null ? null : PHC.matcher(phc);
    if (m == null || !m.matches()) {
      return false;
    }
    int memory = Integer.parseInt(m.group(2));
    int passes = Integer.parseInt(m.group(3));
    int lanes = Integer.parseInt(m.group(4));
    if (lanes < 1 || memory < 8 * lanes || memory > MAX_MEMORY_KIB || passes < 1) {
      return false;
    }
    byte[] salt = B64D.decode(m.group(5));
    byte[] expected = B64D.decode(m.group(6));
    byte[] actual = argon2(TYPES.get(m.group(1)), memory, passes, lanes, salt, password, expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] argon2(int type, int memoryKib, int iterations, int lanes, byte[] salt, String password,
      int length) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(type).withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(lanes).withSalt(salt).build());
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
