package dev.parley.transport.jetty;

import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 *   <li>every Jetty class and member the fast path links against is present, and its package is
 *       exported to Parley's module (on the module path an unexported package fails here, not with an
 *       {@code IllegalAccessError} at the first connection);
 *   <li>the fast path's classes load and link ({@link NonBlockingHandshaker}, {@link FrameConnection},
 *       {@link FrameWriter}).
 * </ol>
 * No other class names them, so when the check fails they are never loaded.
 */
final class FastPathCheck {
  private static final Logger log = LoggerFactory.getLogger(ParleyHandler.class);
  /** The fast path's classes, loaded only here. */
  private static final List<String> FAST_CLASSES = List.of(
      "dev.parley.transport.jetty.NonBlockingHandshaker",
      "dev.parley.transport.jetty.FrameConnection",
      "dev.parley.transport.jetty.FrameWriter");
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
    return outcome;
  }

  /** The check, made once, when a handler first asks for it. */
  private static final class Holder {
    static final Outcome CHECK = check();
  }

  static Outcome check() {
    String version = jettyVersion();
    if (!(version.startsWith("12.0.") || version.startsWith("12.1."))) {
      return new Outcome(null, "Jetty " + version + " is outside the versions the fast path is tested on (12.0.x, 12.1.x)");
    }
    Module parley = FastPathCheck.class.getModule();
    try {
      for (Member m : linkedMembers()) {
        Class<?> owner = m.getDeclaringClass();
        if (!owner.getModule().isExported(owner.getPackageName(), parley)) {
          return new Outcome(null, owner.getPackageName() + " is not exported to Parley's module");
        }
      }
      ClassLoader loader = FastPathCheck.class.getClassLoader();
      Class<?> handshaker = null;
      for (String name : FAST_CLASSES) {
        Class<?> c = Class.forName(name, true, loader);
        if (handshaker == null) {
          handshaker = c;
        }
      }
      FastUpgrade upgrade = (FastUpgrade) handshaker.getDeclaredConstructor().newInstance();
      return new Outcome(upgrade, "Jetty " + version + " has what it needs");
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
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

  /** The Jetty members the fast path's classes call or override, looked up without loading them. */
  private static List<Member> linkedMembers() throws ReflectiveOperationException {
    Class<?> endPoint = Class.forName("org.eclipse.jetty.io.EndPoint");
    Class<?> callback = Class.forName("org.eclipse.jetty.util.Callback");
    Class<?> pool = Class.forName("org.eclipse.jetty.io.ByteBufferPool");
    Class<?> connection = Class.forName("org.eclipse.jetty.io.AbstractConnection");
    Class<?> iterating = Class.forName("org.eclipse.jetty.util.IteratingCallback");
    Method getChannel = Class.forName("org.eclipse.jetty.io.SocketChannelEndPoint").getMethod("getChannel");
    if (getChannel.getReturnType() != SocketChannel.class) {
      throw new NoSuchMethodException("SocketChannelEndPoint.getChannel() returning a SocketChannel");
    }
    return List.of(
        Class.forName("org.eclipse.jetty.server.HttpStream").getField("UPGRADE_CONNECTION_ATTRIBUTE"),
        Class.forName("org.eclipse.jetty.io.Connection$UpgradeTo").getMethod("onUpgradeTo", ByteBuffer.class),
        connection.getDeclaredConstructor(endPoint, Executor.class),
        connection.getMethod("fillInterested"),
        connection.getMethod("onFillInterestedFailed", Throwable.class),
        endPoint.getMethod("fillInterested", callback),
        endPoint.getMethod("write", callback, ByteBuffer[].class),
        endPoint.getMethod("shutdownOutput"),
        getChannel,
        Class.forName("org.eclipse.jetty.io.IdleTimeout").getMethod("notIdle"),
        pool.getMethod("acquire", int.class, boolean.class),
        iterating.getDeclaredMethod("process"),
        iterating.getDeclaredMethod("onSuccess"),
        iterating.getDeclaredMethod("onCompleteFailure", Throwable.class));
  }
}
