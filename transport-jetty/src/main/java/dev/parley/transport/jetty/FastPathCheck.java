package dev.parley.transport.jetty;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of the fast path ({@link WebSocketPath}), done once per process, as engine.io
 * checks the internals of {@code ws} before it uses them: a feature check, then the fast path's
 * classes loaded through reflection, or the public path and the reason why.
 *
 * <p>What it checks:
 * <ol>
 *   <li>the Jetty version is in the range the fast path is tested on in CI (12.0.x and 12.1.x): the
 *       fast path relies on how Jetty behaves (it writes straight to the socket of an upgraded
 *       endpoint that nothing else writes to), which no reflection can check;
 *   <li>every Jetty class, method and field the fast path's class files refer to is present with the
 *       exact type the code was compiled against ({@link LinkCheck} reads them from the class files,
 *       without loading the classes: a method whose return type changed between Jetty releases would
 *       otherwise fail with {@code NoSuchMethodError} at the first connection), and its package is
 *       exported to Parley's module (on the module path an unexported package fails here, not with an
 *       {@code IllegalAccessError});
 *   <li>the fast path's classes load and link ({@link NonBlockingHandshaker}, {@link FrameConnection},
 *       {@link FrameWriter}).
 * </ol>
 * No other class names them, so when the check fails they are never loaded.
 */
final class FastPathCheck {
  private static final Logger log = LoggerFactory.getLogger(ParleyHandler.class);
  /** The fast path's classes, loaded only here (the upgrade first). */
  private static final List<String> FAST_CLASSES = List.of(
      "dev.parley.transport.jetty.NonBlockingHandshaker",
      "dev.parley.transport.jetty.FrameConnection",
      "dev.parley.transport.jetty.FrameWriter",
      "dev.parley.transport.jetty.PooledBuffers");
  /** Each line said once per process. */
  private static final Set<String> logged = ConcurrentHashMap.newKeySet();

  private FastPathCheck() {}

  /** The outcome: the fast path's upgrade, or null and why not. */
  record Outcome(FastUpgrade upgrade, String reason) {}

  /**
   * The path for {@code requested} ({@link WebSocketPath#AUTO} included), logged once at INFO.
   *
   * @throws IllegalStateException when {@link WebSocketPath#FAST} is asked for and the check fails
   */
  static Outcome select(WebSocketPath requested, String source) {
    Outcome outcome = switch (requested) {
      case PUBLIC -> new Outcome(null, "Jetty's WebSocket API (public path), as " + source + " asks");
      case FAST -> {
        Outcome check = Holder.CHECK;
        if (check.upgrade() == null) {
          throw new IllegalStateException(source + " asks for the fast WebSocket path, but " + check.reason());
        }
        yield new Outcome(check.upgrade(), "Parley's own frame layer (fast path), as " + source + " asks");
      }
      case AUTO -> {
        Outcome check = Holder.CHECK;
        yield check.upgrade() != null
            ? new Outcome(check.upgrade(), "Parley's own frame layer (fast path): " + check.reason())
            : new Outcome(null, "Jetty's WebSocket API (public path), because " + check.reason());
      }
    };
    String line = "WebSocket connections use " + outcome.reason();
    if (logged.add(line)) {
      log.info(line);
    }
    String version = jettyVersion();
    if (!supported(version) && logged.add(version)) {
      log.warn("Jetty {} is outside the versions Parley supports and tests (12.0.x from 12.0.15, 12.1.x)", version);
    }
    return outcome;
  }

  /** Whether Parley supports this Jetty: 12.0.x from 12.0.15, any 12.1.x (docs/guide.md#compatibility). */
  static boolean supported(String version) {
    String[] parts = version.split("[.-]");
    try {
      int minor = Integer.parseInt(parts[1]);
      return parts[0].equals("12") && (minor == 1 || minor == 0 && Integer.parseInt(parts[2]) >= 15);
    } catch (RuntimeException e) {
      return false; // not a version we can read
    }
  }

  /** The check, made once, when a handler first asks for it. */
  private static final class Holder {
    static final Outcome CHECK = check();
  }

  static Outcome check() {
    return check(FAST_CLASSES, FastPathCheck.class.getClassLoader(), FastPathCheck.class.getModule());
  }

  /**
   * The check of {@code classes} (Parley's, the first one the {@link FastUpgrade}): linked against the
   * Jetty that {@code jetty} loads, each Jetty package exported to {@code parley}; loaded (through
   * Parley's own class loader) only when that passes. A test passes a module layer's loader to check
   * Jetty as named modules.
   */
  static Outcome check(List<String> classes, ClassLoader jetty, Module parley) {
    String version = jettyVersion();
    if (!(version.startsWith("12.0.") || version.startsWith("12.1."))) {
      return new Outcome(null, "Jetty " + version + " is outside the versions the fast path is tested on (12.0.x, 12.1.x)");
    }
    try {
      String missing = LinkCheck.missing(classes, jetty, parley);
      if (missing != null) {
        return new Outcome(null, "Jetty " + version + " lacks what it needs: " + missing);
      }
      ClassLoader loader = FastPathCheck.class.getClassLoader();
      for (String name : classes) {
        Class.forName(name, true, loader);
      }
      FastUpgrade upgrade = (FastUpgrade) Class.forName(classes.get(0), true, loader)
          .getDeclaredConstructor().newInstance();
      return new Outcome(upgrade, "Jetty " + version + " has what it needs");
    } catch (ReflectiveOperationException | LinkageError | RuntimeException | java.io.IOException e) {
      return new Outcome(null, "Jetty " + version + " lacks what it needs (" + e + ")");
    }
  }

  private static String jettyVersion() {
    try {
      return String.valueOf(org.eclipse.jetty.util.Jetty.VERSION);
    } catch (LinkageError e) {
      return "(unknown version)";
    }
  }
}
