package dev.parley.transport.jetty;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.protocol.EngineCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.WebSocketException;

/**
 * The one writer of {@link FrameConnection}'s socket (the fast path: see {@link WebSocketPath}).
 *
 * <p>Every frame goes through it: Parley's data frames straight from the transport (an Engine.IO
 * batch becomes one item, its frames built from the packets' cached UTF-8 bytes), and the connection's
 * own frames (pongs, close frames). Whatever is queued while a write is under way leaves in the next
 * write, small frames copied into one pooled buffer, so a recipient that is behind gets its pending
 * packets in one system call.
 *
 * <p>The usual write goes straight to the {@link SocketChannel} of a plain {@link SocketChannelEndPoint}.
 * That is correct because nothing else writes to the endpoint: it belongs to {@link FrameConnection}
 * since the upgrade, and every write of the connection goes through this writer, one at a time (this
 * callback serializes them); what the socket does not take goes through the endpoint's own
 * {@code write}, which waits for the socket to be writable, and the next direct write comes only after
 * that one completed.
 *
 * <p>Jetty's flusher does more per frame (a lock and an iterating callback in each of three layers,
 * a frame object and a header buffer per frame); this writer does what a server connection without
 * masking needs, and keeps Jetty's rules: control frames jump the queue, nothing is accepted after
 * a close frame, an abnormal close drops what is queued, the output is shut down once the close frame
 * is written, and a failed write fails everything queued and closes the connection. Jetty's per-frame
 * write timeouts are not supported (Parley sets none; the idle timeout covers a stuck write).
 *
 * <pre>{@code
 * // what FrameConnection does with a pong, and with the transport's batch of packets:
 * writer.enqueue(new Frame(OpCode.PONG, payload), callback);
 * writer.send(packets, callback);
 * }</pre>
 */
final class FrameWriter extends IteratingCallback {
  /** Payloads up to this size are copied into the write's one buffer; larger ones are written from where they are. */
  private static final int COPY_LIMIT = 4096;
  /** A write carries at most this many bytes of copied frames (more waits for the next write). */
  private static final int MAX_COPY = 64 * 1024;
  /** A write takes at most this many queued items. */
  private static final int MAX_GATHER = 32;
  /** A write gathers at most this many payloads larger than {@link #COPY_LIMIT}. */
  private static final int MAX_LARGE = 16;

  private final EndPoint endPoint;
  /**
   * The socket itself, for the usual write (one buffer, no write pending) made straight to it: one
   * {@code write} system call instead of Jetty's write flusher state changes and a gathering
   * {@code writev} of one buffer. Null on any other endpoint (TLS, a subclass, tests): then the
   * endpoint's own {@code write} does every write.
   */
  private final SocketChannel channel;
  private final ByteBufferPool pool;
  /**
   * Told of a failed write (Jetty's session then closes). Not called for {@link #onClose} itself; but
   * when the endpoint closes under a pending write, that write fails first and this is called, as
   * Jetty's own flusher does.
   */
  private final Consumer<Throwable> onWriteFailure;
  /** Binary messages leave as {@code b<base64>} text frames (the client asked with {@code b64}). */
  private final boolean base64;
  // The queue is a chain of items through Item.next, guarded by this object's monitor. Fields rather
  // than collections: the per-message reference stores land in this one object (fewer cards for G1 to
  // refine than with a deque's and a list's arrays), and an idle connection keeps no arrays.
  private Item head;
  private Item tail;
  /** The items of the write under way, chained (only the iterating thread touches it). */
  private Item current;
  /** The buffers of a write with a large payload (null for the usual write from one buffer). */
  private List<ByteBuffer> buffers;
  private RetainableByteBuffer copied;
  /** Set under the lock: a close frame was queued; nothing more is accepted. */
  private boolean closeQueued;
  /** Set under the lock: the connection closed or a write failed. */
  private Throwable failure;
  /** The connection closed (rather than a write failing): nothing to report to the session. */
  private volatile boolean connectionClosed;

