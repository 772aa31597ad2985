package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import dev.parley.metrics.micrometer.ParleyMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions, without a web server. */
class ParleyAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ParleyAutoConfiguration.class));

  @Test
  void aServerWithHealthMetricsAndLifecycle() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(SocketIoServer.class)
          .hasSingleBean(ParleyLifecycle.class)
          .hasSingleBean(ParleyMetrics.class)
          .hasBean("parleyHealthIndicator")
          .hasSingleBean(OnEventMethods.class);
      // no web application: nothing to mount into
      assertThat(context).doesNotHaveBean("parleyJettyServerCustomizer");
    });
  }

  @Test
  void offWithParleyEnabledFalse() {
    runner.withPropertyValues("parley.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(SocketIoServer.class).doesNotHaveBean(ParleyLifecycle.class));
  }

  @Test
  void withoutActuatorOrMicrometerTheServerStillStarts() {
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class, MeterRegistry.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(SocketIoServer.class)
            .doesNotHaveBean("parleyHealthIndicator").doesNotHaveBean(ParleyMetrics.class));
  }

  @Test
  void healthCanBeTurnedOff() {
    runner.withPropertyValues("management.health.parley.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("parleyHealthIndicator"));
  }

  @Test
  void customizersRunAfterThePropertiesAndAServerOfYourOwnWins() {
    runner.withPropertyValues("parley.ping-interval=10s")
        .withBean(ParleyServerCustomizer.class, () -> b -> b.pingInterval(java.time.Duration.ofSeconds(7)))
        .run(context -> assertThat(context.getBean(SocketIoServer.class).engine().options().pingIntervalMillis())
            .isEqualTo(7000));
    runner.withUserConfiguration(OwnServer.class)
        .run(context -> assertThat(context.getBean(SocketIoServer.class)).isSameAs(OwnServer.SERVER));
  }

  @Test
  void aRedisAdapterWithoutTheModuleFailsWithAClearMessage() {
    runner.withClassLoader(new FilteredClassLoader("dev.parley.adapter.redis"))
        .withPropertyValues("parley.adapter=redis")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().hasMessageContaining("needs dev.parley:parley-adapter-redis"));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnServer {
    static final SocketIoServer SERVER = SocketIoServer.builder().build();

    @Bean
    SocketIoServer mine() {
      return SERVER;
    }
  }
}
