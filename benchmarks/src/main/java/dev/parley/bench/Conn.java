package dev.parley.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One generator connection: a non-blocking socket speaking WebSocket (RFC 6455) by hand, and on it
 * raw Engine.IO v4 / Socket.IO v5 text frames (no socket.io client, no WebSocket library). It answers
 * Engine.IO pings, connects to namespace {@code /}, sends events with ack ids, and hands acks and
 * {@code tick} events to the scenario. Frames are read and dispatched on the owning selector thread;
 * a {@code tick} is handed over as bytes, so receiving one allocates nothing.
 */
final class Conn {
  /** Called on the selector thread for every {@code 42[...]} event frame; must be quick. */
  interface TickListener {
    void onTick(byte[] buf, int off, int len);
  }

  final CompletableFuture<Conn> connected = new CompletableFuture<>();
  private final ConcurrentHashMap<Integer, Consumer<String>> pendingAcks = new ConcurrentHashMap<>(4);
  private final AtomicInteger ackIds = new AtomicInteger();
  private final Stats stats;
  final SocketChannel channel;
  final Gen.Loop loop;
  SelectionKey key;
  volatile TickListener tickListener;
  volatile boolean closed;
  /** Before the 101: the HTTP response so far. After: the bytes of an incomplete frame, or null. */
  private ByteBuffer partial;
  boolean upgraded;
  private final ArrayDeque<ByteBuffer> writes = new ArrayDeque<>();

  Conn(Stats stats, SocketChannel channel, Gen.Loop loop) {
    this.stats = stats;
    this.channel = channel;
    this.loop = loop;
  }

  /** Sends {@code 42<id>[...]} with the given JSON array body (without brackets) and calls onAck with the ack frame. */
  void emitWithAck(String argsJson, Consumer<String> onAck) {
    int id = ackIds.incrementAndGet();
    pendingAcks.put(id, onAck);
    send("42" + id + "[" + argsJson + "]");
  }

  /** Sends one text frame (masked with a zero key, as a client must mask; the key's value is not checked by servers). */
  void send(String text) {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    int n = p.length;
    ByteBuffer b = ByteBuffer.allocate(n + 14);
    b.put((byte) 0x81);
    if (n < 126) {
      b.put((byte) (0x80 | n));
    } else if (n < 65536) {
      b.put((byte) (0x80 | 126)).putShort((short) n);
    } else {
      b.put((byte) (0x80 | 127)).putLong(n);
    }
    b.putInt(0).put(p).flip();
    write(b);
  }

  void sendRaw(byte[] bytes) {
    write(ByteBuffer.wrap(bytes));
  }

  private void write(ByteBuffer b) {
    if (closed) {
      stats.errors.incrementAndGet();
      return;
    }
    synchronized (writes) {
      try {
        if (writes.isEmpty()) {
          channel.write(b);
          if (!b.hasRemaining()) {
            return;
          }
        }
        writes.add(b);
      } catch (IOException e) {
        fail(e);
        return;
      }
    }
    loop.wantWrite(this);
  }

  /** On the selector thread when the socket is writable. Returns true when nothing is left. */
  boolean flush() throws IOException {
    synchronized (writes) {
      while (!writes.isEmpty()) {
        ByteBuffer b = writes.peek();
        channel.write(b);
        if (b.hasRemaining()) {
          return false;
        }
        writes.poll();
      }
      return true;
    }
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  void fail(Throwable t) {
    if (!closed) {
      stats.disconnects.incrementAndGet();
    }
    close();
    connected.completeExceptionally(t);
  }

  /** On the selector thread: consume what was read ({@code in} in read mode; the loop reuses it). */
  void onRead(ByteBuffer in) {
    ByteBuffer buf = in;
    if (partial != null) {
      partial = grow(partial, in.remaining()).put(in);
      partial.flip();
      buf = partial;
    }
    if (!upgraded) {
      int end = headerEnd(buf);
      if (end < 0) {
        keep(buf);
        return;
      }
      String head = new String(buf.array(), buf.arrayOffset() + buf.position(), end, StandardCharsets.ISO_8859_1);
      if (!head.startsWith("HTTP/1.1 101")) {
        fail(new IOException("no upgrade: " + head.lines().findFirst().orElse("")));
        return;
      }
      upgraded = true;
      buf.position(buf.position() + end);
    }
    while (buf.remaining() >= 2) {
      int start = buf.position();
      int b0 = buf.get(start) & 0xff;
      int b1 = buf.get(start + 1) & 0x7f;
      int header = 2;
      long len = b1;
      if (b1 == 126) {
        if (buf.remaining() < 4) {
          break;
        }
        len = buf.getShort(start + 2) & 0xffff;
        header = 4;
      } else if (b1 == 127) {
        if (buf.remaining() < 10) {
          break;
        }
        len = buf.getLong(start + 2);
        header = 10;
      }
      if (buf.remaining() < header + len) {
        break;
      }
      int off = buf.arrayOffset() + start + header;
      int opcode = b0 & 0x0f;
      if (opcode == 1) {
        onText(buf.array(), off, (int) len);
      } else if (opcode == 9) { // ping: pong with the same payload (servers send none here)
        sendRaw(new byte[] {(byte) 0x8A, (byte) 0x80, 0, 0, 0, 0});
      } else if (opcode == 8) {
        fail(new IOException("close frame"));
        return;
      }
      buf.position(start + header + (int) len);
    }
    keep(buf);
  }

  /** Keeps the unconsumed rest of {@code buf} in {@code partial} (write mode), or clears it. */
  private void keep(ByteBuffer buf) {
    if (!buf.hasRemaining()) {
      partial = null;
    } else if (buf == partial) {
      partial.compact();
    } else {
      partial = ByteBuffer.allocate(Math.max(256, buf.remaining() * 2)).put(buf);
    }
  }

  private static ByteBuffer grow(ByteBuffer p, int more) {
    if (p.remaining() >= more) {
      return p;
    }
    ByteBuffer n = ByteBuffer.allocate((p.position() + more) * 2);
    p.flip();
    return n.put(p);
  }

  private static int headerEnd(ByteBuffer b) {
    for (int i = b.position(); i + 3 < b.limit(); i++) {
      if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
        return i + 4 - b.position();
      }
    }
    return -1;
  }

  private void onText(byte[] a, int off, int len) {
    if (len == 0) {
      return;
    }
    byte t = a[off];
    if (t == '2' && len == 1) { // Engine.IO ping
      send("3");
      return;
    }
    if (t == '0') { // Engine.IO open: connect to namespace "/"
      send("40");
      return;
    }
    if (t != '4' || len < 2) {
      if (t == '1') {
        fail(new IOException("engine.io close"));
      }
      return;
    }
    byte st = a[off + 1];
    if (st == '2') {
      TickListener l = tickListener;
      if (l != null) {
        l.onTick(a, off, len);
      }
    } else if (st == '3') {
      int id = 0;
      int i = off + 2;
      for (; i < off + len && a[i] >= '0' && a[i] <= '9'; i++) {
        id = id * 10 + (a[i] - '0');
      }
      Consumer<String> ack = pendingAcks.remove(id);
      if (ack != null) {
        ack.accept(new String(a, off, len, StandardCharsets.UTF_8));
      }
    } else if (st == '0') {
      connected.complete(this);
    } else if (st == '4' || st == '1') {
      stats.errors.incrementAndGet();
      connected.completeExceptionally(new IllegalStateException("refused: " + new String(a, off, len, StandardCharsets.UTF_8)));
    }
  }

  /** Counters shared by all connections of a run. */
  static final class Stats {
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
  }
}