  FrameWriter(EndPoint endPoint, ByteBufferPool pool, Consumer<Throwable> onWriteFailure) {
    this(endPoint, pool, onWriteFailure, false);
  }

  /** A writer whose binary messages leave as {@code b<base64>} text frames when {@code base64} (a {@code b64=1} client). */
  FrameWriter(EndPoint endPoint, ByteBufferPool pool, Consumer<Throwable> onWriteFailure, boolean base64) {
    this.base64 = base64;
    this.endPoint = endPoint;
    // exactly Jetty's class: a subclass might buffer or count what passes through its flush
    this.channel = endPoint.getClass() == SocketChannelEndPoint.class ? ((SocketChannelEndPoint) endPoint).getChannel() : null;
    this.pool = pool;
    this.onWriteFailure = onWriteFailure;
  }

  /**
   * Queues a batch of Engine.IO packets, one frame each; {@code callback} completes once they are
   * written. A batch that would copy more than {@link #MAX_COPY} bytes, or gather more than
   * {@link #MAX_LARGE} large payloads (a slow client's whole backlog), is queued in parts that leave in
   * successive writes; only the last part carries the callback.
   */
  void send(List<EnginePacket> packets, Callback callback) {
    int n = packets.size();
    int from = 0;
    int copy = 0;
    int large = 0;
    for (int i = 0; i < n; i++) {
      int len = payloadLength(packets.get(i));
      int size = 10 + (len <= COPY_LIMIT ? len : 0);
      if (i > from && (copy + size > MAX_COPY || (len > COPY_LIMIT && large == MAX_LARGE))) {
        if (!offer(new Item(packets.subList(from, i), Callback.NOOP, copy, large), false)) {
          callback.failed(new ClosedChannelException()); // refused: so is everything after it
          return;
        }
        from = i;
        copy = 0;
        large = 0;
      }
      copy += size;
      if (len > COPY_LIMIT) {
        large++;
      }
    }
    if (offer(new Item(from == 0 ? packets : packets.subList(from, n), callback, copy, large), false) || from > 0) {
      iterate(); // (after a refusal, parts queued before it still leave or fail)
    }
  }

  private int payloadLength(EnginePacket p) {
    if (p.isBinary()) {
      int n = p.binary().length;
      return base64 ? 1 + 4 * ((n + 2) / 3) : n;
    }
    return EngineCodec.encodeTextUtf8(p).length;
  }

  /** Queues one frame (control frames go ahead of data; an abnormal close frame drops what is queued). */
  void enqueue(Frame frame, Callback callback) {
    Item item = new Item(frame, callback);
    if (offer(item, frame.getOpCode() == OpCode.CLOSE && CloseStatus.getCloseStatus(frame).isAbnormal())) {
      iterate();
    }
  }

  /** The connection closed: fail what is queued, and whatever comes later. */
  void onClose(Throwable cause) {
    connectionClosed = true;
    synchronized (this) {
      if (failure == null) {
        failure = cause == null ? new ClosedChannelException() : cause;
      }
    }
    // Idle: the next process() throws the failure, which fails what is queued. A write under way fails
    // on its own, the endpoint being closed, and that fails what is queued. (Not IteratingCallback.abort:
    // it returns void in early 12.0 releases and boolean since, and a call compiled against one does not
    // link on the other.)
    iterate();
  }

  private boolean offer(Item item, boolean abnormalClose) {
    Throwable refused = null;
    Item dropped = null;
    synchronized (this) {
      if (failure != null || closeQueued) {
        refused = failure != null ? failure : new ClosedChannelException();
      } else if (item.frame != null && item.frame.getOpCode() == OpCode.CLOSE) {
        closeQueued = true;
        if (abnormalClose) {
          dropped = head;
          head = null;
          tail = null;
        }
        addLast(item);
      } else if (item.frame != null && (item.frame.getOpCode() == OpCode.PING || item.frame.getOpCode() == OpCode.PONG)) {
        item.next = head;
        head = item;
        if (tail == null) {
          tail = item;
        }
      } else {
        addLast(item);
      }
    }
    if (dropped != null) {
      WebSocketException cause = new WebSocketException("abnormal close frame sent; queued frames dropped");
      failAll(dropped, cause);
    }
    if (refused != null) {
      failQuietly(item.callback, refused);
      return false;
    }
    return true;
  }

