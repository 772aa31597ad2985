package dev.parley.transport.jetty;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The fast path's WebSocket upgrade, as {@link ParleyHandler} sees it. Its one implementation,
 * {@link NonBlockingHandshaker}, is loaded by {@link FastPathCheck} through reflection, only once the
 * check has passed: no class of the public path names it, so its classes ({@link FrameConnection},
 * {@link FrameWriter}) are never loaded otherwise.
 */
interface FastUpgrade {
  /**
   * Whether the fast path takes this upgrade request: a well-formed RFC 6455 upgrade over HTTP/1.1 on
   * which no extension is to be negotiated. Anything else goes to Jetty's handshaker, which answers
   * it (errors included) as it always does.
   *
   * @param deflate whether permessage-deflate is on; an upgrade offering extensions is then Jetty's
   */
  boolean accepts(Request request, boolean deflate);

  /** Answers 101 and hands the endpoint to Parley's connection, for {@code transport}, once that is written. */
  void upgrade(Request request, Response response, Callback callback, JettyWebSocketTransport transport);
}
