/**
 * Parley's Micrometer binder, {@link dev.parley.metrics.micrometer.ParleyMetrics}: a server's
 * {@code parley.*} meters in any Micrometer registry. Micrometer's jars are automatic modules named
 * by their manifests ({@code micrometer.core}).
 *
 * <pre>{@code
 * module my.app {
 *   requires dev.parley.transport.jetty;
 *   requires dev.parley.metrics.micrometer; // reads micrometer.core
 * }
 * }</pre>
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // micrometer.core: said above
module dev.parley.metrics.micrometer {
  requires transitive dev.parley.core;
  requires transitive micrometer.core;

  exports dev.parley.metrics.micrometer;
}
