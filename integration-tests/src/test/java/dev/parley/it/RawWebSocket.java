package dev.parley.it;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket that writes frames exactly as told (any size, fragmented or
 * not, control frames in between) and reads frames one at a time: for input the JDK client will not
 * produce.
 */
final class RawWebSocket implements Closeable {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CONTINUATION = 0x0;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** One frame from the server; {@link #closeCode()} for a close frame (1005 when it has no code). */
  record Frame(int opcode, boolean fin, boolean compressed, byte[] payload) {
    Frame(int opcode, boolean fin, byte[] payload) {
      this(opcode, fin, false, payload);
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** A whole message, or the close that ended the connection. */
  record Message(int opcode, byte[] payload, int closeCode) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    boolean isClose() {
      return opcode == CLOSE;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private volatile long pongs;
  private String handshakeResponse;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  /** Connects to 127.0.0.1 and completes the upgrade; fails unless the answer is 101. */
  static RawWebSocket open(int port, String pathAndQuery) throws IOException {
    return open(port, pathAndQuery, 0);
  }

  /**
   * As {@link #open(int, String)}, with a small socket receive buffer when {@code receiveBufferSize}
   * is above zero: a client that then stops reading backs up into the server quickly.
   */
  static RawWebSocket open(int port, String pathAndQuery, int receiveBufferSize) throws IOException {
    return open(port, pathAndQuery, receiveBufferSize, new byte[0]);
  }

  /**
   * As {@link #open(int, String, int)}, sending {@code behindRequest} (frames, say) in the same write
   * as the upgrade request, before the 101 is read.
   */
  static RawWebSocket open(int port, String pathAndQuery, int receiveBufferSize, byte[] behindRequest)
      throws IOException {
    return open(port, pathAndQuery, receiveBufferSize, behindRequest, "");
  }

  /**
   * As {@link #open(int, String, int, byte[])}, with {@code extraHeaders} (whole lines, each ending
   * in CRLF) in the upgrade request; {@link #handshakeResponse()} then holds the server's answer.
   */
  static RawWebSocket open(int port, String pathAndQuery, int receiveBufferSize, byte[] behindRequest,
      String extraHeaders) throws IOException {
    Socket s = new Socket();
    if (receiveBufferSize > 0) {
      s.setReceiveBufferSize(receiveBufferSize);
    }
    s.setSoTimeout(10_000);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    RawWebSocket ws = new RawWebSocket(s);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
    ws.out.write(behindRequest);
    ws.out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = ws.in.read();
      if (b < 0) {
        s.close();
        throw new IOException("closed during the handshake: " + head);
      }
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String response = head.toString(StandardCharsets.US_ASCII);
    if (!response.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("upgrade refused: " + response);
    }
    ws.handshakeResponse = response;
    return ws;
  }

  /** Buffers one masked frame; {@link #flush()} sends what is buffered. */
  RawWebSocket frame(boolean fin, int opcode, byte[] payload) throws IOException {
    out.write(encode(fin, opcode, payload));
    return this;
  }

  /** Buffers bytes as they are (a frame built by hand: unmasked, RSV bits, a bad length...). */
  RawWebSocket raw(byte[] bytes) throws IOException {
    out.write(bytes);
    return this;
  }

  /** One masked client frame, as bytes. */
  /**
   * The payload of a permessage-deflate message compressed on its own (no context takeover, or the
   * first message), as RFC 7692 asks: the tail {@code 00 00 FF FF} put back, then raw DEFLATE.
   */
  static byte[] inflate(byte[] payload) throws java.util.zip.DataFormatException {
    java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
    try {
      byte[] input = Arrays.copyOf(payload, payload.length + 4);
      input[payload.length + 2] = (byte) 0xFF;
      input[payload.length + 3] = (byte) 0xFF;
      inflater.setInput(input);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[16 * 1024];
      int n;
      while ((n = inflater.inflate(chunk)) > 0) {
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } finally {
      inflater.end();
    }
  }

  static byte[] encode(boolean fin, int opcode, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >> 8);
      f.write(payload.length & 0xff);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >> (8 * i)) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  /** Ends the client's output (TCP FIN); reading goes on. */
  void shutdownOutput() throws IOException {
    out.flush();
    socket.shutdownOutput();
  }

  /** Whether the server ended the stream: the next read finds its end (waits up to the read timeout). */
  boolean endOfStream() throws IOException {
    try {
      return in.read() < 0;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  RawWebSocket flush() throws IOException {
    out.flush();
    return this;
  }

  /** Sends one unfragmented text frame. */
  void sendText(String text) throws IOException {
    frame(true, TEXT, text.getBytes(StandardCharsets.UTF_8)).flush();
  }

  /** Reads one frame (server frames are not masked). */
  Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new IOException("end of stream inside a frame");
    }
    return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, (b0 & 0x40) != 0, payload);
  }

  /** Reads the next whole data message or the close frame, counting and skipping pongs and pings. */
  Message readMessage() throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    int opcode = -1;
    while (true) {
      Frame f = readFrame();
      if (f.opcode() == PONG) {
        pongs++;
        continue;
      }
      if (f.opcode() == PING) {
        continue;
      }
      if (f.opcode() == CLOSE) {
        return new Message(CLOSE, f.payload(), f.closeCode());
      }
      if (opcode < 0) {
        opcode = f.opcode();
      }
      message.write(f.payload());
      if (f.fin()) {
        return new Message(opcode, message.toByteArray(), 0);
      }
    }
  }

  /** Reads messages until a text message arrives; fails on a close. */
  String readText() throws IOException {
    while (true) {
      Message m = readMessage();
      if (m.isClose()) {
        throw new IOException("closed by the server with " + m.closeCode());
      }
      if (m.opcode() == TEXT) {
        return m.text();
      }
    }
  }

  /** The server's 101 answer: status line and headers. */
  String handshakeResponse() {
    return handshakeResponse;
  }

  /** The pongs seen so far by {@link #readMessage()}. */
  long pongs() {
    return pongs;
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IOException("end of stream");
    }
    return b;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
