package dev.parley.transport.jetty;

import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EnginePacket;
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
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * The WebSocket transport on Jetty 12's WebSocket core: one Engine.IO packet per message (text frames
 * {@code <digit><payload>}, binary frames the raw message bytes).
 *
 * <p>It works at the frame level, below Jetty's message API, for speed: an incoming text frame is
 * decoded straight from its bytes (no per-message string builder), fragments are joined in a buffer
 * bounded by {@code maxHttpBufferSize} (beyond it the socket closes with 1009), and an outgoing text
 * packet is sent as the UTF-8 bytes cached on the packet, so a broadcast's frame payload is encoded
 * once for every recipient. On an HTTP/1.1 connection without extensions the packets of a batch go
 * straight to Parley's {@link FrameWriter}, which writes them, and whatever queued meanwhile, in one
 * write; otherwise they go through Jetty's session, which batches them.
 *
 * <p>Jetty's threads decode and hand over to the session's event executor, which runs engine work
 * inline when the session allows it (never user code). Public only because it is handed to Jetty;
 * applications never use it directly.
 *
 * <pre>{@code
 * // what ParleyHandler does for a WebSocket handshake:
 * new JettyWebSocketTransport(maxMessageSize, idleTimeout, t -> engine.handshake(t, request));
 * }</pre>
 */
public final class JettyWebSocketTransport implements Transport, FrameHandler {
  private final int maxMessageSize;
  private final Duration idleTimeout;
  /** What to do once open (hand over to the engine); dropped then, with the negotiator it holds. */
  private Consumer<JettyWebSocketTransport> onOpen;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean reported = new AtomicBoolean();
  private final Callback sendCallback = new SendCallback();

  /** The connection: Parley's {@link FrameConnection}, or Jetty's session behind a {@link SessionLink}. */
  private volatile Link link;
  /** Set on open when the connection has Parley's writer and no extension: data frames go to it directly. */
  private volatile FrameWriter writer;
  private volatile Listener listener;
  private volatile Executor executor;
  private volatile boolean closed;

  // reading state: Jetty delivers one frame at a time per connection (demand-driven)
  private byte messageOpCode;
  /** A message's first frame came without FIN: continuations follow. */
  private boolean inMessage;
  private byte[] fragments;
  private int fragmentsLength;

  /**
   * What the transport needs of a WebSocket connection. Parley's {@link FrameConnection} is one; Jetty's
   * session (WebSocket over HTTP/2, or with permessage-deflate) is adapted by {@link SessionLink}.
   */
  interface Link {
    /** Sends a frame (control frames, the close packet); Parley's data frames go to {@link FrameWriter} when there is one. */
    void sendFrame(Frame frame, Callback callback, boolean batch);

    /** Sends a close frame with {@code code}; the connection ends after the client's answer (or at once, for an error). */
    void close(int code, String reason);

    /** Asks for the next frame (Jetty's session delivers one frame per demand; Parley's connection reads on anyway). */
    void demand();
  }

  JettyWebSocketTransport(int maxMessageSize, Duration idleTimeout, Consumer<JettyWebSocketTransport> onOpen) {
    this.maxMessageSize = maxMessageSize;
    this.idleTimeout = idleTimeout;
    this.onOpen = onOpen;
  }

  /** The largest message accepted, in bytes (a larger one closes with 1009). */
  int maxMessageSize() {
    return maxMessageSize;
  }

  /** How long the socket may stay silent before it is closed. */
  Duration idleTimeout() {
    return idleTimeout;
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
    FrameWriter w = writer;
    if (w != null) {
      // one count for the batch plus one held by this method, as below
      inFlight.set(2);
      w.send(packets, sendCallback);
      inFlight.decrementAndGet();
      return;
    }
    int n = packets.size();
    // one count per frame plus one held by this method: writes that all complete while we are still
    // here leave the transport writable without a drain event (the session's flush loop goes on)
    inFlight.set(n + 1);
    for (int i = 0; i < n; i++) {
      EnginePacket p = packets.get(i);
      Frame frame = p.isBinary()
          ? new Frame(OpCode.BINARY, ByteBuffer.wrap(p.binary()))
          : new Frame(OpCode.TEXT, ByteBuffer.wrap(EngineCodec.encodeTextUtf8(p)));
      s.sendFrame(frame, sendCallback, i < n - 1);
    }
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
    s.close(CloseStatus.NORMAL, null);
  }

  /** Closes the socket without telling the session (refused upgrade, or shutdown before binding). */
  void abort() {
    closed = true;
    Link s = link;
    if (s != null) {
      s.close(CloseStatus.NORMAL, null);
    }
  }

  /**
   * The connection is open: {@code writer} is Parley's writer of its socket, or null when Jetty's
   * session writes (then every frame goes through {@code link}).
   */
  void open(Link link, FrameWriter writer) {
    this.link = link;
    this.writer = writer;
    Consumer<JettyWebSocketTransport> o = onOpen;
    onOpen = null;
    o.accept(this);
  }

  // ------------------------------------------------------------------ Jetty callbacks (I/O threads)

  @Override
  public void onOpen(CoreSession coreSession, Callback callback) {
    FrameWriter w = null;
    if (coreSession instanceof WebSocketCoreSession ws
        && ws.getConnection() instanceof NonBlockingHandshaker.NonBlockingConnection c
        && coreSession.getNegotiatedExtensions().isEmpty()) {
      w = c.writer();
    }
    coreSession.setIdleTimeout(idleTimeout);
    callback.succeeded();
    open(new SessionLink(coreSession), w);
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
   * handlers are too far behind (see {@code EngineSession.inputQueued}); {@code resume} starts
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
   * A data frame (text, binary or continuation): the message rules (fragment sequence, size, UTF-8)
   * are checked here, a whole message is decoded and handed to the session. {@code payload} is read
   * before this returns and not kept.
   */
  void onDataFrame(byte op, boolean fin, ByteBuffer payload) {
    if (op == OpCode.CONTINUATION) {
      if (!inMessage) {
        fail(CloseStatus.PROTOCOL, "continuation frame without a message to continue");
        return;
      }
    } else {
      if (inMessage) {
        fail(CloseStatus.PROTOCOL, "new data frame before the fragmented message ended");
        return;
      }
      messageOpCode = op;
      fragmentsLength = 0;
    }
    int len = payload == null ? 0 : payload.remaining();
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

  /** A WebSocket protocol violation: close with {@code code}, and the session ends with "transport error". */
  void fail(int code, String detail) {
    fragments = null;
    fragmentsLength = 0;
    inMessage = false;
    closed = true;
    report(l -> l.onError("websocket: " + detail, null)); // first: closing may report onClosed at once
    link.close(code, detail);
  }

  private void append(ByteBuffer payload, int len) {
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
    if (cause instanceof EofException || cause instanceof EOFException || cause instanceof ClosedChannelException) {
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
    // The peer's close frame, whatever its code (1001 from a page going away, an application's 4000),
    // or the end after Parley's own close: a "transport close", as the reference reports it. The
    // violations found on the way in were reported before this: FrameConnection's through fail(),
    // Jetty's through onError (Jetty calls onError before onClosed when a close has a cause).
    report(Listener::onClose);
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
  private record SessionLink(CoreSession session) implements Link {
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
