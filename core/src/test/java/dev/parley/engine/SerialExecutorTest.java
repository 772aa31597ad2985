package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import dev.parley.testing.LogCapture;
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

  @Test
  void aDelegateThatCannotTakeTheLaneLeavesItFreeAndTheFailureIsLogged() {
    // e.g. OutOfMemoryError "unable to create native thread" from a pool starting a worker: before,
    // the lane stayed marked as scheduled and never ran again, silently
    boolean[] fail = {true};
    SerialExecutor serial = new SerialExecutor(r -> {
      if (fail[0]) {
        fail[0] = false;
        throw new InternalError("unable to create native thread (test)"); // as an OutOfMemoryError would
      }
      shared.add(r);
    });

    try (LogCapture captured = LogCapture.start()) {
      serial.execute(() -> log.add("first"));
      assertThat(captured.text()).contains("could not be handed to its executor")
          .contains("unable to create native thread (test)");
    }
    serial.execute(() -> log.add("second"));
    runShared();

    assertThat(log).containsExactly("first", "second");
  }

  @Test
  void aThrowingTaskIsLoggedOnceWithItsTraceThenCounted() {
    SerialExecutor serial = new SerialExecutor(manual);
    try (LogCapture captured = LogCapture.start()) {
      for (int i = 0; i < 1_000; i++) {
        serial.execute(() -> {
          throw new PerPacketBug("a bug hit per packet");
        });
      }
      runShared();
      String text = captured.text();
      assertThat(text).contains("uncaught exception in session task");
      assertThat(text.split("a bug hit per packet", -1)).as("stack traces written").hasSize(2);
    }
  }

  @Test
  void aBatchEndsOnceItHasRunForItsTimeSlice() {
    SerialExecutor serial = new SerialExecutor(manual);
    serial.execute(() -> {
      log.add("slow");
      sleep(SerialExecutor.SLICE_MILLIS + 3);
    });
    for (int i = 0; i < 10; i++) {
      serial.execute(() -> log.add("quick"));
    }

    shared.poll().run();
    assertThat(log).containsExactly("slow");
    assertThat(shared).hasSize(1); // yielded; resubmitted for the rest
    runShared();
    assertThat(log).hasSize(11);
  }

  @Test
  void anInlineRunHandsWhatFollowsASlowTaskToTheSharedExecutor() {
    SerialExecutor serial = new SerialExecutor(manual);
    serial.executeInline(() -> {
      for (int i = 0; i < 10; i++) {
        serial.execute(() -> log.add("queued"));
      }
      log.add("slow");
      sleep(SerialExecutor.SLICE_MILLIS + 3);
    });

    assertThat(log).containsExactly("slow"); // the calling (I/O) thread is free again
    assertThat(shared).hasSize(1);
    runShared();
    assertThat(log).hasSize(11);
  }

  /** An exception of its own, so no other test has logged its kind already (the log counts repeats). */
  private static final class PerPacketBug extends RuntimeException {
    PerPacketBug(String message) {
      super(message);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ inline runs

  @Test
  void executeInlineRunsOnTheCallerWhenTheLaneIsIdle() {
    SerialExecutor serial = new SerialExecutor(manual);
    Thread caller = Thread.currentThread();
    List<Thread> ranOn = new ArrayList<>();

    serial.executeInline(() -> {
      ranOn.add(Thread.currentThread());
      log.add("inline");
      assertThat(serial.inExecutor()).isTrue();
    });

    assertThat(log).containsExactly("inline");
    assertThat(ranOn).containsExactly(caller);
    assertThat(shared).as("nothing handed to the pool").isEmpty();
    assertThat(serial.inExecutor()).isFalse();
  }

  @Test
  void executeInlineQueuesBehindWorkAlreadyQueued() {
    SerialExecutor serial = new SerialExecutor(manual);
    serial.execute(() -> log.add("queued first"));

    serial.executeInline(() -> log.add("inline second"));

    assertThat(log).as("the lane is taken: nothing ran yet").isEmpty();
    runShared();
    assertThat(log).containsExactly("queued first", "inline second");
  }

  @Test
  void tasksQueuedDuringAnInlineRunFollowItOnTheSameThread() {
    SerialExecutor serial = new SerialExecutor(manual);

    serial.executeInline(() -> {
      serial.execute(() -> log.add("queued meanwhile"));
      log.add("inline");
    });

    assertThat(log).containsExactly("inline", "queued meanwhile");
    assertThat(shared).isEmpty();
  }

  @Test
  void inlineRunsDoNotNestAcrossLanes() {
    SerialExecutor a = new SerialExecutor(manual);
    SerialExecutor b = new SerialExecutor(manual);

    a.executeInline(() -> {
      b.executeInline(() -> log.add("b"));
      log.add("a");
    });

    assertThat(log).as("b was queued, not run inside a").containsExactly("a");
    runShared();
    assertThat(log).containsExactly("a", "b");
  }

  @Test
  void aThrowingInlineTaskReleasesTheLane() {
    SerialExecutor serial = new SerialExecutor(manual);

    serial.executeInline(() -> {
      throw new IllegalStateException("boom");
    });
    serial.executeInline(() -> log.add("after"));

    assertThat(log).containsExactly("after");
    assertThat(shared).isEmpty();
  }

  // ------------------------------------------------------------------ threads

  @Test
  void manyThreadsSubmittingLoseNothingKeepEachOnesOrderAndNeverOverlap() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      SerialExecutor serial = new SerialExecutor(pool);
      int producers = 4;
      int each = 20_000;
      int[] lastSeen = new int[producers];
      java.util.Arrays.fill(lastSeen, -1);
      java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(producers * each);
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        threads.add(new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < each; i++) {
            int seq = i;
            Runnable task = () -> {
              if (running.incrementAndGet() != 1) {
                failure.compareAndSet(null, "two tasks ran at once");
              }
              // lane-only state: plain writes, made visible to the next task by the lane itself
              if (lastSeen[producer] != seq - 1) {
                failure.compareAndSet(null, "producer " + producer + ": " + seq + " after " + lastSeen[producer]);
              }
              lastSeen[producer] = seq;
              running.decrementAndGet();
              done.countDown();
            };
            if (i % 2 == 0) {
              serial.execute(task);
            } else {
              serial.executeInline(task);
            }
          }
        }));
      }
      threads.forEach(Thread::start);
      start.countDown();
      assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("every task ran").isTrue();
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failure.get()).isNull();
      assertThat(lastSeen).containsOnly(each - 1);
    } finally {
      pool.shutdownNow();
    }
  }
}
