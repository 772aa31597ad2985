package dev.parley.spring.boot;

import dev.parley.ConnectionStateRecovery;
import dev.parley.SocketIoServer;
import dev.parley.engine.TransportKind;
import dev.parley.metrics.micrometer.ParleyMetrics;
import dev.parley.transport.jetty.ParleyHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.server.Handler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Socket.IO on the application's own port: builds a {@link SocketIoServer} bean from the
 * {@code parley.*} properties ({@link ParleyProperties}) and the {@link ParleyServerCustomizer}
 * beans, mounts it in Boot's embedded Jetty in front of the application's handlers (requests under
 * {@code parley.path} go to Parley, every other request to the application), closes it before the
 * web server's graceful shutdown ({@link ParleyLifecycle}), and, when the application has them, adds
 * a {@code parley} health component ({@link ParleyHealthIndicator}) and binds the {@code parley.*}
 * Micrometer meters ({@link ParleyMetrics}). Off with {@code parley.enabled=false}.
 *
 * <pre>{@code
 * @Component
 * class Echo {
 *   Echo(SocketIoServer io) {
 *     io.onConnection(socket -> socket.on("echo", (args, ack) -> ack.send(args.get(0))));
 *   }
 * }
 * }</pre>
 */
@AutoConfiguration
@ConditionalOnClass(SocketIoServer.class)
@ConditionalOnBooleanProperty(name = "parley.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ParleyProperties.class)
public class ParleyAutoConfiguration {
  /** Creates the auto-configuration (Spring does). */
  public ParleyAutoConfiguration() {}

  /**
   * The Socket.IO server, built from the properties and the customizers. Closed by
   * {@link ParleyLifecycle}, not by a destroy method.
   *
   * @param properties the {@code parley.*} properties
   * @param customizers the application's customizers, in order
   * @param env the environment (Boot's Redis settings for a Redis adapter)
   * @param resources the application's class loader, through which a Redis adapter is looked for
   * @return the server
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public SocketIoServer parleySocketIoServer(ParleyProperties properties,
      ObjectProvider<ParleyServerCustomizer> customizers, Environment env, ResourceLoader resources) {
    SocketIoServer.Builder builder = SocketIoServer.builder();
    apply(properties, builder, env, resources.getClassLoader());
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  /**
   * Closes the server when the application stops, before the web server's graceful shutdown. The
   * drain timeout is {@code parley.drain-timeout} when set, else
   * {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s by default) with
   * {@code server.shutdown=graceful} (Boot's default), 1 s with {@code server.shutdown=immediate}.
   *
   * @param io the server
   * @param properties the {@code parley.*} properties
   * @param env the environment, for Boot's shutdown settings
   * @return the lifecycle
   */
  @Bean
  public ParleyLifecycle parleyLifecycle(SocketIoServer io, ParleyProperties properties, Environment env) {
    Duration drain = properties.getDrainTimeout();
    if (drain == null) {
      boolean immediate = "immediate".equalsIgnoreCase(env.getProperty("server.shutdown", "graceful"));
      drain = immediate ? Duration.ofSeconds(1)
          : env.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class, Duration.ofSeconds(30));
    }
    return new ParleyLifecycle(io, drain);
  }

  /**
   * Checks, once the singletons exist, that a web application's server got the Socket.IO server
   * (it does not when the application runs on Tomcat).
   *
   * @return the check
   */
  @Bean
  @ConditionalOnWebApplication
  public ParleyMount parleyMount() {
    return new ParleyMount();
  }

  /**
   * Registers the {@link OnEvent} methods of the application's beans on the server. Static, as a bean
   * post-processor must be, so that it does not make the configuration class early.
   *
   * @param server the server, looked up once the singletons exist
   * @return the post-processor
   */
  @Bean
  public static OnEventMethods parleyOnEventMethods(ObjectProvider<SocketIoServer> server) {
    return new OnEventMethods(server);
  }

  static void apply(ParleyProperties p, SocketIoServer.Builder b, Environment env, ClassLoader loader) {
    b.path(p.getPath())
        .pingInterval(p.getPingInterval())
        .pingTimeout(p.getPingTimeout())
        .connectTimeout(p.getConnectTimeout())
        .maxHttpBufferSize(Math.toIntExact(p.getMaxHttpBufferSize().toBytes()));
    List<TransportKind> transports = p.getTransports();
    if (transports == null || transports.isEmpty()) {
      throw new IllegalArgumentException("parley.transports must name at least one transport");
    }
    b.engine(e -> e.transports(transports.get(0), transports.subList(1, transports.size()).toArray(new TransportKind[0]))
        .allowUpgrades(p.isAllowUpgrades()));
    List<String> origins = p.getCors().getAllowedOrigins();
    if (origins != null && !origins.isEmpty()) {
      b.cors(c -> {
        for (String origin : origins) {
          if ("*".equals(origin)) {
            c.allowAnyOrigin();
          } else {
            c.allowOrigin(origin);
          }
        }
        c.allowCredentials(p.getCors().isAllowCredentials());
      });
    }
    if (p.getRecovery().isEnabled()) {
      b.connectionStateRecovery(new ConnectionStateRecovery(p.getRecovery().getMaxDisconnectionDuration(),
          p.getRecovery().isSkipMiddlewares()));
    }
    if (p.getAdapter() != ParleyProperties.AdapterKind.MEMORY) {
      if (!ClassUtils.isPresent("dev.parley.adapter.redis.RedisAdapter", loader)) {
        throw new IllegalStateException("parley.adapter=" + p.getAdapter().name().toLowerCase(Locale.ROOT)
            .replace('_', '-') + " needs dev.parley:parley-adapter-redis on the class path");
      }
      b.adapter(RedisAdapters.factory(p, env));
    }
  }

  /** Mounts the server in Boot's embedded Jetty, on the application's own port. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({JettyServerCustomizer.class, ParleyHandler.class})
  @ConditionalOnWebApplication
  public static class ParleyJettyConfiguration {
    /** Creates the configuration (Spring does). */
    public ParleyJettyConfiguration() {}

    /**
     * Puts a {@link ParleyHandler} in front of the handlers Boot set up: requests under the server's
     * path are Parley's (long-polling and WebSocket upgrades), every other request goes on to the
     * application. Boot's own wrappers (graceful shutdown's statistics, forwarded headers) stay
     * outside, so they see Parley's requests too.
     *
     * @param io the server
     * @param mount the check that the server was mounted
     * @return the customizer Boot applies to its Jetty server
     */
    @Bean
    public JettyServerCustomizer parleyJettyServerCustomizer(SocketIoServer io, ParleyMount mount) {
      return server -> {
        Handler application = server.getHandler();
        server.setHandler(new Handler.Sequence(new ParleyHandler(io), application));
        mount.mounted();
      };
    }
  }

  /** The {@code parley} component of {@code /actuator/health}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("parley")
  public static class ParleyHealthConfiguration {
    /** Creates the configuration (Spring does). */
    public ParleyHealthConfiguration() {}

    /**
     * The health indicator, named so that its component is {@code parley}.
     *
     * @param io the server
     * @return the indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "parleyHealthIndicator")
    public ParleyHealthIndicator parleyHealthIndicator(SocketIoServer io) {
      return new ParleyHealthIndicator(io);
    }
  }

  /** The {@code parley.*} meters, bound by Boot to every {@link MeterRegistry} of the application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, ParleyMetrics.class})
  @ConditionalOnBooleanProperty(name = "parley.metrics.enabled", matchIfMissing = true)
  public static class ParleyMetricsConfiguration {
    /** Creates the configuration (Spring does). */
    public ParleyMetricsConfiguration() {}

    /**
     * The binder; Boot binds every {@code MeterBinder} bean to its registries.
     *
     * @param io the server
     * @param properties the {@code parley.metrics.*} settings
     * @return the binder
     */
    @Bean
    @ConditionalOnMissingBean
    public ParleyMetrics parleyMetrics(SocketIoServer io, ParleyProperties properties) {
      return ParleyMetrics.builder(io)
          .socketsByNamespace(properties.getMetrics().isSocketsByNamespace())
          .ackRoundTrip(properties.getMetrics().isAckRoundTrip())
          .build();
    }
  }
}
