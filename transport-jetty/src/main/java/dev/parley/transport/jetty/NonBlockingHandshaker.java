package dev.parley.transport.jetty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The fast path's upgrade: the RFC 6455 server handshake over HTTP/1.1, onto Parley's own
 * {@link FrameConnection}. It takes only well-formed upgrades on which no extension is negotiated
 * ({@link #accepts}); {@link ParleyHandler} hands everything else to Jetty's handshaker, which answers
 * malformed upgrades, permessage-deflate and WebSocket over HTTP/2 as it always does.
 *
 * <p>It uses Jetty's exported API only: the 101 response, and the endpoint handed over through
 * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE} (the way Jetty's own {@code ConnectHandler} and
 * WebSocket handshakers take a connection over), so that Jetty passes the bytes that came behind the
 * request to {@link FrameConnection#onUpgradeTo}. Loaded only by {@link FastPathCheck}, after its check.
 *
 * <pre>{@code
 * // what ParleyHandler does:
 * if (fast != null && fast.accepts(request, deflate)) {
 *   fast.upgrade(request, response, callback, transport);
 * } else {
 *   jettyHandshaker.upgradeRequest(negotiator, request, response, callback, components, null);
 * }
 * }</pre>
 */
final class NonBlockingHandshaker implements FastUpgrade {
  /** RFC 6455 section 1.3: appended to the client's key before hashing. */
  private static final byte[] GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);
  private static final HttpField UPGRADE_WEBSOCKET = new PreEncodedHttpField(HttpHeader.UPGRADE, "websocket");
  private static final HttpField CONNECTION_UPGRADE = new PreEncodedHttpField(HttpHeader.CONNECTION, "Upgrade");

  /** Made by {@link FastPathCheck} through reflection. */
  NonBlockingHandshaker() {}

  @Override
  public boolean accepts(Request request, boolean deflate) {
    if (!HttpMethod.GET.is(request.getMethod())
        || !HttpVersion.HTTP_1_1.is(request.getConnectionMetaData().getProtocol())) {
      return false;
    }
    HttpFields headers = request.getHeaders();
    if (!headers.contains(HttpHeader.UPGRADE, "websocket")
        || !headers.contains(HttpHeader.CONNECTION, "upgrade")
        || !"13".equals(headers.get(HttpHeader.SEC_WEBSOCKET_VERSION))
        || deflate && headers.contains(HttpHeader.SEC_WEBSOCKET_EXTENSIONS)) {
      return false;
    }
    String key = headers.get(HttpHeader.SEC_WEBSOCKET_KEY);
    return key != null && isKey(key);
  }

  /** RFC 6455 section 4.2.1: the key is 16 bytes in base64 (24 characters). */
  private static boolean isKey(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public void upgrade(Request request, Response response, Callback callback, JettyWebSocketTransport transport) {
    ConnectionMetaData meta = request.getConnectionMetaData();
    Connector connector = meta.getConnector();
    FrameConnection connection = new FrameConnection(meta.getConnection().getEndPoint(), connector.getExecutor(),
        connector.getScheduler(), connector.getByteBufferPool(), transport);
    connector.getEventListeners().forEach(connection::addEventListener);
    response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(UPGRADE_WEBSOCKET);
    headers.put(CONNECTION_UPGRADE);
    headers.put(HttpHeader.SEC_WEBSOCKET_ACCEPT, accept(request.getHeaders().get(HttpHeader.SEC_WEBSOCKET_KEY)));
    request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, connection);
    response.write(true, null, callback);
  }

  /**
   * A SHA-1 digest never used itself, cloned for each handshake: {@code MessageDigest.getInstance} looks the
   * provider up and makes the digest through reflection every time (on JDK 17 that generates an accessor class
   * after a few calls, which no class-data archive can hold).
   */
  private static final MessageDigest SHA1 = newSha1();

  /** RFC 6455 section 4.2.2: base64 of the SHA-1 of the key and the GUID. */
  static String accept(String key) {
    MessageDigest sha1;
    try {
      sha1 = (MessageDigest) SHA1.clone();
    } catch (CloneNotSupportedException e) {
      sha1 = newSha1();
    }
    sha1.update(key.getBytes(StandardCharsets.US_ASCII));
    sha1.update(GUID);
    return Base64.getEncoder().encodeToString(sha1.digest());
  }

  private static MessageDigest newSha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }
}
