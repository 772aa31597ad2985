package dev.parley.transport.polling;

import dev.parley.engine.EngineError;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.EngineRequest;
import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EngineParseException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The HTTP long-polling transport of one session: the client receives with GET requests that are held
 * until something is queued, and sends with POST requests whose bodies are {@code \x1e}-joined
 * payloads. At most one GET and one POST may be in flight; a second of either closes the session.
 *
 * <p>Requests reach it through {@link #onRequest(HttpExchange)} on any thread; everything else
 * happens on the session's executor, as the {@link Transport} contract says.
 *
 * <p>A POST body is handed to the session in slices of about {@value #SLICE_CHARS} characters (what
 * one WebSocket read hands over), each a task of the session's executor: a 1 MB body of 56,000 small
 * events is about 90 tasks, not one, so the thread that read it (an I/O thread) is not held while the
 * whole body is decoded, and other clients are served in between. The POST is answered once the last
 * slice is handed over; while the session's handlers are behind, the next slice (or the answer) waits
 * until they catch up.
 *
 * <pre>{@code
 * PollingTransport polling = new PollingTransport(options.maxHttpBufferSize());
 * EngineSession session = engine.handshake(polling, exchange.request());
 * polling.onRequest(exchange); // the handshake GET receives the open packet
 * }</pre>
 */
public final class PollingTransport implements Transport {
  static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);
  static final String TEXT_PLAIN = "text/plain; charset=UTF-8";
  static final String TEXT_HTML = "text/html";
  static final String JSON = "application/json";
  /** Characters of a POST body handed to the session in one task (at least one packet). */
  public static final int SLICE_CHARS = 8192;

  private final int maxHttpBufferSize;
  private Listener listener;
  private Executor executor;

  // session executor only
  private volatile HttpExchange pendingGet; // volatile: isWritable() is read off the executor (droppable sends)
  private boolean postInFlight;
  /** The request of the last POST taken (its body is handed over on the session's executor). */
  private volatile EngineRequest dataRequest;
  /**
   * A POST whose handling waits until the session's handlers catch up (see {@link Listener#pauseInput}),
   * and what is left to do for it: the rest of its body, or only its "ok".
   */
  private HttpExchange heldPost;
  private Runnable heldRest;
  private volatile boolean closed;
  private boolean discarded;

  public PollingTransport(int maxHttpBufferSize) {
    this.maxHttpBufferSize = maxHttpBufferSize;
  }

  @Override
  public EngineRequest dataRequest() {
    return dataRequest;
  }

  @Override
  public TransportKind kind() {
    return TransportKind.POLLING;
  }

  @Override
  public void bind(Listener listener, Executor sessionExecutor) {
    this.listener = listener;
    this.executor = sessionExecutor;
  }

  /** Handles a GET (receive) or POST (send) for this session; any other method gets 500. */
  public void onRequest(HttpExchange exchange) {
    String method = exchange.request().method();
    if ("GET".equals(method)) {
      executor.execute(() -> onGet(exchange));
      exchange.onAbort(() -> executor.execute(() -> onGetAborted(exchange)));
    } else if ("POST".equals(method)) {
      executor.execute(() -> onPost(exchange));
    } else {
      exchange.respond(500, null, new byte[0]);
    }
  }

  @Override
  public boolean isWritable() {
    return pendingGet != null && !closed;
  }

  @Override
  public void send(List<EnginePacket> packets) {
    HttpExchange get = pendingGet;
    if (get == null || closed) {
      return;
    }
    pendingGet = null;
    byte[] body = packets.size() == 1 && !packets.get(0).isBinary()
        ? EngineCodec.encodeTextUtf8(packets.get(0)) // a payload of one text packet is the packet: bytes cached, shared by a broadcast
        : EngineCodec.encodePayload(packets).getBytes(StandardCharsets.UTF_8);
    get.respond(200, TEXT_PLAIN, body);
  }

  @Override
  public void close(boolean sendClosePacket) {
    if (closed) {
      return;
    }
    closed = true;
    answerHeldPost();
    HttpExchange get = pendingGet;
    pendingGet = null;
    if (get != null) {
      get.respond(200, TEXT_PLAIN, new byte[] {(byte) (sendClosePacket ? '1' : '6')});
    }
  }

  @Override
  public void discard() {
    discarded = true;
    closed = true;
    answerHeldPost(); // only its answer is left: a client upgrades only once its POST is answered
    HttpExchange get = pendingGet;
    pendingGet = null;
    if (get != null) {
      respondError(get, EngineError.BAD_REQUEST);
    }
  }

  private void onGet(HttpExchange get) {
    if (closed) {
      respondError(get, discarded ? EngineError.BAD_REQUEST : EngineError.SESSION_ID_UNKNOWN);
      return;
    }
    if (pendingGet != null) {
      get.respond(400, null, new byte[0]);
      listener.onError("overlap from client: a second GET while one is pending", null);
      return;
    }
    pendingGet = get;
    listener.onDrain();
  }

  private void onGetAborted(HttpExchange get) {
    if (pendingGet == get) {
      pendingGet = null;
      listener.onError("poll connection closed prematurely", null);
    }
  }

  private void onPost(HttpExchange post) {
    if (closed) {
      respondError(post, discarded ? EngineError.BAD_REQUEST : EngineError.SESSION_ID_UNKNOWN);
      return;
    }
    if (postInFlight) {
      post.respond(400, null, new byte[0]);
      listener.onError("overlap from client: a second POST while one is in flight", null);
      return;
    }
    String contentType = post.request().header("Content-Type");
    if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/octet-stream")) {
      post.respond(400, null, new byte[0]); // binary must be base64 in v4 polling
      listener.onError("binary content type on an EIO=4 POST", null);
      return;
    }
    postInFlight = true;
    dataRequest = post.request();
    post.readBody(maxHttpBufferSize, new HttpExchange.BodyHandler() {
      @Override
      public void onBody(byte[] body) {
        executor.execute(() -> onPostBody(post, body));
      }

      @Override
      public void onTooLarge() {
        executor.execute(() -> {
          postInFlight = false;
          post.respond(413, null, new byte[0]); // the session stays open, as in the reference
        });
      }

      @Override
      public void onFailure(Throwable cause) {
        executor.execute(() -> {
          postInFlight = false;
          post.respond(400, null, new byte[0]);
          if (!closed) {
            listener.onError("POST body could not be read", cause);
          }
        });
      }
    });
  }

  private void onPostBody(HttpExchange post, byte[] body) {
    if (closed) {
      postInFlight = false;
      respondError(post, discarded ? EngineError.BAD_REQUEST : EngineError.SESSION_ID_UNKNOWN);
      return;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      postInFlight = false;
      respondError(post, EngineError.BAD_REQUEST);
      listener.onParseError("invalid UTF-8");
      return;
    }
    handSlice(post, text, 0);
  }

  /**
   * Hands one slice of a POST body to the session, from {@code from} on. The rest follows in a task of
   * its own, queued behind whatever the session has queued meanwhile (its flushes, pings), so the
   * executor can give the thread to other clients in between. The POST stays in flight until the
   * last slice: a client sends its next POST (and its upgrade packet) only once this one is answered.
   */
  private void handSlice(HttpExchange post, String text, int from) {
    int next;
    try {
      next = closed ? -1 : EngineCodec.decodePayload(text, from, SLICE_CHARS, packet -> {
        if (!closed) {
          listener.onPacket(packet);
        }
      });
    } catch (EngineParseException e) {
      postInFlight = false;
      respondError(post, EngineError.BAD_REQUEST);
      if (!closed) {
        listener.onParseError(e.getMessage());
      }
      return;
    }
    Runnable rest = next >= 0 ? () -> handSlice(post, text, next) : () -> answer(post);
    if (!closed && listener.inputBacklogged()
        && listener.pauseInput(() -> executor.execute(this::resumeHeldPost))) {
      // the handlers are behind: the rest (or the answer) waits until they catch up. The resume goes
      // through this session's serial executor, which is running this method, so it finds heldPost
      // set even if the handlers caught up at once.
      heldPost = post;
      heldRest = rest;
      return;
    }
    if (next >= 0) {
      executor.execute(rest);
    } else {
      answer(post);
    }
  }

  private void answer(HttpExchange post) {
    postInFlight = false;
    post.respond(200, TEXT_HTML, OK);
  }

  /** Goes on with the POST held back while the handlers caught up, if any (session executor). */
  private void resumeHeldPost() {
    HttpExchange post = heldPost;
    Runnable rest = heldRest;
    if (post != null) {
      heldPost = null;
      heldRest = null;
      rest.run();
    }
  }

  /** Answers the POST held back, if any, dropping what was left of its body (the transport closes). */
  private void answerHeldPost() {
    HttpExchange post = heldPost;
    if (post != null) {
      heldPost = null;
      heldRest = null;
      answer(post);
    }
  }

  static void respondError(HttpExchange exchange, EngineError error) {
    exchange.respond(error.httpStatus(), JSON, error.toJson().getBytes(StandardCharsets.UTF_8));
  }
}
