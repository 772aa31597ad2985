package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.LogCapture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 1: a timer task or a pool thread that fails is noticed (logged), not silently lost,
 * and the scheduler goes on.
 */
class SystemSchedulerTest {
  @Test
  void aTimerTaskThatThrowsIsLoggedAndLaterTimersStillRun() throws Exception {
    Scheduler scheduler = Scheduler.system();
    try (LogCapture captured = LogCapture.start()) {
      CountDownLatch failed = new CountDownLatch(1);
      scheduler.schedule(() -> {
        failed.countDown();
        throw new StackOverflowError("a timer task failing (test)");
      }, 1);
      assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
      CountDownLatch later = new CountDownLatch(1);
      scheduler.schedule(later::countDown, 1);

      assertThat(later.await(10, TimeUnit.SECONDS)).as("a later timer fired").isTrue();
      // before, the error stayed in the timer's future, where nothing looks: no trace anywhere
      assertThat(captured.text()).contains("a timer task threw").contains("a timer task failing (test)");
    } finally {
      scheduler.close();
    }
  }

  @Test
  void aPoolThreadThatDiesIsLoggedAndReplaced() throws Exception {
    ExecutorService pool = ParleyExecutors.handlerExecutor();
    try (LogCapture captured = LogCapture.start()) {
      pool.execute(() -> {
        throw new IllegalStateException("a worker dying (test)");
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!captured.text().contains("a worker dying (test)") && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(captured.text()).contains("ended with an uncaught exception").contains("a worker dying (test)");
      CountDownLatch next = new CountDownLatch(1);
      pool.execute(next::countDown);
      assertThat(next.await(10, TimeUnit.SECONDS)).as("the pool still runs tasks").isTrue();
    } finally {
      pool.shutdownNow();
    }
  }
}
