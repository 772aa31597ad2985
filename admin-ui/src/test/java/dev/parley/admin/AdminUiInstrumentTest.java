package dev.parley.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.SocketIoServer;
import org.junit.jupiter.api.Test;

/** Instrumenting a server: once at a time, again after {@link AdminUi#close()}. */
class AdminUiInstrumentTest {
  @Test
  void aServerIsInstrumentedOnceAtATime() {
    try (SocketIoServer io = SocketIoServer.builder().build()) {
      AdminUiOptions options = AdminUiOptions.builder().noAuth().mode(AdminUiOptions.Mode.PRODUCTION).build();
      AdminUi first = AdminUi.instrument(io, options);
      assertThat(first.namespace().name()).isEqualTo("/admin");
      assertThat(io.namespaces()).extracting(n -> n.name()).contains("/admin");
      assertThatThrownBy(() -> AdminUi.instrument(io, options)).isInstanceOf(IllegalStateException.class);
      first.close();
      AdminUi second = AdminUi.instrument(io, options);
      assertThat(second.options()).isSameAs(options);
      second.close();
    }
  }
}
