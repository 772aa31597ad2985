package dev.parley.examples.spring;

import dev.parley.spring.boot.ParleyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the {@code parley.*} properties do not cover, set on the server's builder. */
@Configuration(proxyBeanMethods = false)
public class NotificationsConfiguration {
  /** Creates the configuration (Spring does). */
  public NotificationsConfiguration() {}

  // tag::customizer[]
  /** At most 20 events a second per socket (bursts of 40): a client only acknowledges what it shows. */
  @Bean
  ParleyServerCustomizer eventRateLimit() {
    return builder -> builder.maxEventsPerSecond(20, 40);
  }
  // end::customizer[]
}
