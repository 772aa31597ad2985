package dev.parley.engine;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors Parley uses when the user supplies none.
 *
 * <p>On a JDK with virtual threads (21+) handlers run on virtual threads, so a handler that blocks
 * (a database call) holds up only its own client. On JDK 17 they run on a bounded pool of platform
 * threads ({@code max(16, 4 x cores)}), whose idle threads end after 30 seconds.
 *
 * <pre>{@code
 * ExecutorService handlers = ParleyExecutors.handlerExecutor();
 * EngineServer engine = EngineServer.builder().executor(handlers).build();
 * }</pre>
 */
public final class ParleyExecutors {
  private ParleyExecutors() {}

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ParleyExecutors.class);

  /**
   * Logs a thread of Parley's that ends with an exception (to the log, not only to standard error):
   * the pools start another in its place, but an operator should know one died, and why.
   */
  static final Thread.UncaughtExceptionHandler LOG_DEATH = (thread, error) ->
      log.error("thread {} ended with an uncaught exception; its pool starts another", thread.getName(), error);

  /**
   * An executor that runs its tasks one at a time, in submission order, on {@code delegate}: the
   * per-connection lane Parley uses so one client's work stays in order without a thread of its own.
   */
  public static java.util.concurrent.Executor serial(java.util.concurrent.Executor delegate) {
    return new SerialExecutor(java.util.Objects.requireNonNull(delegate, "delegate == null"));
  }

  /**
   * How many tasks run on Parley's lanes (every connection's serial executors, any server in this
   * JVM) have thrown since the class was loaded. Each is also logged, rate-limited; a count that grows
   * is a bug in Parley or in a listener written against the engine API, never a client's doing (user
   * handlers' exceptions go to the {@code ErrorHandler} instead).
   */
  public static long failedLaneTasks() {
    return SerialExecutor.FAILED_TASKS.sum();
  }

  /** True when this JDK can create virtual threads. */
  public static boolean virtualThreadsAvailable() {
    return virtualFactory() != null;
  }

  /** A new executor for session work: virtual threads where available, else a bounded pool. */
  public static ExecutorService handlerExecutor() {
    ExecutorService virtual = virtualFactory();
    if (virtual != null) {
      return virtual;
    }
    int n = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        named("parley-worker-"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ExecutorService virtualFactory() {
    try {
      // Thread.ofVirtual().name("parley-vt-", 0).factory() through reflection: we compile for Java 17.
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
      builder = ofVirtual.getMethod("name", String.class, long.class).invoke(builder, "parley-vt-", 0L);
      try {
        builder = ofVirtual.getMethod("uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class)
            .invoke(builder, LOG_DEATH);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // virtual threads without the handler: a death is then reported on standard error only
      }
      ThreadFactory factory = (ThreadFactory) Class.forName("java.lang.Thread$Builder")
          .getMethod("factory").invoke(builder);
      Method m = java.util.concurrent.Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
      return (ExecutorService) m.invoke(null, factory);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(LOG_DEATH);
      return t;
    };
  }
}
