package dev.parley.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The {@code Sec-WebSocket-Accept} value of {@link NonBlockingHandshaker}, from the shared SHA-1 prototype. */
class NonBlockingHandshakerTest {
  @Test
  void acceptIsTheRfc6455Value() {
    // RFC 6455 section 1.3's example
    assertThat(NonBlockingHandshaker.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assertThat(NonBlockingHandshaker.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void acceptFromManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        results.add(pool.submit(() -> NonBlockingHandshaker.accept("dGhlIHNhbXBsZSBub25jZQ==")));
      }
      for (Future<String> r : results) {
        assertThat(r.get()).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