  /** Under the monitor. */
  private void addLast(Item item) {
    if (tail == null) {
      head = item;
    } else {
      tail.next = item;
    }
    tail = item;
  }

  @Override
  protected Action process() throws Throwable {
    int copy = 0;
    synchronized (this) {
      if (failure != null) {
        throw failure;
      }
      // take up to MAX_GATHER items, no more copied bytes than MAX_COPY and no more large payloads
      // than MAX_LARGE (but at least one item)
      Item last = null;
      int count = 0;
      int large = 0;
      for (Item item = head; item != null && count < MAX_GATHER; item = item.next) {
        int size = item.copy;
        int itemLarge = item.large;
        if (count > 0 && (copy + size > MAX_COPY || large + itemLarge > MAX_LARGE)) {
          break;
        }
        copy += size;
        large += itemLarge;
        count++;
        last = item;
      }
      if (last == null) {
        return Action.IDLE;
      }
      current = head;
      head = last.next;
      if (head == null) {
        tail = null;
      }
      last.next = null;
    }
    copied = copy == 0 ? null : PooledBuffers.acquire(pool, copy, true);
    ByteBuffer out = copied == null ? null : copied.getByteBuffer();
    if (out != null) {
      out.clear(); // fill mode: position 0, limit capacity
    }
    int mark = 0;
    for (Item item = current; item != null; item = item.next) {
      if (item.packets != null) {
        List<EnginePacket> packets = item.packets;
        for (int j = 0, m = packets.size(); j < m; j++) {
          EnginePacket p = packets.get(j);
          byte[] payload = JettyWebSocketTransport.payload(p, base64);
          mark = frame(out, mark, (byte) (0x80 | JettyWebSocketTransport.opCode(p, base64)), payload.length,
              payload, null);
        }
      } else {
        Frame f = item.frame;
        int b0 = (f.isFin() ? 0x80 : 0) | (f.isRsv1() ? 0x40 : 0) | (f.isRsv2() ? 0x20 : 0) | (f.isRsv3() ? 0x10 : 0)
            | (f.getOpCode() & 0x0F);
        ByteBuffer payload = f.getPayload();
        mark = frame(out, mark, (byte) b0, payload == null ? 0 : payload.remaining(), null, payload);
      }
    }
    if (out == null) {
      succeeded(); // an empty batch: nothing to write
      return Action.SCHEDULED;
    }
    if (buffers == null) {
      // the usual write: every frame copied into the one buffer, written as it is (no slice, no list)
      out.flip();
      if (channel != null && writeDirect(out)) {
        succeeded();
      } else {
        endPoint.write(this, out); // what is left, once the socket is writable again
      }
      return Action.SCHEDULED;
    }
    if (out.position() > mark) {
      buffers.add(out.slice(mark, out.position() - mark));
    }
    ByteBuffer[] array = buffers.toArray(new ByteBuffer[0]);
    buffers = null;
    endPoint.write(this, array);
    return Action.SCHEDULED;
  }

  /**
   * Writes {@code out} straight to the socket; true when all of it went. No write is pending when
   * {@link #process} runs (this callback serializes them), so the endpoint's flusher is idle. As the
   * endpoint's own flush does, a written byte counts as activity for the idle timeout, and an I/O
   * error is an {@link EofException} (the session sees the peer gone).
   */
  private boolean writeDirect(ByteBuffer out) throws EofException {
    int written;
    try {
      written = channel.write(out);
    } catch (IOException e) {
      throw new EofException(e);
    }
    if (written > 0 && endPoint instanceof IdleTimeout idle) {
      idle.notIdle();
    }
    return !out.hasRemaining();
  }

