package dev.parley.spring.boot;

import dev.parley.SocketIoServer;

/**
 * Customizes the {@link SocketIoServer.Builder} the starter builds its server with, after the
 * {@code parley.*} properties were applied: for what properties do not cover (an admission hook,
 * a rate limit, an executor, an observer, an adapter of your own). Declare one or more as beans;
 * they run in {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * ParleyServerCustomizer rateLimit() {
 *   return builder -> builder.maxEventsPerSecond(20, 40);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface ParleyServerCustomizer {
  /**
   * Customizes the builder.
   *
   * @param builder the builder, with the properties applied
   */
  void customize(SocketIoServer.Builder builder);
}
