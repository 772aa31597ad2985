/**
 * Parley on Jetty 12: {@link dev.parley.transport.jetty.ParleyHandler} (one Jetty {@code Handler} for
 * long-polling and WebSocket) and {@link dev.parley.transport.jetty.ParleyJetty#listen}. The one module
 * an application requires: it reads Parley's API ({@code dev.parley}, {@code dev.parley.engine}), the
 * adapter SPI, Jackson's databind and Jetty's server API through it.
 *
 * <pre>{@code
 * module my.app {
 *   requires dev.parley.transport.jetty;
 * }
 * }</pre>
 */
module dev.parley.transport.jetty {
  requires transitive dev.parley.transport.polling;
  requires transitive org.eclipse.jetty.server;
  requires org.eclipse.jetty.websocket.core.server;
  requires org.slf4j;

  exports dev.parley.transport.jetty;
}
