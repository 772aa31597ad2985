package dev.parley.transport.jetty;

import java.net.URI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.ExtensionConfig;
import org.eclipse.jetty.websocket.core.ExtensionStack;
import org.eclipse.jetty.websocket.core.WebSocketConstants;
import org.eclipse.jetty.websocket.core.exception.WebSocketException;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.Behavior;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.Negotiated;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.server.internal.AbstractHandshaker;
import org.eclipse.jetty.websocket.core.server.internal.RFC6455Negotiation;
import org.eclipse.jetty.websocket.core.server.internal.WebSocketNegotiation;
import org.eclipse.jetty.websocket.core.util.WebSocketUtils;

/**
 * The HTTP/1.1 WebSocket upgrade (RFC 6455), as Jetty's own handshaker does it, except for the
 * connection it creates. Without an extension (every upgrade unless permessage-deflate is on and
 * offered) that is Parley's own {@link FrameConnection}: no Jetty WebSocket session at all. With one,
 * it is Jetty's connection and session, with reads Jetty may run on the thread that selected them
 * and frames written by Parley's {@link FrameWriter} ({@link NonBlockingConnection}).
 *
 * <p>Jetty treats a connection's "fillable" callback as blocking unless told otherwise, so its
 * execution strategy wakes another pool thread for every read. Parley's frame handler never blocks
 * (it decodes, runs engine work inline when the session is idle, and hands user code to the
 * client's lane), so declaring the reads non-blocking is true and saves a thread hand-off per read.
 * {@code ParleyHandler} falls back to Jetty's handshakers for anything else (WebSocket over HTTP/2).
 *
 * <p>It builds on Jetty's {@code core.server.internal} classes, which carry no compatibility promise:
 * a Jetty upgrade must be checked against it (the build pins one Jetty version).
 *
 * <pre>{@code
 * // what ParleyHandler does:
 * if (!nonBlocking.upgradeRequest(negotiator, request, response, callback, components, null)) {
 *   jettyDefault.upgradeRequest(negotiator, request, response, callback, components, null);
 * }
 * }</pre>
 */
final class NonBlockingHandshaker extends AbstractHandshaker {
  /** What Jetty's session is told of the request URI: nothing that would be kept per connection. */
  private static final URI PATH_ONLY = URI.create("/");
  private static final HttpField UPGRADE_WEBSOCKET = new PreEncodedHttpField(HttpHeader.UPGRADE, "websocket");
  private static final HttpField CONNECTION_UPGRADE = new PreEncodedHttpField(HttpHeader.CONNECTION, "Upgrade");

  @Override
  public boolean isWebSocketUpgradeRequest(Request request) {
    return HttpMethod.GET.is(request.getMethod())
        && HttpVersion.HTTP_1_1.is(request.getConnectionMetaData().getProtocol())
        && super.isWebSocketUpgradeRequest(request);
  }

