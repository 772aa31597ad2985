/**
 * Engine.IO's HTTP long-polling transport behind a small HTTP host SPI
 * ({@link dev.parley.transport.polling.EngineHttpHandler}, {@link dev.parley.transport.polling.HttpExchange}):
 * no web server, no servlet API. {@code dev.parley.transport.jetty} hosts it on Jetty; another host
 * implements {@code HttpExchange}.
 *
 * <pre>{@code
 * module my.host {
 *   requires dev.parley.transport.polling; // reads dev.parley.core too
 * }
 * }</pre>
 */
module dev.parley.transport.polling {
  requires transitive dev.parley.core;
  requires org.slf4j;

  exports dev.parley.transport.polling;
}
