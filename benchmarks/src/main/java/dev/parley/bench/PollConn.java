package dev.parley.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One generator client on Engine.IO v4 HTTP long-polling only ({@code transport=polling}, never
 * upgraded), written by hand over HTTP/1.1 keep-alive like a browser does it: two connections, one
 * that always holds the pending GET (the handshake GET first, then one GET after each response) and
 * one for the POSTs. Outgoing packets wait in an outbox and go out together, separated by
 * {@code \x1e}, in one POST at a time (a second POST in flight is an error for the servers); a GET
 * response may carry several packets, separated the same way. Every status but 200 is counted as an
 * error and ends the client.
 *
 * <p>All state is touched on the owning selector thread only: {@link #send} from another thread hands
 * the packet over with {@link Gen.Loop#execute}. The POST connection is opened when there is something
 * to send and none is open, and reopened when it was idle for {@value #POST_IDLE_MILLIS} ms or more,
 * because servers close idle keep-alive connections (Node's {@code keepAliveTimeout} is 5 s), and a
 * request written as the server closes would be lost; the server closing a connection with no request
 * outstanding is therefore not an error.
 *
 * <p>As HTTP clients do, a request written on a reused connection that the server closes before any
 * byte of the response is sent again, once, on a new connection (netty-socketio 2.0.14 closes the
 * connection after every polling response although it answers {@code Connection: keep-alive}); the
 * client then stops reusing connections and opens one per request ({@link Stats#httpConnects} over
 * {@link Stats#httpRequests} shows it). {@code Connection: close} in a response is honoured the same way.
 */
final class PollConn extends Client {
  static final long POST_IDLE_MILLIS = 2000;
  private static final byte RS = 0x1e;

  private final Gen.Loop loop;
  private final String source;
  private final int port;
  private final String host;
  private volatile Http get;
  private volatile Http post;
  private String sid;
  private byte[] getRequest;
  private String postHead;
  /** Packets not yet POSTed, separated by \x1e. */
  private final StringBuilder outbox = new StringBuilder();
  private boolean postInFlight;
  private long postIdleSince;
  /** Set once the server closed a reused connection: one connection per request from then on. */
  private boolean noReuse;

  PollConn(Stats stats, Gen.Loop loop, String source, int port) {
    super(stats);
    this.loop = loop;
    this.source = source;
    this.port = port;
    this.host = "Host: 127.0.0.1:" + port + "\r\n";
  }

  /** Opens the GET connection on the loop; the handshake GET goes out when it is connected. */
  void start() {
    loop.execute(() -> {
      try {
        Http g = open();
        get = g;
        g.request(("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n" + host + "Accept: */*\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        fail(e);
      }
    });
  }

  private Http open() throws IOException {
    SocketChannel ch = Gen.open(source);
    stats.httpConnects.incrementAndGet();
    Http h = new Http(ch);
    ch.connect(new InetSocketAddress("127.0.0.1", port));
    loop.register(h);
    return h;
  }

  @Override
  void onOpen(byte[] a, int off, int len) {
    String open = new String(a, off, len, StandardCharsets.UTF_8);
    int i = open.indexOf("\"sid\":\"");
    int j = i < 0 ? -1 : open.indexOf('"', i + 7);
    if (j < 0) {
      stats.errors.incrementAndGet();
      fail(new IOException("no sid in the open packet: " + open));
      return;
    }
    sid = open.substring(i + 7, j);
    String path = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
    getRequest = ("GET " + path + " HTTP/1.1\r\n" + host + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    postHead = "POST " + path + " HTTP/1.1\r\n" + host + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ";
  }

  @Override
  void send(String packet) {
    loop.execute(() -> {
      if (closed || sid == null) {
        stats.errors.incrementAndGet();
        return;
      }
      if (outbox.length() > 0) {
        outbox.append((char) RS);
      }
      outbox.append(packet);
      maybePost();
    });
  }

  /** On the loop: POSTs the outbox unless a POST is in flight or there is nothing to send. */
  private void maybePost() {
    if (postInFlight || outbox.length() == 0 || closed) {
      return;
    }
    try {
      Http p = post;
      if (p != null && (!p.open || noReuse || System.nanoTime() - postIdleSince >= POST_IDLE_MILLIS * 1_000_000L)) {
        p.closeChannel();
        p = null;
      }
      if (p == null) {
        p = open();
        post = p;
        if (closed) {
          p.closeChannel();
          return;
        }
      }
      byte[] body = outbox.toString().getBytes(StandardCharsets.UTF_8);
      outbox.setLength(0);
      byte[] head = (postHead + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      byte[] req = new byte[head.length + body.length];
      System.arraycopy(head, 0, req, 0, head.length);
      System.arraycopy(body, 0, req, head.length, body.length);
      postInFlight = true;
      p.request(req);
    } catch (IOException e) {
      fail(e);
    }
  }

  @Override
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    Http g = get;
    Http p = post;
    if (g != null) {
      g.closeChannel();
    }
    if (p != null) {
      p.closeChannel();
    }
  }

  /** On the loop: one complete response on {@code h}. */
  private void onResponse(Http h, int status, byte[] body, int off, int len, boolean connectionClose) {
    if (closed) {
      return;
    }
    if (status != 200) {
      stats.errors.incrementAndGet();
      fail(new IOException("HTTP " + status + " on a " + (h == get ? "GET" : "POST") + ": "
          + new String(body, off, Math.min(len, 200), StandardCharsets.UTF_8)));
      return;
    }
    if (h == get) {
      int start = off;
      for (int i = off; i <= off + len; i++) {
        if (i == off + len || body[i] == RS) {
          onPacket(body, start, i - start);
          if (closed) {
            return;
          }
          start = i + 1;
        }
      }
      try {
        Http g = get;
        if (connectionClose || noReuse) {
          g.closeChannel();
          g = open();
          get = g;
        }
        g.request(getRequest);
      } catch (IOException e) {
        fail(e);
      }
    } else {
      postInFlight = false;
      postIdleSince = System.nanoTime();
      if (connectionClose || noReuse) {
        h.closeChannel();
      }
      maybePost();
    }
  }

  /** On the loop: {@code h}, a reused connection, was closed before any byte of the response; resend on a new one. */
  private void resend(Http h, byte[] request) {
    noReuse = true;
    stats.httpRetries.incrementAndGet();
    try {
      Http n = open();
      if (h == get) {
        get = n;
      } else {
        post = n;
      }
      if (closed) {
        n.closeChannel();
        return;
      }
      n.request(request);
    } catch (IOException e) {
      fail(e);
    }
  }

  /** One HTTP/1.1 connection of this client, one request outstanding at a time. */
  final class Http implements Gen.Wire {
    final SocketChannel channel;
    SelectionKey key;
    boolean connected;
    volatile boolean open = true;
    /** A request outstanding (written or waiting for the connect). */
    boolean awaiting;
    /** The outstanding request, for one resend; whether any byte of its response arrived; responses so far. */
    private byte[] lastRequest;
    private boolean gotBytes;
    private int responses;
    private byte[] pendingRequest;
    private ByteBuffer out;
    private byte[] buf = new byte[4096];
    private int len;

    Http(SocketChannel channel) {
      this.channel = channel;
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

    /** On the loop (or before the socket is registered): sends the request, or keeps it until connected. */
    void request(byte[] req) {
      stats.httpRequests.incrementAndGet();
      awaiting = true;
      lastRequest = req;
      gotBytes = false;
      if (!connected) {
        pendingRequest = req;
        return;
      }
      try {
        write(ByteBuffer.wrap(req));
      } catch (IOException e) {
        fail(e);
      }
    }

    private void write(ByteBuffer b) throws IOException {
      if (out != null) { // cannot happen with one request at a time; kept correct anyway
        ByteBuffer both = ByteBuffer.allocate(out.remaining() + b.remaining()).put(out).put(b);
        out = both.flip();
        return;
      }
      channel.write(b);
      if (b.hasRemaining()) {
        out = b;
        loop.wantWrite(this);
      }
    }

    @Override
    public void onConnect() throws IOException {
      connected = true;
      if (pendingRequest != null) {
        byte[] r = pendingRequest;
        pendingRequest = null;
        write(ByteBuffer.wrap(r));
      }
    }

    @Override
    public boolean flush() throws IOException {
      if (out != null) {
        channel.write(out);
        if (out.hasRemaining()) {
          return false;
        }
        out = null;
      }
      return true;
    }

    @Override
    public void onRead(ByteBuffer in) throws IOException {
      int n = in.remaining();
      gotBytes = true;
      if (len + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
      in.get(buf, len, n);
      len += n;
      while (len > 0 && open && !closed) {
        int used = parse();
        if (used <= 0) {
          break;
        }
        System.arraycopy(buf, used, buf, 0, len - used);
        len -= used;
      }
    }

    /** Parses one response from buf[0, len): the bytes it took, or 0 when incomplete. Dispatches it. */
    private int parse() throws IOException {
      int headerEnd = -1;
      for (int i = 0; i + 3 < len; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          headerEnd = i + 4;
          break;
        }
      }
      if (headerEnd < 0) {
        if (len > 64 * 1024) {
          throw new IOException("response header too long");
        }
        return 0;
      }
      if (len < 12 || buf[0] != 'H' || buf[8] != ' ') {
        throw new IOException("not an HTTP response");
      }
      int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
      long contentLength = -1;
      boolean chunked = false;
      boolean connectionClose = false;
      int line = indexOfCrlf(0, headerEnd) + 2;
      while (line < headerEnd - 2) {
        int eol = indexOfCrlf(line, headerEnd);
        if (startsWithIgnoreCase(line, eol, "content-length:")) {
          contentLength = Long.parseLong(ascii(line + 15, eol).trim());
        } else if (startsWithIgnoreCase(line, eol, "transfer-encoding:")) {
          chunked = ascii(line + 18, eol).toLowerCase(java.util.Locale.ROOT).contains("chunked");
        } else if (startsWithIgnoreCase(line, eol, "connection:")) {
          connectionClose = ascii(line + 11, eol).toLowerCase(java.util.Locale.ROOT).contains("close");
        }
        line = eol + 2;
      }
      if (chunked) {
        // sizes first: dispatch only once the last chunk is in
        int p = headerEnd;
        int bodyLen = 0;
        while (true) {
          int eol = indexOfCrlf(p, len);
          if (eol < 0) {
            return 0;
          }
          String size = ascii(p, eol);
          int semi = size.indexOf(';');
          int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (n == 0) {
            int end = indexOfEmptyLine(eol + 2);
            if (end < 0) {
              return 0;
            }
            byte[] body = new byte[bodyLen];
            int q = headerEnd;
            int o = 0;
            while (o < bodyLen) {
              int e = indexOfCrlf(q, len);
              String sz = ascii(q, e);
              int sc = sz.indexOf(';');
              int m = Integer.parseInt((sc < 0 ? sz : sz.substring(0, sc)).trim(), 16);
              System.arraycopy(buf, e + 2, body, o, m);
              o += m;
              q = e + 2 + m + 2;
            }
            awaiting = false;
            responses++;
            onResponse(this, status, body, 0, bodyLen, connectionClose);
            return end;
          }
          if (eol + 2 + n + 2 > len) {
            return 0;
          }
          bodyLen += n;
          p = eol + 2 + n + 2;
        }
      }
      if (contentLength < 0) {
        if (status == 204 || status == 304) {
          contentLength = 0;
        } else {
          throw new IOException("response without Content-Length or chunked body (status " + status + ")");
        }
      }
      if (len < headerEnd + contentLength) {
        return 0;
      }
      awaiting = false;
      responses++;
      int end = headerEnd + (int) contentLength;
      // the body is handed over where it lies: onResponse is done with it before the buffer moves
      onResponse(this, status, buf, headerEnd, (int) contentLength, connectionClose);
      return end;
    }

    /** After the last chunk: trailers end with an empty line; returns the index after it, or -1. */
    private int indexOfEmptyLine(int from) {
      int p = from;
      while (true) {
        int eol = indexOfCrlf(p, len);
        if (eol < 0) {
          return -1;
        }
        if (eol == p) {
          return eol + 2;
        }
        p = eol + 2;
      }
    }

    private int indexOfCrlf(int from, int to) {
      for (int i = from; i + 1 < to; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n') {
          return i;
        }
      }
      return -1;
    }

    private boolean startsWithIgnoreCase(int from, int to, String lowerName) {
      if (to - from < lowerName.length()) {
        return false;
      }
      for (int i = 0; i < lowerName.length(); i++) {
        if (Character.toLowerCase((char) buf[from + i]) != lowerName.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private String ascii(int from, int to) {
      return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    void closeChannel() {
      open = false;
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }

    @Override
    public void fail(Throwable t) {
      if (!open || closed) {
        closeChannel();
        return; // closed on purpose: by this client or by the scenario
      }
      closeChannel();
      if (!awaiting) {
        return; // the server closed a connection with no request outstanding: the next request opens another
      }
      if (!gotBytes && responses > 0 && len == 0) {
        resend(this, lastRequest); // a reused connection closed under the request
        return;
      }
      PollConn.this.fail(t);
    }
  }
}
