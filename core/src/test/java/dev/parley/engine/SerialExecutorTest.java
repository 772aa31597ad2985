package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The per-session serial executor on a shared executor whose tasks the test runs by hand. */
class SerialExecutorTest {
  private final Queue<Runnable> shared = new ArrayDeque<>();
  private final Executor manual = shared::add;
  private final List<String> log = new ArrayList<>();

  private void runShared() {
    Runnable r;
    while ((r = shared.poll()) != null) {
      r.run();
    }
  }

  @Test
  void runsTasksInSubmissionOrderThroughOneSharedTask() {
    SerialExecutor serial = new SerialExecutor(manual);

    serial.execute(() -> log.add("a"));
    serial.execute(() -> log.add("b"));
    serial.execute(() -> log.add("c"));

    assertThat(shared).hasSize(1);
    runShared();
    assertThat(log).containsExactly("a", "b", "c");
  }

  @Test
  void taskSubmittedFromATaskRunsAfterItNotInside() {
    SerialExecutor serial = new SerialExecutor(manual);

    serial.execute(() -> {
      log.add("outer start");
      serial.execute(() -> log.add("inner"));
      log.add("outer end");
    });
    runShared();

    assertThat(log).containsExactly("outer start", "outer end", "inner");
  }

  @Test
  void inlineDelegateKeepsTheSameOrder() {
    SerialExecutor serial = new SerialExecutor(Runnable::run);

    serial.execute(() -> {
      serial.execute(() -> log.add("second"));
      log.add("first");
    });

    assertThat(log).containsExactly("first", "second");
  }

  @Test
  void yieldsTheThreadAfterABatchAndResumes() {
    SerialExecutor serial = new SerialExecutor(manual);
    for (int i = 0; i < 100; i++) {
      int n = i;
      serial.execute(() -> log.add(Integer.toString(n)));
    }

    shared.poll().run();
    assertThat(log).hasSize(64);
    assertThat(shared).hasSize(1);   // resubmitted itself for the rest
    runShared();
    assertThat(log).hasSize(100);
    assertThat(log.get(99)).isEqualTo("99");
  }

  @Test
  void aThrowingTaskDoesNotStopTheOthers() {
    SerialExecutor serial = new SerialExecutor(manual);

    serial.execute(() -> {
      throw new IllegalStateException("boom");
    });
    serial.execute(() -> log.add("after"));
    runShared();

    assertThat(log).containsExactly("after");
  }

  @Test
  void knowsWhenItIsRunning() {
    SerialExecutor serial = new SerialExecutor(manual);
    List<Boolean> inside = new ArrayList<>();

    serial.execute(() -> inside.add(serial.inExecutor()));
    runShared();

    assertThat(inside).containsExactly(true);
    assertThat(serial.inExecutor()).isFalse();
  }

  @Test
  void rejectedDelegateDropsTasksAndLaterSubmissionsTryAgain() {
    boolean[] reject = {true};
    SerialExecutor serial = new SerialExecutor(r -> {
      if (reject[0]) {
        throw new RejectedExecutionException("shut down");
      }
      r.run();
    });

    serial.execute(() -> log.add("dropped"));
    reject[0] = false;
    serial.execute(() -> log.add("runs"));

    assertThat(log).containsExactly("runs");
  }
}
