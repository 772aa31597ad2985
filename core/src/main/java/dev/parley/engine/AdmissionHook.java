package dev.parley.engine;

import java.util.Objects;

/**
 * Decides, before a session exists, whether a handshake request may open one (the reference server's
 * {@code allowRequest}). A refusal is answered with HTTP 403 and {@code {"code":4,"message":...}}.
 * It runs on the transport host's request thread, so it must not block for long.
 *
 * <pre>{@code
 * AdmissionHook onlyOurApp = request ->
 *     "https://app.example.com".equals(request.header("Origin"))
 *         ? AdmissionHook.Decision.allow()
 *         : AdmissionHook.Decision.refuse("origin not allowed");
 * }</pre>
 */
@FunctionalInterface
public interface AdmissionHook {
  /** Admits every request. */
  AdmissionHook ALLOW_ALL = request -> Decision.allow();

  Decision check(EngineRequest request);

  /**
   * Admits only requests whose {@code Origin} header is one of {@code origins}; requests without an
   * {@code Origin} (non-browser clients) pass. Browsers do not apply CORS to WebSocket upgrades, so this
   * is the check that keeps other sites' pages from opening WebSockets to the server.
   *
   * <pre>{@code
   * EngineOptions.builder().admission(AdmissionHook.origins("https://app.example.com"));
   * }</pre>
   */
  static AdmissionHook origins(String... origins) {
    java.util.Set<String> allowed = java.util.Set.of(origins);
    return request -> {
      String origin = request.header("Origin");
      return origin == null || allowed.contains(origin) ? Decision.allow() : Decision.refuse("Origin not allowed");
    };
  }

  /** This check, then {@code next} when this one allows. */
  default AdmissionHook and(AdmissionHook next) {
    java.util.Objects.requireNonNull(next, "next == null");
    return request -> {
      Decision d = check(request);
      return d.allowed() ? next.check(request) : d;
    };
  }

  /** The outcome of {@link #check}: allowed, or refused with a message for the client. */
  final class Decision {
    private static final Decision ALLOW = new Decision(true, null);

    private final boolean allowed;
    private final String message;

    private Decision(boolean allowed, String message) {
      this.allowed = allowed;
      this.message = message;
    }

    public static Decision allow() {
      return ALLOW;
    }

    /** Refuses with the default message {@code Forbidden}. */
    public static Decision refuse() {
      return new Decision(false, EngineError.FORBIDDEN.message());
    }

    /** Refuses with {@code message}, sent to the client in the error body. */
    public static Decision refuse(String message) {
      return new Decision(false, Objects.requireNonNull(message, "message == null"));
    }

    public boolean allowed() {
      return allowed;
    }

    /** The refusal message; {@code null} when allowed. */
    public String message() {
      return message;
    }
  }
}
