package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link InputGate}: reading stops past the limit and resumes, once, at half of it. */
class InputGateTest {
  private final InputGate gate = new InputGate(1000);
  private final AtomicInteger resumed = new AtomicInteger();
  private final Runnable resume = resumed::incrementAndGet;

  @Test
  void readingGoesOnUpToTheLimitAndStopsPastIt() {
    gate.queued(1000);
    assertThat(gate.overLimit()).isFalse();
    assertThat(gate.pause(resume)).isFalse();

    gate.queued(1);

    assertThat(gate.overLimit()).isTrue();
    assertThat(gate.pause(resume)).isTrue();
    assertThat(gate.backlog()).isEqualTo(1001);
  }

  @Test
  void readingResumesOnceWhenHalfIsHandled() {
    gate.queued(1200);
    assertThat(gate.pause(resume)).isTrue();

    gate.handled(600);  // 600 left: above half
    assertThat(resumed).hasValue(0);
    gate.handled(100);  // 500 left: half
    assertThat(resumed).hasValue(1);
    gate.handled(500);  // nothing left: resumed already
    assertThat(resumed).hasValue(1);
    assertThat(gate.backlog()).isZero();
  }

  @Test
  void aResumeIsKeptOnlyWhileReadingIsStopped() {
    gate.queued(100);
    assertThat(gate.pause(resume)).isFalse(); // under the limit: nothing kept
    gate.handled(100);
    assertThat(resumed).hasValue(0);
  }
}
