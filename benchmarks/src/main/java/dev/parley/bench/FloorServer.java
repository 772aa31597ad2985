package dev.parley.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The wire floor of the benchmark's WebSocket scenarios: a hand-written, single-threaded NIO loop
 * that does only the system calls the scenarios require and almost nothing else. It is not a
 * Socket.IO server and not something to deploy: no long-polling, no pings, no validation, room
 * names without escapes, one namespace. What it does do is exactly the wire work of the scenario
 * contract with the least a JVM can add to it: read interest always on (no epoll_ctl per message),
 * one {@code read} per readiness into one shared buffer, the handler run on the selector thread (no
 * hand-off), and one {@code write} per outgoing frame: per recipient of a broadcast, per ack.
 *
 * <p>Its figures show what "one read per request, one write per recipient" costs on the machine of
 * the run: a target for CPU per message below this server's figure is out of reach for any server
 * built that way (Parley, Node socket.io and netty-socketio all are, except that Parley merges the
 * frames of overlapping broadcasts to one client into one write).
 *
 * <pre>{@code
 * PORT=3917 java -cp benchmarks/target/classes dev.parley.bench.FloorServer
 * scripts/bench.sh --servers parley,netty,floor --idle '' --polling-echo '' --polling-fanout ''
 * }</pre>
 *
 * <p>Scenario contract as the other servers: {@code join(room)} and {@code leave(room)} ack
 * {@code true}; {@code broadcast(room, payload)} sends {@code tick(payload)} to the room and acks
 * {@code true}; {@code broadcast-others} the same without the sender; {@code echo(...args)} acks its
 * arguments. Listens on {@code 127.0.0.1:$PORT} (3000).
 */
public final class FloorServer {
  private static final byte[] TICK_PREFIX = "42[\"tick\",".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE_ACK_TAIL = "[true]".getBytes(StandardCharsets.US_ASCII);
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** Bytes a connection may have queued (a slow reader); past it the connection is closed. */
  private static final int MAX_QUEUED = 1 << 20;

  private final Selector selector;
  private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
  /** Where a read's bytes are parsed, after what the connection kept of an earlier read. */
  private final byte[] work = new byte[128 * 1024];
  private final Map<String, List<Peer>> rooms = new HashMap<>();
  private long sids;

