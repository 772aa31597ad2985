package dev.parley.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.redis.ShardedRedisAdapterOptions.SubscriptionMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sharded adapter's options: Node's names and defaults, and the values they refuse. */
class ShardedRedisAdapterOptionsTest {
  @Test
  void defaultsAreNodes() {
    assertThat(ShardedRedisAdapterOptions.DEFAULT).isEqualTo(
        new ShardedRedisAdapterOptions("socket.io", SubscriptionMode.DYNAMIC, Duration.ofSeconds(5)));
  }

  @Test
  void modesGoByNodesNames() {
    assertThat(SubscriptionMode.of("static")).isEqualTo(SubscriptionMode.STATIC);
    assertThat(SubscriptionMode.of("dynamic")).isEqualTo(SubscriptionMode.DYNAMIC);
    assertThat(SubscriptionMode.of("dynamic-private")).isEqualTo(SubscriptionMode.DYNAMIC_PRIVATE);
    assertThat(SubscriptionMode.DYNAMIC_PRIVATE.wireName()).isEqualTo("dynamic-private");
    assertThatThrownBy(() -> SubscriptionMode.of("DYNAMIC")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown subscription mode: DYNAMIC");
  }

  @Test
  void withersChangeOneValueAndBadValuesAreRefused() {
    ShardedRedisAdapterOptions o = ShardedRedisAdapterOptions.DEFAULT.withChannelPrefix("app")
        .withSubscriptionMode(SubscriptionMode.STATIC).withRequestsTimeout(Duration.ofMillis(1500));
    assertThat(o).isEqualTo(new ShardedRedisAdapterOptions("app", SubscriptionMode.STATIC, Duration.ofMillis(1500)));
    assertThatThrownBy(() -> o.withChannelPrefix(null)).hasMessage("channelPrefix == null");
    assertThatThrownBy(() -> o.withSubscriptionMode(null)).hasMessage("subscriptionMode == null");
    assertThatThrownBy(() -> o.withRequestsTimeout(Duration.ZERO)).hasMessage("requestsTimeout <= 0");
  }
}
