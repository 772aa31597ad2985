package dev.parley.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket to 127.0.0.1, for what the JDK client will not send: {@code Upgrade}
 * and {@code Expect} headers, partial bodies, several requests in a chosen order.
 */
final class RawHttp implements Closeable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A response: status, headers (lower-case names) and body. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  static RawHttp connect(int port) {
    try {
      return new RawHttp(port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes raw text; lines must already end with CRLF. */
  RawHttp write(String text) {
    try {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one response; the body by Content-Length, chunked encoding, or until the peer closes. */
  Response readResponse() {
    try {
      String statusLine = readLine();
      if (statusLine == null) {
        throw new IOException("connection closed before a response");
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      String line;
      while ((line = readLine()) != null && !line.isEmpty()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      if (status == 100 || status == 101 || status == 204 || status == 304) {
        return new Response(status, headers, "");
      }
      byte[] body;
      if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
          int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
          if (size == 0) {
            while ((line = readLine()) != null && !line.isEmpty()) {
              // trailers
            }
            break;
          }
          buf.write(in.readNBytes(size));
          readLine();
        }
        body = buf.toByteArray();
      } else {
        body = in.readAllBytes();
      }
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when the server closed the connection (reads end of stream within the socket timeout). */
  boolean closedByPeer() {
    try {
      return in.read() == -1;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  /** A WebSocket upgrade request for {@code pathAndQuery}. */
  static String upgradeRequest(int port, String pathAndQuery) {
    return "GET " + pathAndQuery + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "\r\n";
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
