package dev.parley.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.testkit.RecordingContext;
import org.junit.jupiter.api.Test;

/** One factory serves one server: Redis counts servers by connection, and a factory has one. */
class FactoryTest {
  @Test
  void aSecondServerOnTheSameFactoryIsRefusedWithAClearError() {
    Adapter.Factory factory = RedisAdapter.factory(Redis.URI, Redis.options(Redis.freshKey()));
    Adapter first = factory.create(new RecordingContext("/"));
    first.init();
    try {
      assertThatThrownBy(() -> factory.create(new RecordingContext("/")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("give each server its own RedisAdapter.factory");
      Adapter chat = factory.create(new RecordingContext("/chat")); // other namespaces of that server: fine
      chat.init();
      chat.close();
    } finally {
      first.close();
    }
    Adapter again = factory.create(new RecordingContext("/")); // once closed, the name is free again
    again.init();
    assertThat(again.serverCount()).isGreaterThanOrEqualTo(1);
    again.close();
  }
}
