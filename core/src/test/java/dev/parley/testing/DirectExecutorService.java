package dev.parley.testing;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An {@link java.util.concurrent.ExecutorService} that runs every task on the calling thread, at once.
 * Sessions wrap it in their {@link SerialExecutor}, which queues tasks submitted while one runs, so
 * ordering stays that of a real executor while tests stay single-threaded and deterministic.
 */
public final class DirectExecutorService extends AbstractExecutorService {
  private boolean shutdown;
  private int executed;

  @Override
  public void execute(Runnable command) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    executed++;
    command.run();
  }

  /** How many tasks have run. */
  public int executed() {
    return executed;
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }
}
