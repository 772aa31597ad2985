/**
 * Parley's core: the Socket.IO API ({@code dev.parley}) and the Engine.IO API beneath it
 * ({@code dev.parley.engine}), with no I/O and no web server; a transport module ({@code
 * dev.parley.transport.jetty}) serves it.
 *
 * <p>Exported to everyone: {@code dev.parley} and {@code dev.parley.engine}. Exported only to Parley's
 * transport modules: the Engine.IO codec ({@code dev.parley.engine.protocol}) and the engine operations
 * Parley's own layers use ({@code dev.parley.internal.engine}). Not exported: the Socket.IO codec
 * ({@code dev.parley.protocol}) and the JSON helpers ({@code dev.parley.internal.json}). The adapter SPI
 * and Jackson's databind are part of the API's signatures ({@code Builder.adapter}, {@code Args.get}),
 * so a module that requires this one reads them too.
 *
 * <pre>{@code
 * module my.app {
 *   requires dev.parley.transport.jetty; // reads dev.parley.core, dev.parley.adapter, Jackson, Jetty
 *   opens my.app.events to com.fasterxml.jackson.databind; // records emitted as JSON objects
 * }
 * }</pre>
 */
@SuppressWarnings("module") // the qualified exports name modules built after this one
module dev.parley.core {
  requires transitive dev.parley.adapter;
  requires transitive com.fasterxml.jackson.databind;
  // the default mapper's java.time and Optional support (SocketIoServer.defaultMapper())
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires org.slf4j;

  exports dev.parley;
  exports dev.parley.engine;

  exports dev.parley.engine.protocol to
      dev.parley.transport.polling,
      dev.parley.transport.jetty;
  exports dev.parley.internal.engine to
      dev.parley.transport.polling,
      dev.parley.transport.jetty;
}