  private FloorServer(Selector selector) {
    this.selector = selector;
  }

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    Selector selector = Selector.open();
    ServerSocketChannel server = ServerSocketChannel.open();
    server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    System.out.println("floor server listening on http://127.0.0.1:" + port + "/socket.io/");
    new FloorServer(selector).loop(server);
  }

  private void loop(ServerSocketChannel server) throws IOException {
    while (true) {
      selector.select();
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        if (!key.isValid()) {
          continue;
        }
        if (key.isAcceptable()) {
          SocketChannel ch;
          while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Peer p = new Peer(ch);
            p.key = ch.register(selector, SelectionKey.OP_READ, p);
          }
          continue;
        }
        Peer p = (Peer) key.attachment();
        try {
          if (key.isWritable()) {
            p.drain();
          }
          if (key.isValid() && key.isReadable()) {
            read(p);
          }
        } catch (IOException | RuntimeException e) {
          close(p);
        }
      }
    }
  }

  private void read(Peer p) throws IOException {
    in.clear();
    int n = p.ch.read(in);
    if (n < 0) {
      close(p);
      return;
    }
    in.flip();
    int restLen = p.rest == null ? 0 : p.rest.length;
    int off = 0;
    int len = restLen + n;
    byte[] data = len <= work.length ? work : new byte[len];
    if (restLen > 0) {
      System.arraycopy(p.rest, 0, data, 0, restLen);
    }
    in.get(data, restLen, n);
    int used = p.upgraded ? frames(p, data, off, len) : upgrade(p, data, off, len);
    if (!p.ch.isOpen()) {
      return;
    }
    if (used < len) {
      if (len - used > 1 << 20) {
        close(p);
        return;
      }
      p.rest = java.util.Arrays.copyOfRange(data, off + used, off + len);
    } else {
      p.rest = null;
    }
  }

  /** The HTTP upgrade request: answers 101 and the Engine.IO open packet; returns the bytes used. */
  private int upgrade(Peer p, byte[] a, int off, int len) throws IOException {
    int end = -1;
    for (int i = off; i + 3 < off + len; i++) {
      if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
        end = i + 4;
        break;
      }
    }
    if (end < 0) {
      return 0;
    }
    String head = new String(a, off, end - off, StandardCharsets.ISO_8859_1);
    String key = null;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
        key = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    if (key == null) {
      p.send(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII)));
      close(p);
      return len;
    }
    String accept;
    try {
      accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] head101 = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] open = ("0{\"sid\":\"floor" + (++sids) + "\",\"upgrades\":[],\"pingInterval\":25000,"
        + "\"pingTimeout\":20000,\"maxPayload\":1000000}").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(head101.length + 4 + open.length);
    out.put(head101);
    frame(out, open, 0, open.length);
    out.flip();
    p.upgraded = true;
    p.send(out);
    return (end - off) + frames(p, a, end, off + len - end);
  }

  /** Client frames (masked, unfragmented) in {@code a[off..off+len)}; returns the bytes used. */
  private int frames(Peer p, byte[] a, int off, int len) throws IOException {
    int pos = off;
    int limit = off + len;
    while (limit - pos >= 6) {
      int b0 = a[pos] & 0xff;
      int b1 = a[pos + 1] & 0x7f;
      int header = 2;
      long n = b1;
      if (b1 == 126) {
        if (limit - pos < 8) {
          break;
        }
        n = ((a[pos + 2] & 0xff) << 8) | (a[pos + 3] & 0xff);
        header = 4;
      } else if (b1 == 127) {
        if (limit - pos < 14) {
          break;
        }
        n = ByteBuffer.wrap(a, pos + 2, 8).getLong();
        header = 10;
      }
      if (n > 1 << 20) {
        close(p);
        return len;
      }
      if (limit - pos < header + 4 + n) {
        break;
      }
      int m = pos + header;
      int start = m + 4;
      for (int i = 0; i < n; i++) {
        a[start + i] ^= a[m + (i & 3)];
      }
      int opcode = b0 & 0x0f;
      if (opcode == 8) {
        close(p);
        return len;
      }
      if (opcode == 1) {
        packet(p, a, start, (int) n);
      }
      pos = start + (int) n;
    }
    return pos - off;
  }

  /** One Engine.IO packet in text form. */
  private void packet(Peer p, byte[] a, int off, int len) throws IOException {
    if (len == 2 && a[off] == '4' && a[off + 1] == '0') {
      p.send(text("40{\"sid\":\"floor-s" + (++sids) + "\"}"));
      return;
    }
    if (len < 4 || a[off] != '4' || a[off + 1] != '2') {
      return; // pongs, noops
    }
    int i = off + 2;
    int end = off + len;
    int idFrom = i;
    while (i < end && a[i] >= '0' && a[i] <= '9') {
      i++;
    }
    int idTo = i;
    // i at '[': the event name is the first string
    int nameFrom = i + 2;
    int nameTo = indexOf(a, nameFrom, end, (byte) '"');
    String name = new String(a, nameFrom, nameTo - nameFrom, StandardCharsets.US_ASCII);
    int next = nameTo + 1; // ',' or ']'
    switch (name) {
      case "join", "leave" -> {
        String room = string(a, next + 2, end);
        List<Peer> members = rooms.computeIfAbsent(room, r -> new ArrayList<>());
        if (name.equals("join")) {
          if (!p.joined.contains(room)) {
            p.joined.add(room);
            members.add(p);
          }
        } else if (p.joined.remove(room)) {
          members.remove(p);
        }
        ack(p, a, idFrom, idTo, TRUE_ACK_TAIL, 0, TRUE_ACK_TAIL.length);
      }
      case "broadcast", "broadcast-others" -> {
        int roomFrom = next + 2;
        int roomTo = indexOf(a, roomFrom, end, (byte) '"');
        String room = new String(a, roomFrom, roomTo - roomFrom, StandardCharsets.UTF_8);
        int payloadFrom = roomTo + 2; // after '",'
        int payloadLen = end - 1 - payloadFrom; // without the closing ']'
        int textLen = TICK_PREFIX.length + payloadLen + 1;
        ByteBuffer tick = ByteBuffer.allocate(4 + textLen);
        header(tick, textLen);
        tick.put(TICK_PREFIX).put(a, payloadFrom, payloadLen).put((byte) ']').flip();
        List<Peer> members = rooms.get(room);
        if (members != null) {
          boolean others = name.equals("broadcast-others");
          for (int k = 0, size = members.size(); k < size; k++) {
            Peer to = members.get(k);
            if (!(others && to == p)) {
              to.send(tick.duplicate());
            }
          }
        }
        ack(p, a, idFrom, idTo, TRUE_ACK_TAIL, 0, TRUE_ACK_TAIL.length);
      }
      case "echo" -> {
        // ack with the arguments after the name: "[" + rest, or "[]"
        if (a[next] == ']') {
          ack(p, a, idFrom, idTo, new byte[] {'[', ']'}, 0, 2);
        } else {
          a[next] = '['; // the ',' after the name becomes the array's opening bracket
          ack(p, a, idFrom, idTo, a, next, end - next);
        }
      }
      default -> ack(p, a, idFrom, idTo, TRUE_ACK_TAIL, 0, TRUE_ACK_TAIL.length);
    }
  }

  /** Sends {@code 43<id>} followed by {@code tail}, when the event asked for an ack. */
  private static void ack(Peer p, byte[] a, int idFrom, int idTo, byte[] tail, int off, int len) throws IOException {
    if (idTo == idFrom) {
      return;
    }
    int textLen = 2 + (idTo - idFrom) + len;
    ByteBuffer out = ByteBuffer.allocate(10 + textLen);
    header(out, textLen);
    out.put((byte) '4').put((byte) '3').put(a, idFrom, idTo - idFrom).put(tail, off, len).flip();
    p.send(out);
  }

  private static ByteBuffer text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(10 + b.length);
    frame(out, b, 0, b.length);
    return out.flip();
  }

  private static void frame(ByteBuffer out, byte[] b, int off, int len) {
    header(out, len);
    out.put(b, off, len);
  }

  /** An unmasked final text frame's header for a payload of {@code len} bytes. */
  private static void header(ByteBuffer out, int len) {
    out.put((byte) 0x81);
    if (len < 126) {
      out.put((byte) len);
    } else if (len < 65536) {
      out.put((byte) 126).putShort((short) len);
    } else {
      out.put((byte) 127).putLong(len);
    }
  }

  private static int indexOf(byte[] a, int from, int end, byte b) {
    for (int i = from; i < end; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    throw new IllegalArgumentException("malformed packet");
  }

  private static String string(byte[] a, int from, int end) {
    return new String(a, from, indexOf(a, from, end, (byte) '"') - from, StandardCharsets.UTF_8);
  }

  private void close(Peer p) {
    for (String room : p.joined) {
      List<Peer> members = rooms.get(room);
      if (members != null) {
        members.remove(p);
      }
    }
    p.joined.clear();
    if (p.key != null) {
      p.key.cancel();
    }
    try {
      p.ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** One client connection; its queue holds what a write could not take at once. */
  private final class Peer {
    final SocketChannel ch;
    final List<String> joined = new ArrayList<>(2);
    SelectionKey key;
    boolean upgraded;
    byte[] rest;
    ByteBuffer queued;

    Peer(SocketChannel ch) {
      this.ch = ch;
    }

    /** One write; what it does not take is queued and written when the socket is writable. */
    void send(ByteBuffer b) throws IOException {
      if (!ch.isOpen()) {
        return;
      }
      if (queued == null) {
        ch.write(b);
        if (!b.hasRemaining()) {
          return;
        }
        queued = ByteBuffer.allocate(Math.max(4096, b.remaining() * 2));
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
      if (queued.remaining() < b.remaining()) {
        if (queued.position() + b.remaining() > MAX_QUEUED) {
          close(this);
          return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(queued.capacity() * 2, queued.position() + b.remaining()));
        queued.flip();
        queued = bigger.put(queued);
      }
      queued.put(b);
    }

    void drain() throws IOException {
      queued.flip();
      ch.write(queued);
      if (queued.hasRemaining()) {
        queued.compact();
      } else {
        queued = null;
        key.interestOps(SelectionKey.OP_READ);
      }
    }
  }
}