  /**
   * Jetty's {@code AbstractHandshaker.upgradeRequest}, step for step, except for what the session
   * keeps: Jetty's {@code Negotiated} is given {@code /} ({@link #PATH_ONLY}), not the request's
   * URI. From the full URI it builds two {@code java.net.URI}s (http, then ws) and a map of the query
   * parameters, and keeps them for the connection's life: about 1 KiB per idle connection, and work on
   * every connect, for a value nothing reads (Parley's sessions keep their own {@code EngineRequest}).
   * {@code CoreSession.getRequestURI()} therefore returns {@code /}.
   */
  @Override
  public boolean upgradeRequest(WebSocketNegotiator negotiator, Request request, Response response,
      Callback callback, WebSocketComponents components, Configuration.Customizer defaultCustomizer) {
    if (!isWebSocketUpgradeRequest(request)) {
      return false;
    }
    WebSocketNegotiation negotiation = newNegotiation(request, response, callback, components);
    negotiation.negotiate();
    if (!validateNegotiation(negotiation)) {
      return false;
    }
    // from here on: true, or an exception
    FrameHandler handler = negotiator.negotiate(negotiation.getRequest(), negotiation.getResponse(),
        negotiation.getCallback());
    if (handler == null) {
      return true;
    }
    String protocol = negotiation.getSubprotocol();
    if (protocol != null) {
      if (!negotiation.getOfferedSubprotocols().contains(protocol)) {
        throw new WebSocketException("not upgraded: selected a protocol not present in offered protocols");
      }
      response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, protocol);
    }
    for (ExtensionConfig config : negotiation.getNegotiatedExtensions()) {
      if (config.getName().startsWith("@")) {
        continue;
      }
      long offered = negotiation.getOfferedExtensions().stream()
          .filter(c -> config.getName().equalsIgnoreCase(c.getName())).count();
      if (offered < 1) {
        throw new WebSocketException("Upgrade failed: negotiated extension not requested");
      }
      long negotiated = negotiation.getNegotiatedExtensions().stream()
          .filter(c -> config.getName().equalsIgnoreCase(c.getName())).count();
      if (negotiated > 1) {
        throw new WebSocketException("Upgrade failed: multiple negotiated extensions of the same name");
      }
    }
    if (handler instanceof JettyWebSocketTransport transport && negotiation.getNegotiatedExtensions().isEmpty()) {
      // no extension: Parley's own connection reads and writes the frames (FrameConnection)
      response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_EXTENSIONS, (String) null);
      Connector connector = request.getConnectionMetaData().getConnector();
      FrameConnection connection = new FrameConnection(request.getConnectionMetaData().getConnection().getEndPoint(),
          connector.getExecutor(), connector.getScheduler(), connector.getByteBufferPool(), transport);
      return upgradeTo(connection, negotiation, request, response, callback);
    }
    ExtensionStack extensionStack = new ExtensionStack(components, Behavior.SERVER);
    extensionStack.negotiate(negotiation.getOfferedExtensions(), negotiation.getNegotiatedExtensions());
    negotiation.setNegotiatedExtensions(extensionStack.getNegotiatedExtensions());
    if (extensionStack.hasNegotiatedExtensions()) {
      response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_EXTENSIONS,
          ExtensionConfig.toHeaderValue(negotiation.getNegotiatedExtensions()));
    } else {
      response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_EXTENSIONS, (String) null);
    }
    Negotiated negotiated = new Negotiated(PATH_ONLY, protocol, request.isSecure(), extensionStack,
        WebSocketConstants.SPEC_VERSION_STRING);
    WebSocketCoreSession coreSession = newWebSocketCoreSession(request, handler, negotiated, components);
    if (defaultCustomizer != null) {
      defaultCustomizer.customize(coreSession);
    }
    negotiator.customize(coreSession);
    WebSocketConnection connection = createWebSocketConnection(request, coreSession);
    ConnectionMetaData meta = request.getConnectionMetaData();
    HttpConfiguration httpConfig = meta.getHttpConfiguration();
    connection.setUseInputDirectByteBuffers(httpConfig.isUseInputDirectByteBuffers());
    connection.setUseOutputDirectByteBuffers(httpConfig.isUseOutputDirectByteBuffers());
    return upgradeTo(connection, negotiation, request, response, callback);
  }

  /** The 101, and the endpoint handed to {@code connection} once it is written. */
  private boolean upgradeTo(AbstractConnection connection, WebSocketNegotiation negotiation, Request request,
      Response response, Callback callback) {
    request.getConnectionMetaData().getConnector().getEventListeners().forEach(connection::addEventListener);
    prepareResponse(response, negotiation);
    request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, connection);
    response.write(true, null, callback);
    return true;
  }

  @Override
  protected WebSocketNegotiation newNegotiation(Request request, Response response, Callback callback,
      WebSocketComponents components) {
    return new RFC6455Negotiation(request, response, callback, components);
  }

  @Override
  protected boolean validateNegotiation(WebSocketNegotiation negotiation) {
    if (!super.validateNegotiation(negotiation)) {
      return false;
    }
    if (((RFC6455Negotiation) negotiation).getKey() == null) {
      throw new HttpException.RuntimeException(HttpStatus.BAD_REQUEST_400, "Missing request header 'Sec-WebSocket-Key'");
    }
    return true;
  }

  /**
   * A session that calls the frame handler directly. Jetty's default runs every frame inside the
   * request's context (scope listeners, context class loader); Parley's frame handler needs neither,
   * and user code never runs on this thread.
   */
  @Override
  protected WebSocketCoreSession newWebSocketCoreSession(Request request, FrameHandler handler, Negotiated negotiated,
      WebSocketComponents components) {
    return new WebSocketCoreSession(handler, Behavior.SERVER, negotiated, components) {
      @Override
      protected void handle(Runnable runnable) {
        runnable.run();
      }
    };
  }

  @Override
  protected WebSocketConnection createWebSocketConnection(Request request, WebSocketCoreSession coreSession) {
    ConnectionMetaData meta = request.getConnectionMetaData();
    Connector connector = meta.getConnector();
    WebSocketConnection connection = new NonBlockingConnection(meta.getConnection().getEndPoint(),
        connector.getExecutor(), connector.getScheduler(), connector.getByteBufferPool(), coreSession);
    coreSession.setWebSocketConnection(connection);
    return connection;
  }

  @Override
  protected void prepareResponse(Response response, WebSocketNegotiation negotiation) {
    response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
    response.getHeaders().put(UPGRADE_WEBSOCKET);
    response.getHeaders().put(CONNECTION_UPGRADE);
    response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_ACCEPT,
        WebSocketUtils.hashKey(((RFC6455Negotiation) negotiation).getKey()));
  }

  /**
   * For upgrades with an extension: Jetty's WebSocket connection, its read-readiness callback
   * declared non-blocking, its frames written by a {@link FrameWriter} instead of Jetty's flusher.
   */
  static final class NonBlockingConnection extends WebSocketConnection {
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

    NonBlockingConnection(EndPoint endPoint, java.util.concurrent.Executor executor, Scheduler scheduler,
        ByteBufferPool pool, WebSocketCoreSession coreSession) {
      super(endPoint, executor, scheduler, pool, coreSession);
      this.writer = new FrameWriter(endPoint, pool, cause -> coreSession.processConnectionError(cause, Callback.NOOP));
    }

    /** The socket's one writer; Parley's transport sends its data frames to it directly. */
    FrameWriter writer() {
      return writer;
    }

    @Override
    public void enqueueFrame(OutgoingEntry entry) {
      writer.enqueue(entry); // Jetty's own flusher is never used
    }

    @Override
    public void onClose(Throwable cause) {
      super.onClose(cause);
      writer.onClose(cause);
    }

    @Override
    public void fillInterested() {
      fillInterested(fillable);
    }
  }
}
