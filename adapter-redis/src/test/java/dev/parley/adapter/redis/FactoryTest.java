package dev.parley.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.testkit.RecordingContext;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** One factory serves one server: Redis counts servers by connection, and a factory has one; a Redis that cannot be reached is named. */
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

  @Test
  void theShardedAdapterNamesAnUnreachableRedis() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // free once closed: nothing listens there
    }
    Adapter.Factory factory = ShardedRedisAdapter.factory("redis://127.0.0.1:" + closed, ShardedRedisAdapterOptions.DEFAULT);
    assertThatThrownBy(() -> factory.create(new RecordingContext("/")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("could not reach Redis at redis://127.0.0.1:" + closed);
    assertThatThrownBy(() -> ShardedRedisAdapter.factory(" , ", ShardedRedisAdapterOptions.DEFAULT).create(new RecordingContext("/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no Redis URI in \" , \"");
  }

  @Test
  void aSecondServerOnTheSameShardedFactoryIsRefused() {
    Adapter.Factory factory = ShardedRedisAdapter.factory(Redis.URI,
        ShardedRedisAdapterOptions.DEFAULT.withChannelPrefix(Redis.freshKey()));
    Adapter first = factory.create(new RecordingContext("/"));
    first.init();
    try {
      assertThatThrownBy(() -> factory.create(new RecordingContext("/")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("give each server its own ShardedRedisAdapter.factory");
    } finally {
      first.close();
    }
  }
}
