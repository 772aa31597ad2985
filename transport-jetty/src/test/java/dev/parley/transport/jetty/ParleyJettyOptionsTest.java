package dev.parley.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ParleyJetty.Options}: the accept queue's default and bounds. */
class ParleyJettyOptionsTest {
  @Test
  void acceptQueueDefaultsToNodes() {
    assertThat(ParleyJetty.Options.defaults().acceptQueueSize()).isEqualTo(511);
    assertThat(ParleyJetty.Options.builder().acceptQueueSize(4096).build().acceptQueueSize()).isEqualTo(4096);
  }

  @Test
  void acceptQueueMustBePositive() {
    assertThatThrownBy(() -> ParleyJetty.Options.builder().acceptQueueSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("acceptQueueSize must be positive: 0");
  }
}
