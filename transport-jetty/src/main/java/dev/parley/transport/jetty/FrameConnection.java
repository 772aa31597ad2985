package dev.parley.transport.jetty;

import dev.parley.engine.EnginePacket;
import java.io.EOFException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * Parley's own server WebSocket connection (RFC 6455, no extensions) on a Jetty endpoint: it reads
 * and parses the client's frames and hands data frames to the {@link JettyWebSocketTransport}; a
 * {@link FrameWriter} writes. It is the fast path ({@link WebSocketPath#FAST}): it replaces Jetty's
 * WebSocket connection and session for HTTP/1.1 upgrades without extensions, and is created only by
 * {@link NonBlockingHandshaker}, itself loaded only once {@link FastPathCheck} has passed.
 *
 * <p>Why: Jetty's connection, session, flusher, parser and extension stack are about 2 KiB of heap
 * per idle connection (eight locks, four counters, two unused flushers), built on every connect,
 * and each frame goes through three layers of callbacks and a demand state machine. This class keeps
 * a few fields per connection and no buffer while idle; each frame is unmasked in place in the read
 * buffer and handed over as one call.
 *
 * <p>Its reads are declared non-blocking (Jetty's selecting thread may run them instead of waking
 * another pool thread for each): it decodes and hands over, and never blocks.
 *
 * <p>What it checks, as RFC 6455 asks of a server: every frame masked, no RSV bit (no extension is
 * negotiated), known opcodes, control frames final and at most 125 bytes, close payloads of a valid
 * code and UTF-8 reason; a violation closes with 1002 (1007 for a bad reason). A frame whose length
 * alone passes {@code maxMessageSize} closes with 1009 before its payload arrives. The transport
 * checks the message-level rules (fragment sequence, UTF-8 of text, the size of a fragmented
 * message). A frame larger than the read buffer is handed over in pieces as it arrives, as fragments
 * of its message, so nothing is allocated for a length a client merely declares. Pings are answered
 * with pongs, one queued at a time; a close frame is answered with the same code and the connection
 * ends once the answer is written; after Parley's own close frame, reading goes on (data frames are
 * ignored) until the client's answer, the end of the stream or {@link #CLOSE_TIMEOUT_MILLIS}.
 *
 * <pre>{@code
 * // what NonBlockingHandshaker does for an upgrade without extensions:
 * FrameConnection c = new FrameConnection(endPoint, executor, scheduler, pool, transport);
 * request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, c);
 * }</pre>
 */
