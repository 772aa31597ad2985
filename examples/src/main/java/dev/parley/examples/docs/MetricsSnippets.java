package dev.parley.examples.docs;

// tag::metrics-imports[]
import dev.parley.SocketIoServer;
import dev.parley.metrics.micrometer.ParleyMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
// end::metrics-imports[]

/**
 * The code of {@code docs/metrics.md}, compiled with the project ({@code DocsSnippetsTest}); the
 * binder's own tests ({@code ParleyMetricsTest}) run it on a real server.
 *
 * <pre>{@code
 * MetricsSnippets.bind(io, registry); // never called: it only has to compile
 * }</pre>
 */
@SuppressWarnings("unused")
final class MetricsSnippets {
  private MetricsSnippets() {}

  static void bind(SocketIoServer io, MeterRegistry registry) {
    // tag::metrics-bind[]
    ParleyMetrics.of(io).bindTo(registry);
    // end::metrics-bind[]
  }

  static ParleyMetrics options(SocketIoServer io, MeterRegistry registry) {
    // tag::metrics-options[]
    ParleyMetrics metrics = ParleyMetrics.builder(io)
        .tags(Tags.of("server", "chat"))   // added to every meter
        .socketsByNamespace(false)         // many dynamic namespaces: one gauge for all
        .ackRoundTrip(true)                // parley.ack.round.trip (the default)
        .build();
    metrics.bindTo(registry);
    // ... and when the server goes away:
    metrics.close();                       // its meters leave the registry, its observer the server
    // end::metrics-options[]
    return metrics;
  }
}
