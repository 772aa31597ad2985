package dev.parley.transport.jetty;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EngineParseException;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.CountingCallback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * The WebSocket transport on Jetty 12's WebSocket core: one Engine.IO packet per message (text frames
 * {@code <digit><payload>}, binary frames the raw message bytes).
 *
 * <p>It works at the frame level, below Jetty's message API, for speed: an incoming text frame is
 * decoded straight from its bytes (no per-message string builder), fragments are joined in a buffer
 * bounded by {@code maxHttpBufferSize} (beyond it the socket closes with 1009), and an outgoing text
 * packet is sent as the UTF-8 bytes cached on the packet, so a broadcast's frame payload is encoded
 * once for every recipient. A message may come in at most {@code maxFramesPerMessage} frames and must
 * end within {@code maxMessageTime} of its first frame; past either the socket closes with 1008.
 *
 * <p>It runs on either of two connections, through a {@link Link}: Jetty's WebSocket session (the
 * public path, {@link WebSocketPath#PUBLIC}), which writes a batch of packets as frames batched by
 * Jetty's flusher, or Parley's own connection (the fast path, {@link WebSocketPath#FAST}), whose
 * writer takes the batch as one item and writes it, and whatever queued meanwhile, in one write.
 * This class knows the fast path only through {@link Link}: it never loads its classes.
 *
 * <p>Jetty's threads decode and hand over to the session's event executor, which runs engine work
 * inline when the session allows it (never user code). Public only because it is handed to Jetty;
 * applications never use it directly.
 *
 * <pre>{@code
 * // what ParleyHandler does for a WebSocket handshake:
 * new JettyWebSocketTransport(limits, base64, t -> engine.handshake(t, request));
 * }</pre>
 */
// For engineers: why this file is over 500 lines. It is the one WebSocket transport behind both paths
// (Jetty's public API and Parley's frame layer): message assembly across fragments with its bounds,
// read demand and back-pressure, writability, close and error reporting to the session. Both paths
// share it so that what the session sees does not depend on the path.
final class JettyWebSocketTransport implements Transport, FrameHandler {
  /** Shared by every connection of one handler. */
  private final Limits limits;
  /** What to do once open (hand over to the engine); dropped then, with the negotiator it holds. */
  private Consumer<JettyWebSocketTransport> onOpen;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean reported = new AtomicBoolean();
  private final Callback sendCallback = new SendCallback();
  /** The client asked for binary as base64 text ({@code b64} in its query): {@code b<base64>} text frames. */
  private final boolean base64;

  /** The connection: Parley's own (the fast path), or Jetty's session behind a {@link SessionLink}. */
  private volatile Link link;
  private volatile Listener listener;
  private volatile Executor executor;
  private volatile boolean closed;

  // reading state: Jetty delivers one frame at a time per connection (demand-driven)
  private byte messageOpCode;
  /** A message's first frame came without FIN: continuations follow. */
  private boolean inMessage;
  private byte[] fragments;
  private int fragmentsLength;
  /** Frames of the message under way (a fragmented one), counted against {@link Limits#maxFramesPerMessage}. */
  private int messageFrames;
  /** When the fragmented message under way began ({@link System#nanoTime}). */
  private long messageStart;

  /**
   * The limits of a handler's WebSocket connections, one object for all of them.
   *
   * @param maxMessageSize the largest message in bytes ({@code maxHttpBufferSize}); a larger one closes with 1009
   * @param maxFramesPerMessage the most frames one message may come in; more close with 1008
   * @param maxMessageNanos how long a fragmented message may take from its first frame to its last; longer closes with 1008
   * @param idleTimeout how long the socket may stay silent before it is closed
   */
  record Limits(int maxMessageSize, int maxFramesPerMessage, long maxMessageNanos, Duration idleTimeout) {}

  /**
   * What the transport needs of a WebSocket connection: Parley's own (the fast path), or Jetty's
   * session (the public path) adapted by {@link SessionLink}.
   */
  interface Link {
    /**
     * Sends a batch of Engine.IO packets, one data frame each; {@code callback} completes once, when
     * all are written or the first fails.
     */
    void send(List<EnginePacket> packets, Callback callback);

    /** Sends one frame (control frames, the close packet). */
    void sendFrame(Frame frame, Callback callback, boolean batch);

    /**
     * Sends a close frame with {@code code} ({@link CloseStatus#NO_CODE}: a close frame without a code);
     * the connection ends after the client's answer (or at once, for an error).
     */
    void close(int code, String reason);

    /** Asks for the next frame (Jetty's session delivers one frame per demand; Parley's connection reads on anyway). */
    void demand();
  }

  JettyWebSocketTransport(Limits limits, boolean base64, Consumer<JettyWebSocketTransport> onOpen) {
    this.limits = limits;
    this.base64 = base64;
    this.onOpen = onOpen;
  }

  /**
   * Whether binary messages leave as {@code b<base64>} text frames: the client's query had a non-empty
   * {@code b64} (a client with {@code forceBase64}), as the reference decides.
   */
  boolean base64() {
    return base64;
  }

  /** The payload of a data frame for {@code p}: its bytes, its text, or {@code b<base64>} for a base64 client. */
  static byte[] payload(EnginePacket p, boolean base64) {
    if (!p.isBinary()) {
      return EngineCodec.encodeTextUtf8(p);
    }
    return base64 ? EngineCodec.encodeBase64Utf8(p) : p.binary();
  }

  /** The opcode of the data frame for {@code p}. */
  static byte opCode(EnginePacket p, boolean base64) {
    return p.isBinary() && !base64 ? OpCode.BINARY : OpCode.TEXT;
  }

  /** The largest message accepted, in bytes (a larger one closes with 1009). */
  int maxMessageSize() {
    return limits.maxMessageSize();
  }

  /** How long the socket may stay silent before it is closed. */
  Duration idleTimeout() {
    return limits.idleTimeout();
  }

  @Override
  public TransportKind kind() {
    return TransportKind.WEBSOCKET;
  }

  @Override
  public void bind(Listener listener, Executor sessionExecutor) {
    this.listener = listener;
    this.executor = sessionExecutor;
  }

  @Override
  public boolean isWritable() {
    return !closed && inFlight.get() == 0;
  }

  @Override
  public void send(List<EnginePacket> packets) {
    Link s = link;
    if (closed || s == null) {
      return;
    }
    // one count for the batch plus one held by this method: a batch written while we are still here
    // leaves the transport writable without a drain event (the session's flush loop goes on)
    inFlight.set(2);
    s.send(packets, sendCallback);
    inFlight.decrementAndGet(); // at zero everything is written already, and no drain event follows
  }

  @Override
  public void close(boolean sendClosePacket) {
    if (closed) {
      return;
    }
    closed = true;
    Link s = link;
    if (s == null) {
      return;
    }
    if (sendClosePacket) {
      // The reference just closes the socket; telling the client first lets clients that ignore
      // close frames (the Java client) notice at once.
      s.sendFrame(new Frame(OpCode.TEXT, "1"), Callback.NOOP, false);
    }
    s.close(CloseStatus.NO_CODE, null); // as the reference (ws's close()): a close frame without a code
  }

  /** Closes the socket without telling the session (refused upgrade, or shutdown before binding). */
  void abort() {
    closed = true;
    Link s = link;
    if (s != null) {
      s.close(CloseStatus.NO_CODE, null);
    }
  }

  /** The connection is open: from now on everything goes through {@code link}. */
  void open(Link link) {
    this.link = link;
    Consumer<JettyWebSocketTransport> o = onOpen;
    onOpen = null;
    o.accept(this);
  }

  // ------------------------------------------------------------------ Jetty callbacks (I/O threads)

  @Override
  public void onOpen(CoreSession coreSession, Callback callback) {
    coreSession.setIdleTimeout(limits.idleTimeout());
    callback.succeeded();
    open(new SessionLink(coreSession, base64));
    coreSession.demand();
  }

  @Override
  public void onFrame(Frame frame, Callback callback) {
    byte op = frame.getOpCode();
    switch (op) {
      case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> {
        onDataFrame(op, frame.isFin(), frame.getPayload());
        callback.succeeded();
        if (!closed && !(inputBacklogged() && pauseReading(this::demandLater))) {
          link.demand();
        }
      }
      case OpCode.PING -> {
        ByteBuffer payload = frame.hasPayload() ? copy(frame.getPayload()) : ByteBuffer.allocate(0);
        callback.succeeded();
        Link s = link;
        s.sendFrame(new Frame(OpCode.PONG, payload), Callback.NOOP, false);
        s.demand();
      }
      case OpCode.CLOSE -> callback.succeeded(); // Jetty answers the close frame; onClosed follows
      default -> { // PONG
        callback.succeeded();
        link.demand();
      }
    }
  }

  /** Jetty's connection: asks for the next frame once the session's handlers have caught up. */
  private void demandLater() {
    if (!closed) {
      link.demand();
    }
  }

  /**
   * Whether to stop reading for now, asked after a data frame was handed over: the session's
   * handlers are too far behind (see {@code EngineInternals.inputQueued}); {@code resume} starts
   * reading again, from another thread.
   */
  boolean pauseReading(Runnable resume) {
    Listener l = listener;
    return l != null && !closed && l.pauseInput(resume);
  }

  /**
   * A cheap look before {@link #pauseReading}: whether the session's handlers are behind now. The
   * reading thread settles its own state on true, then asks {@code pauseReading}, which decides.
   */
  boolean inputBacklogged() {
    Listener l = listener;
    return l != null && !closed && l.inputBacklogged();
  }

  /**
   * A data frame (text, binary or continuation): the message rules (fragment sequence, size, frames
   * per message, time to finish, UTF-8) are checked here, a whole message is decoded and handed to the
   * session. {@code payload} is read before this returns and not kept.
   */
  void onDataFrame(byte op, boolean fin, ByteBuffer payload) {
    onData(op, fin, payload, true);
  }

  /**
   * More of a frame that {@link #onDataFrame} began (a frame larger than a read, handed over in pieces
   * as it arrives): checked and joined as a continuation, but not counted as another frame.
   */
  void onDataFramePiece(boolean fin, ByteBuffer payload) {
    onData(OpCode.CONTINUATION, fin, payload, false);
  }

  private void onData(byte op, boolean fin, ByteBuffer payload, boolean newFrame) {
    if (op == OpCode.CONTINUATION) {
      if (!inMessage) {
        fail(CloseStatus.PROTOCOL, "continuation frame without a message to continue");
        return;
      }
      if (newFrame && ++messageFrames > limits.maxFramesPerMessage()) {
        fail(CloseStatus.POLICY_VIOLATION, "message in more than " + limits.maxFramesPerMessage() + " frames");
        return;
      }
      if (System.nanoTime() - messageStart > limits.maxMessageNanos()) {
        fail(CloseStatus.POLICY_VIOLATION, "message not finished within "
            + limits.maxMessageNanos() / 1_000_000 + " ms");
        return;
      }
    } else {
      if (inMessage) {
        fail(CloseStatus.PROTOCOL, "new data frame before the fragmented message ended");
        return;
      }
      messageOpCode = op;
      fragmentsLength = 0;
      if (!fin) {
        messageFrames = 1;
        messageStart = System.nanoTime();
      }
    }
    int len = payload == null ? 0 : payload.remaining();
    int maxMessageSize = limits.maxMessageSize();
    if (fragmentsLength + (long) len > maxMessageSize) {
      fail(CloseStatus.MESSAGE_TOO_LARGE, "message larger than " + maxMessageSize + " bytes");
      return;
    }
    inMessage = !fin;
    EnginePacket packet = null;
    String error = null;
    if (fin && fragmentsLength == 0) {
      // the common case: a whole message in one frame, decoded from the connection's buffer
      if (messageOpCode == OpCode.TEXT) {
        try {
          packet = EngineCodec.decodeText(utf8(payload));
        } catch (EngineParseException e) {
          error = e.getMessage();
        } catch (CharacterCodingException e) {
          fail(CloseStatus.BAD_PAYLOAD, "text message is not valid UTF-8");
          return;
        }
      } else {
        byte[] data = new byte[len];
        if (len > 0) {
          payload.get(data);
        }
        packet = EngineCodec.decodeBinary(data);
      }
    } else {
      append(payload, len);
      if (fin) {
        byte[] data = Arrays.copyOf(fragments, fragmentsLength);
        fragments = null;
        fragmentsLength = 0;
        if (messageOpCode == OpCode.TEXT) {
          try {
            packet = EngineCodec.decodeText(utf8(ByteBuffer.wrap(data)));
          } catch (EngineParseException e) {
            error = e.getMessage();
          } catch (CharacterCodingException e) {
            fail(CloseStatus.BAD_PAYLOAD, "text message is not valid UTF-8");
            return;
          }
        } else {
          packet = EngineCodec.decodeBinary(data);
        }
      }
    }
    Executor e = executor;
    if (e != null) {
      if (packet != null) {
        EnginePacket p = packet;
        e.execute(() -> listener.onPacket(p));
      } else if (error != null) {
        String detail = error;
        e.execute(() -> listener.onParseError(detail));
      }
    }
  }

  /**
   * A WebSocket protocol violation: close with {@code code} and an empty reason, as the reference
   * does (the client's test checks it); {@code detail} goes to the session, which logs it, and the
   * session ends with "transport error".
   */
  void fail(int code, String detail) {
    fragments = null;
    fragmentsLength = 0;
    inMessage = false;
    closed = true;
    report(l -> l.onError("websocket: " + detail, null)); // first: closing may report onClosed at once
    link.close(code, null);
  }

  private void append(ByteBuffer payload, int len) {
    int maxMessageSize = limits.maxMessageSize();
    if (fragments == null) {
      fragments = new byte[Math.min(maxMessageSize, Math.max(256, len * 2))];
    } else if (fragmentsLength + len > fragments.length) {
      int grown = (int) Math.min(maxMessageSize, Math.max((long) fragmentsLength + len, fragments.length * 2L));
      fragments = Arrays.copyOf(fragments, grown);
    }
    if (len > 0) {
      payload.get(fragments, fragmentsLength, len);
      fragmentsLength += len;
    }
  }

  @Override
  public void onError(Throwable cause, Callback callback) {
    callback.succeeded();
    closed = true;
    if (peerGone(cause)) {
      // the peer went away without a close frame: as the reference, a "transport close"
      report(Listener::onClose);
    } else {
      report(l -> l.onError("websocket error: " + cause, cause));
    }
  }

  @Override
  public void onClosed(CloseStatus closeStatus, Callback callback) {
    callback.succeeded();
    closed = true;
    Throwable cause = closeStatus.getCause();
    if (cause != null && closeStatus.getCode() != CloseStatus.NO_CLOSE && !peerGone(cause)) {
      // Jetty's session closed for a violation it found itself (a continuation without a message, a
      // frame it cannot parse): as FrameConnection's through fail(), a "transport error"
      report(l -> l.onError("websocket: " + closeStatus.getReason(), null));
      return;
    }
    // The peer's close frame, whatever its code (1001 from a page going away, an application's 4000),
    // or the end after Parley's own close: a "transport close", as the reference reports it. The
    // violations Parley finds were reported before this, through fail().
    report(Listener::onClose);
  }

  /** An end of the stream without a close frame (Jetty 12.0 reports it in the close status, 12.1 as an error). */
  private static boolean peerGone(Throwable cause) {
    return cause instanceof EofException || cause instanceof EOFException || cause instanceof ClosedChannelException;
  }

  /** Tells the session the socket is gone, once (Jetty may report an error and then the close). */
  private void report(Consumer<Listener> event) {
    Executor e = executor;
    if (e != null && reported.compareAndSet(false, true)) {
      e.execute(() -> event.accept(listener));
    }
  }

  /**
   * Strict UTF-8 decoding, as the WebSocket protocol requires of text frames. The JDK's fast decoder
   * replaces malformed input with U+FFFD; only a message that contains U+FFFD is checked again.
   */
  private static String utf8(ByteBuffer payload) throws CharacterCodingException {
    if (payload == null || !payload.hasRemaining()) {
      return "";
    }
    String s;
    if (payload.hasArray()) {
      s = new String(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining(),
          StandardCharsets.UTF_8);
    } else {
      byte[] b = new byte[payload.remaining()];
      payload.duplicate().get(b);
      s = new String(b, StandardCharsets.UTF_8);
    }
    if (s.indexOf('\uFFFD') >= 0) {
      StandardCharsets.UTF_8.newDecoder().decode(payload.duplicate()); // throws when really malformed
    }
    return s;
  }

  private static ByteBuffer copy(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining());
    c.put(b.duplicate()).flip();
    return c;
  }

  /** Jetty's session as a {@link Link}. */
  private record SessionLink(CoreSession session, boolean base64) implements Link {
    @Override
    public void send(List<EnginePacket> packets, Callback callback) {
      int n = packets.size();
      Callback each = n == 1 ? callback : new CountingCallback(callback, n);
      for (int i = 0; i < n; i++) {
        EnginePacket p = packets.get(i);
        Frame frame = new Frame(opCode(p, base64), ByteBuffer.wrap(payload(p, base64)));
        session.sendFrame(frame, each, i < n - 1); // Jetty's flusher gathers the batch into one write
      }
    }

    @Override
    public void sendFrame(Frame frame, Callback callback, boolean batch) {
      session.sendFrame(frame, callback, batch);
    }

    @Override
    public void close(int code, String reason) {
      session.close(code, reason, Callback.NOOP);
    }

    @Override
    public void demand() {
      session.demand();
    }
  }

  private final class SendCallback implements Callback {
    @Override
    public void succeeded() {
      if (inFlight.decrementAndGet() == 0) {
        Executor e = executor;
        if (e != null && !closed) {
          e.execute(() -> listener.onDrain());
        }
      }
    }

    @Override
    public void failed(Throwable cause) {
      closed = true;
      report(l -> l.onError("websocket write failed: " + cause, cause));
    }
  }
}
