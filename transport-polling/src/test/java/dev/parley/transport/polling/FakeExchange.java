package dev.parley.transport.polling;

import dev.parley.engine.EngineRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An {@link HttpExchange} under the test's control. It records the response (status, content type, body,
 * headers) and how often {@link #respond} was called, supplies a request body (or reports it too large,
 * or failed, or holds it back until {@link #deliverBody()}), and fires {@link #abort()} like a client that
 * goes away.
 */
final class FakeExchange implements HttpExchange {
  private final EngineRequest request;
  private byte[] requestBody = new byte[0];
  private boolean tooLarge;
  private Throwable bodyFailure;
  private boolean holdBody;
  private BodyHandler heldHandler;
  private int maxBytesAsked = -1;

  private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private int headersSetAfterResponse;
  private final List<Runnable> abortCallbacks = new ArrayList<>();
  private boolean aborted;
  private int respondCalls;
  private int status = -1;
  private String contentType;
  private byte[] body;

  private FakeExchange(EngineRequest request) {
    this.request = request;
  }

  static FakeExchange of(EngineRequest request) {
    return new FakeExchange(request);
  }

  static FakeExchange request(String method, String query, String... headerPairs) {
    EngineRequest.Builder b = EngineRequest.builder().method(method).uri("/engine.io/?" + query);
    for (int i = 0; i < headerPairs.length; i += 2) {
      b.header(headerPairs[i], headerPairs[i + 1]);
    }
    return new FakeExchange(b.build());
  }

  static FakeExchange get(String query) {
    return request("GET", query);
  }

  static FakeExchange post(String query, String body) {
    return request("POST", query, "Content-Type", "text/plain;charset=UTF-8").body(body);
  }

  // ------------------------------------------------------------------ request side

  FakeExchange body(String text) {
    return body(text.getBytes(StandardCharsets.UTF_8));
  }

  FakeExchange body(byte[] bytes) {
    this.requestBody = bytes;
    return this;
  }

  /** The host will report the body as too large, whatever its size. */
  FakeExchange tooLarge() {
    this.tooLarge = true;
    return this;
  }

  FakeExchange bodyFails(Throwable cause) {
    this.bodyFailure = cause;
    return this;
  }

  /** The body is still on its way: nothing is reported until {@link #deliverBody()}. */
  FakeExchange holdBody() {
    this.holdBody = true;
    return this;
  }

  void deliverBody() {
    BodyHandler h = heldHandler;
    heldHandler = null;
    holdBody = false;
    report(h);
  }

  /** The client goes away: abort callbacks run once, unless the response was already sent. */
  void abort() {
    if (aborted || respondCalls > 0) {
      return;
    }
    aborted = true;
    for (Runnable r : List.copyOf(abortCallbacks)) {
      r.run();
    }
  }

  // ------------------------------------------------------------------ HttpExchange

  @Override
  public EngineRequest request() {
    return request;
  }

  @Override
  public void readBody(int maxBytes, BodyHandler handler) {
    maxBytesAsked = maxBytes;
    if (holdBody) {
      heldHandler = handler;
      return;
    }
    report(handler);
  }

  private void report(BodyHandler handler) {
    if (bodyFailure != null) {
      handler.onFailure(bodyFailure);
    } else if (tooLarge || requestBody.length > maxBytesAsked) {
      handler.onTooLarge();
    } else {
      handler.onBody(requestBody);
    }
  }

  @Override
  public void setHeader(String name, String value) {
    if (respondCalls > 0) {
      headersSetAfterResponse++;
      return;
    }
    headers.put(name, value);
  }

  @Override
  public void respond(int status, String contentType, byte[] body) {
    respondCalls++;
    if (respondCalls > 1) {
      return;
    }
    this.status = status;
    this.contentType = contentType;
    this.body = body;
  }

  @Override
  public void onAbort(Runnable callback) {
    abortCallbacks.add(callback);
  }

  // ------------------------------------------------------------------ what happened

  boolean responded() {
    return respondCalls > 0;
  }

  int respondCalls() {
    return respondCalls;
  }

  int status() {
    return status;
  }

  String contentType() {
    return contentType;
  }

  byte[] body() {
    return body;
  }

  String bodyText() {
    return body == null ? null : new String(body, StandardCharsets.UTF_8);
  }

  /** A response header by name (case-insensitive), or null. */
  String header(String name) {
    return headers.get(name);
  }

  Map<String, String> headers() {
    return headers;
  }

  int headersSetAfterResponse() {
    return headersSetAfterResponse;
  }

  int maxBytesAsked() {
    return maxBytesAsked;
  }

  boolean bodyHeld() {
    return heldHandler != null;
  }
}
