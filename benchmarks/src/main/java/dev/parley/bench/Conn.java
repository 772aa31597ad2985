package dev.parley.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One generator WebSocket client: a non-blocking socket speaking WebSocket (RFC 6455) by hand, and on
 * it raw Engine.IO v4 / Socket.IO v5 text frames (no socket.io client, no WebSocket library); the
 * Engine.IO / Socket.IO side is {@link Client}'s. Frames are read and dispatched on the owning
 * selector thread; a {@code tick} is handed over as bytes, so receiving one allocates nothing.
 */
final class Conn extends Client implements Gen.Wire {
  final SocketChannel channel;
  final Gen.Loop loop;
  private final int port;
  SelectionKey key;
  /** Before the 101: the HTTP response so far. After: the bytes of an incomplete frame, or null. */
  private ByteBuffer partial;
  boolean upgraded;
  private final ArrayDeque<ByteBuffer> writes = new ArrayDeque<>();

  Conn(Stats stats, SocketChannel channel, Gen.Loop loop, int port) {
    super(stats);
    this.channel = channel;
    this.loop = loop;
    this.port = port;
  }

  @Override
  public SocketChannel channel() {
    return channel;
  }

  @Override
  public SelectionKey key() {
    return key;
  }

  @Override
  public void key(SelectionKey key) {
    this.key = key;
  }

  @Override
  public void onConnect() {
    sendRaw(upgradeRequest());
  }

  private byte[] upgradeRequest() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends one text frame (masked with a zero key, as a client must mask; the key's value is not checked by servers). */
  @Override
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
  @Override
  public boolean flush() throws IOException {
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

  @Override
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

  @Override
  public void fail(Throwable t) {
    super.fail(t);
  }

  /** On the selector thread: consume what was read ({@code in} in read mode; the loop reuses it). */
  @Override
  public void onRead(ByteBuffer in) {
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
        onPacket(buf.array(), off, (int) len);
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
}
