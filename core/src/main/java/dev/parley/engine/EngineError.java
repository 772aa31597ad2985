package dev.parley.engine;

/**
 * Engine.IO's request errors, with the code and message the reference server sends in its JSON body
 * {@code {"code":N,"message":"..."}}. Every code answers HTTP 400 except {@link #FORBIDDEN} (403).
 *
 * <pre>{@code
 * EngineError e = EngineError.SESSION_ID_UNKNOWN;
 * e.code();      // 1
 * e.httpStatus() // 400
 * e.toJson()     // {"code":1,"message":"Session ID unknown"}
 * }</pre>
 */
public enum EngineError {
  TRANSPORT_UNKNOWN(0, "Transport unknown"),
  SESSION_ID_UNKNOWN(1, "Session ID unknown"),
  BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
  BAD_REQUEST(3, "Bad request"),
  FORBIDDEN(4, "Forbidden"),
  UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

  private final int code;
  private final String message;

  EngineError(int code, String message) {
    this.code = code;
    this.message = message;
  }

  public int code() {
    return code;
  }

  public String message() {
    return message;
  }

  public int httpStatus() {
    return this == FORBIDDEN ? 403 : 400;
  }

  /** The JSON body with the default message. */
  public String toJson() {
    return toJson(message);
  }

  /** The JSON body with a custom message (used by a refusing {@link AdmissionHook}). */
  public String toJson(String customMessage) {
    return "{\"code\":" + code + ",\"message\":" + dev.parley.internal.json.Json.quote(customMessage) + "}";
  }
}