  /**
   * Appends one frame: the header into {@code out}, the payload too when small, else the copied bytes
   * so far and then the payload as buffers of their own. Returns the start of the copied bytes not yet
   * handed to {@link #buffers}.
   */
  private int frame(ByteBuffer out, int mark, byte b0, int length, byte[] bytes, ByteBuffer payload) {
    out.put(b0);
    if (length < 126) {
      out.put((byte) length);
    } else if (length <= 0xFFFF) {
      out.put((byte) 126).putShort((short) length);
    } else {
      out.put((byte) 127).putLong(length);
    }
    if (length == 0) {
      return mark;
    }
    if (length <= COPY_LIMIT) {
      if (bytes != null) {
        out.put(bytes);
      } else {
        out.put(payload.duplicate());
      }
      return mark;
    }
    if (buffers == null) {
      buffers = new ArrayList<>();
    }
    buffers.add(out.slice(mark, out.position() - mark));
    buffers.add(bytes != null ? ByteBuffer.wrap(bytes) : payload.duplicate());
    return out.position();
  }

  @Override
  protected void onSuccess() {
    release();
    Item item = current;
    current = null;
    while (item != null) {
      if (item.frame != null && item.frame.getOpCode() == OpCode.CLOSE) {
        // as Jetty's flusher: the FIN goes before the close frame's callback, which may close the socket
        endPoint.shutdownOutput();
      }
      Item next = item.next;
      item.next = null;
      succeedQuietly(item.callback);
      item = next;
    }
  }

  @Override
  protected void onCompleteFailure(Throwable cause) {
    release();
    Item writing = current;
    current = null;
    Item queued;
    Throwable reason;
    synchronized (this) {
      if (failure == null) {
        failure = cause;
      }
      reason = failure; // the connection's close, when that came first, rather than what it did to a write
      queued = head;
      head = null;
      tail = null;
    }
    failAll(writing, reason);
    failAll(queued, reason);
    if (!connectionClosed) {
      onWriteFailure.accept(reason); // as Jetty's flusher: the session closes
    }
    endPoint.close(reason);
  }

  private void release() {
    if (copied != null) {
      copied.release();
      copied = null;
    }
  }

  private static void failAll(Item chain, Throwable cause) {
    for (Item item = chain; item != null; item = item.next) {
      failQuietly(item.callback, cause);
    }
  }

  private static void succeedQuietly(Callback callback) {
    try {
      callback.succeeded();
    } catch (Throwable ignored) {
      // as Jetty's flusher: a callback's failure is not the writer's
    }
  }

  private static void failQuietly(Callback callback, Throwable cause) {
    try {
      callback.failed(cause);
    } catch (Throwable ignored) {
      // as above
    }
  }

  /** A frame, or a batch of Engine.IO packets. */
  private static final class Item {
    final Frame frame;
    final List<EnginePacket> packets;
    final Callback callback;
    /** Bytes this item copies into the write's buffer: headers, and payloads up to {@link #COPY_LIMIT}. */
    final int copy;
    /** Payloads larger than {@link #COPY_LIMIT}: written from their own buffers. */
    final int large;
    /** The next item queued, or of the same write. */
    Item next;

    /** One frame (a pong, a close frame, the close packet). */
    Item(Frame frame, Callback callback) {
      ByteBuffer payload = frame.getPayload();
      int len = payload == null ? 0 : payload.remaining();
      this.frame = frame;
      this.packets = null;
      this.callback = callback;
      this.copy = 10 + (len <= COPY_LIMIT ? len : 0);
      this.large = len > COPY_LIMIT ? 1 : 0;
    }

    /** Engine.IO packets, with their sizes as {@link #send} counted them. */
    Item(List<EnginePacket> packets, Callback callback, int copy, int large) {
      this.frame = null;
      this.packets = packets;
      this.callback = callback;
      this.copy = copy;
      this.large = large;
    }
  }
}
