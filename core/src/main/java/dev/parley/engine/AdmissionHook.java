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