// For engineers: why this file is over 500 lines. It is a complete RFC 6455 server reader on one
// Jetty endpoint (fill, parse, unmask, the checks a server must make, frames larger than the read
// buffer, the close handshake and its timeout); the reading state is a few fields touched on one
// thread, and cutting it into classes would pass that state around on the hottest path.
final class FrameConnection extends AbstractConnection implements Connection.UpgradeTo,
    JettyWebSocketTransport.Link {
  /** Size of the read buffer (taken from the pool while reading, returned when drained). */
  static final int READ_BUFFER_SIZE = 8192;
  /** How long the client has to answer Parley's close frame before the socket is closed anyway. */
  static final long CLOSE_TIMEOUT_MILLIS = 5_000;
  private static final VarHandle CLOSE_SENT;

  static {
    try {
      CLOSE_SENT = MethodHandles.lookup().findVarHandle(FrameConnection.class, "closeSent", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  private final ByteBufferPool pool;
  private final JettyWebSocketTransport transport;
  /** Read readiness, declared non-blocking: Jetty may run {@link #onFillable} on the selecting thread. */
  private final Callback fillable = new Callback() {
    @Override
    public void succeeded() {
      onFillable();
    }

    @Override
    public void failed(Throwable cause) {
      onFillInterestedFailed(cause);
    }

    @Override
    public Invocable.InvocationType getInvocationType() {
      return Invocable.InvocationType.NON_BLOCKING;
    }
  };
  private final FrameWriter writer;
  private final Scheduler scheduler;
  /** The transport's {@code maxMessageSize}: a frame declared longer closes with 1009 at once. */
  private final long maxFrameSize;
  /**
   * The endpoint is a plain socket: a read that leaves room in the buffer took everything the
   * kernel had, and the selector reports the socket again if more came since (level-triggered).
   * Not so for TLS, whose endpoint may hold decrypted bytes back; there reading goes on until 0.
   */
  private final boolean readsDrainSocket;

  // reading state: only the thread in onFillable (one at a time) touches it
  private RetainableByteBuffer buffer;
  /**
   * Payload bytes still to come of a frame larger than the read buffer (0: none). Such a frame is
   * handed over in pieces, as it arrives, as fragments of its message: nothing is allocated for its
   * declared length.
   */
  private long largeRemaining;
  /** The opcode of the large frame's next piece: its own, then CONTINUATION. */
  private byte largeOpCode;
  private boolean largeFin;
  private int largeMask;
  /** How many payload bytes of the large frame came so far (the mask turns with it). */
  private long largeOffset;
  /** A close frame came from the client, or a protocol error: nothing more is read. */
  private volatile boolean closeReceived;
  /** Parley's close frame is written: with {@link #closeReceived}, the connection ends. */
  private volatile boolean closeWritten;
  /** A pong is queued and not yet written: pings meanwhile get no pong of their own. */
  private volatile boolean pongQueued;

  /** Set (0 to 1) once Parley's close frame is queued: by the transport, a protocol error, or an answer. */
  private volatile int closeSent;

  FrameConnection(EndPoint endPoint, java.util.concurrent.Executor executor, Scheduler scheduler, ByteBufferPool pool,
      JettyWebSocketTransport transport) {
    super(endPoint, executor);
    this.scheduler = scheduler;
    this.pool = pool;
    this.transport = transport;
    this.maxFrameSize = transport.maxMessageSize();
    this.readsDrainSocket = endPoint instanceof SocketChannelEndPoint;
    this.writer = new FrameWriter(endPoint, pool, this::onWriteFailure, transport.base64());
  }

  /** Run once by the session when its handlers have caught up after {@code pauseReading}. */
  private void resumeReading() {
    if (!closeReceived && getEndPoint().isOpen()) {
      fillInterested();
    }
  }

  @Override
  public void fillInterested() {
    getEndPoint().fillInterested(fillable);
  }

  // ------------------------------------------------------------------ Link (the transport's side)

  @Override
  public void send(List<EnginePacket> packets, Callback callback) {
    writer.send(packets, callback);
  }

  @Override
  public void sendFrame(Frame frame, Callback callback, boolean batch) {
    writer.enqueue(frame, callback);
  }

  @Override
  public void close(int code, String reason) {
    sendClose(code, reason);
  }

  @Override
  public void demand() {
    // reads are never paused: every frame is handed over as it is parsed
  }

  private void sendClose(int code, String reason) {
    if (!CLOSE_SENT.compareAndSet(this, 0, 1)) {
      return; // the transport and the reading thread may both close: one close frame
    }
    Frame frame = new CloseStatus(code, reason).toFrame();
    boolean closeAfterWrite = code != CloseStatus.NO_CODE && code != CloseStatus.NORMAL && code != CloseStatus.SHUTDOWN;
    // Once written, the writer shuts the output down. The connection ends when the close frame is
    // written and the client's is received (whichever comes second), at once after a protocol error,
    // or after CLOSE_TIMEOUT_MILLIS when the client never answers (reading goes on meanwhile, and
    // would reset the idle timeout).
    writer.enqueue(frame, Callback.from(() -> {
      closeWritten = true;
      if (closeAfterWrite || closeReceived) {
        closeEndPoint();
      }
    }, x -> closeEndPoint()));
    if (!closeAfterWrite) {
      scheduler.schedule(this::closeEndPoint, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void closeEndPoint() {
    EndPoint endPoint = getEndPoint();
    if (endPoint.isOpen()) {
      endPoint.close();
    }
  }

  private void onWriteFailure(Throwable cause) {
    transport.onError(cause, Callback.NOOP);
    getEndPoint().close(cause);
  }

  // ------------------------------------------------------------------ Jetty's side

  @Override
  public void onUpgradeTo(ByteBuffer prefilled) {
    // bytes the client sent right behind its upgrade request
    int n = prefilled.remaining();
    if (n > 0) {
      buffer = PooledBuffers.acquire(pool, Math.max(READ_BUFFER_SIZE, n), false);
      ByteBuffer b = buffer.getByteBuffer();
      b.clear();
      b.put(prefilled);
      b.flip();
    }
  }

  @Override
  public void onOpen() {
    super.onOpen();
    getEndPoint().setIdleTimeout(transport.idleTimeout().toMillis());
    try {
      transport.open(this);
    } catch (Throwable t) {
      releaseBuffer();
      transport.onError(t, Callback.NOOP);
      getEndPoint().close(t);
      return;
    }
    if (buffer != null && buffer.hasRemaining()) {
      onFillable(); // parse what came with the upgrade first; it registers interest itself
    } else {
      fillInterested();
    }
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    writer.onClose(cause);
    // The read buffer is not released here: a read may be under way on another thread; the reading
    // thread releases it when it sees the end, or onFillInterestedFailed does when none is.
    // The transport reports once; if it was told already (close frame, error) this does nothing.
    transport.onError(cause == null ? new EOFException("connection closed") : cause, Callback.NOOP);
  }

  @Override
  public void onFillInterestedFailed(Throwable cause) {
    releaseBuffer(); // no read is under way while interest is registered
    super.onFillInterestedFailed(cause);
  }

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    transport.onError(timeout, Callback.NOOP);
    return true;
  }

  @Override
  protected boolean onReadTimeout(TimeoutException timeout) {
    transport.onError(timeout, Callback.NOOP);
    getEndPoint().close(timeout);
    return false;
  }

  @Override
  public void onFillable() {
    EndPoint endPoint = getEndPoint();
    try {
      boolean drained = false;
      while (true) {
        if (buffer == null) {
          buffer = PooledBuffers.acquire(pool, READ_BUFFER_SIZE, false);
          buffer.getByteBuffer().limit(0);
        }
        ByteBuffer b = buffer.getByteBuffer();
        if (b.hasRemaining()) {
          parse(b); // what was read (or came with the upgrade request) before reading more
          if (closeReceived || !endPoint.isOpen()) {
            releaseBuffer();
            return; // a close frame or a protocol error ended reading
          }
          if (transport.inputBacklogged()) {
            // the handlers are behind: neither read nor ask the selector until they catch up, so
            // TCP holds the client back (a partial frame stays in the buffer meanwhile). The buffer
            // is settled first: once the resume is registered, another thread may be reading.
            if (!b.hasRemaining()) {
              releaseBuffer();
            }
            if (transport.pauseReading(this::resumeReading)) { // made only here: no field per connection
              return;
            }
            continue; // caught up meanwhile: read on (the loop takes a buffer again if it was released)
          }
        }
        if (drained) {
          // the last read left room in the buffer: the socket had nothing more, so wait for the
          // selector instead of a read that would return 0 (one system call per message saved)
          if (!b.hasRemaining()) {
            releaseBuffer();
          }
          fillInterested();
          return;
        }
        int filled = endPoint.fill(b);
        if (filled < 0) {
          releaseBuffer();
          transport.onError(new EOFException("end of stream without a close frame"), Callback.NOOP);
          endPoint.close();
          return;
        }
        if (filled == 0) {
          if (!b.hasRemaining()) {
            releaseBuffer(); // an idle connection holds no buffer
          }
          fillInterested();
          return;
        }
        drained = readsDrainSocket && b.limit() < b.capacity();
      }
    } catch (Throwable t) {
      releaseBuffer();
      transport.onError(t, Callback.NOOP);
      endPoint.close(t);
    }
  }

  private void releaseBuffer() {
    RetainableByteBuffer b = buffer;
    if (b != null) {
      buffer = null;
      b.release();
    }
  }

  /**
   * Parses and hands over every complete frame in {@code b} (flush mode), leaving a partial frame
   * at the start of the buffer, ready for the next fill. Stops at a close frame or a protocol error
   * ({@link #closeReceived}).
   */
  private void parse(ByteBuffer b) {
    if (largeRemaining > 0 && !continueLarge(b)) {
      return;
    }
    byte[] a = b.array();
    int base = b.arrayOffset();
    while (!closeReceived && b.remaining() >= 2) {
      int p = b.position();
      int b0 = a[base + p] & 0xFF;
      int b1 = a[base + p + 1] & 0xFF;
      byte op = (byte) (b0 & 0x0F);
      boolean fin = (b0 & 0x80) != 0;
      if ((b0 & 0x70) != 0) {
        protocolError(CloseStatus.PROTOCOL, "RSV bits set without a negotiated extension");
        return;
      }
      if (!OpCode.isKnown(op)) {
        protocolError(CloseStatus.PROTOCOL, "unknown opcode " + op);
        return;
      }
      if ((b1 & 0x80) == 0) {
        protocolError(CloseStatus.PROTOCOL, "client frame not masked");
        return;
      }
      int len7 = b1 & 0x7F;
      if (OpCode.isControlFrame(op) && (!fin || len7 > Frame.MAX_CONTROL_PAYLOAD)) {
        protocolError(CloseStatus.PROTOCOL, fin ? "control frame payload larger than 125 bytes" : "fragmented control frame");
        return;
      }
      int headerLength = 6 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
      if (b.remaining() < headerLength) {
        break;
      }
      long length;
      int i = base + p + 2;
      if (len7 == 126) {
        length = ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        i += 2;
      } else if (len7 == 127) {
        length = 0;
        for (int k = 0; k < 8; k++) {
          length = (length << 8) | (a[i + k] & 0xFF);
        }
        i += 8;
        if (length < 0) {
          protocolError(CloseStatus.PROTOCOL, "frame length with the most significant bit set");
          return;
        }
      } else {
        length = len7;
      }
      if (length > maxFrameSize) {
        protocolError(CloseStatus.MESSAGE_TOO_LARGE, "message larger than " + maxFrameSize + " bytes");
        return;
      }
      int mask = ((a[i] & 0xFF) << 24) | ((a[i + 1] & 0xFF) << 16) | ((a[i + 2] & 0xFF) << 8) | (a[i + 3] & 0xFF);
      int payloadStart = p + headerLength;
      int len = (int) length;
      if (b.limit() - payloadStart >= len) {
        unmask(a, base + payloadStart, len, mask);
        b.position(payloadStart + len);
        onFrame(op, fin, ByteBuffer.wrap(a, base + payloadStart, len));
        continue;
      }
      if (headerLength + len <= b.capacity()) {
        break; // the rest of the frame fits in the buffer: compact and read on
      }
      // larger than the buffer: handed over in pieces as they come
      largeRemaining = len;
      largeOpCode = op;
      largeFin = fin;
      largeMask = mask;
      largeOffset = 0;
      b.position(payloadStart);
      if (!continueLarge(b)) {
        return;
      }
    }
    b.compact().flip();
  }

  /**
   * Hands over what {@code b} holds of the large frame, as a fragment of its message (the frame's own
   * opcode first, then CONTINUATION; the frame's FIN on its last piece). Returns true once the frame
   * is complete; false while more is to come ({@code b} is then left empty).
   */
  private boolean continueLarge(ByteBuffer b) {
    int n = (int) Math.min(b.remaining(), largeRemaining);
    if (n > 0) {
      byte[] a = b.array();
      int from = b.arrayOffset() + b.position();
      // the mask turns with the payload offset: payload byte k takes mask byte k % 4
      unmask(a, from, n, Integer.rotateLeft(largeMask, 8 * (int) (largeOffset & 3)));
      b.position(b.position() + n);
      largeRemaining -= n;
      largeOffset += n;
      byte op = largeOpCode;
      largeOpCode = OpCode.CONTINUATION;
      boolean fin = largeRemaining == 0 && largeFin;
      if (largeOffset == n) {
        onFrame(op, fin, ByteBuffer.wrap(a, from, n)); // the frame's first piece
      } else if (closeSent == 0) {
        transport.onDataFramePiece(fin, ByteBuffer.wrap(a, from, n));
      }
    }
    if (largeRemaining > 0) {
      b.clear().limit(0);
      return false;
    }
    return true;
  }

  /** XORs {@code len} bytes from {@code from} with the 4-byte {@code mask} (big-endian, first byte first). */
  static void unmask(byte[] a, int from, int len, int mask) {
    int k = 0;
    if (len >= 8) {
      long m = ((mask & 0xFFFFFFFFL) << 32) | (mask & 0xFFFFFFFFL);
      for (; k + 8 <= len; k += 8) {
        LONGS.set(a, from + k, (long) LONGS.get(a, from + k) ^ m);
      }
    }
    for (; k < len; k++) {
      a[from + k] ^= (byte) (mask >>> (8 * (3 - (k & 3))));
    }
  }

  /** One parsed frame (after Parley's close frame, data and pings are ignored). */
  private void onFrame(byte op, boolean fin, ByteBuffer payload) {
    switch (op) {
      case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> {
        if (closeSent == 0) {
          transport.onDataFrame(op, fin, payload);
        }
      }
      case OpCode.PING -> {
        // one pong queued at a time: a client that pings and never reads cannot grow the queue
        // (RFC 6455 5.5.3 lets a pong answer only some of several pings)
        if (closeSent == 0 && !pongQueued) {
          pongQueued = true;
          ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
          copy.put(payload).flip();
          writer.enqueue(new Frame(OpCode.PONG, copy), Callback.from(() -> pongQueued = false));
        }
      }
      case OpCode.PONG -> {
        // nothing: Engine.IO has its own heartbeat
      }
      default -> onCloseFrame(payload);
    }
  }

  private void onCloseFrame(ByteBuffer payload) {
    int n = payload.remaining();
    if (n == 1) {
      protocolError(CloseStatus.PROTOCOL, "close frame with a one-byte payload");
      return;
    }
    int code = CloseStatus.NO_CODE;
    String reason = null;
    if (n >= 2) {
      code = ((payload.get() & 0xFF) << 8) | (payload.get() & 0xFF);
      if (!CloseStatus.isTransmittableStatusCode(code)) {
        protocolError(CloseStatus.PROTOCOL, "invalid close code " + code);
        return;
      }
      if (payload.hasRemaining()) {
        try {
          reason = StandardCharsets.UTF_8.newDecoder().decode(payload).toString();
        } catch (CharacterCodingException e) {
          protocolError(CloseStatus.BAD_PAYLOAD, "close reason is not valid UTF-8");
          return;
        }
      }
    }
    closeReceived = true;
    transport.onClosed(new CloseStatus(code, reason), Callback.NOOP);
    if (closeSent != 0) {
      if (closeWritten) {
        closeEndPoint(); // the answer to Parley's close frame: done (else its write callback closes)
      }
    } else {
      sendClose(code, null); // the client's code echoed (none for none), as ws answers
    }
  }

  /** A violation of RFC 6455: the transport reports it and closes with {@code code}; nothing more is read. */
  private void protocolError(int code, String detail) {
    closeReceived = true;
    if (closeSent != 0) {
      getEndPoint().close();
    } else {
      transport.fail(code, detail);
    }
  }
}
