package dev.parley.it;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Live-thread checks for leak tests. */
final class Threads {
  private Threads() {}

  /** Threads of the JDK or of the test harness, which a Parley server is not responsible for. */
  private static final List<String> NOT_THE_SERVERS = List.of(
      "HttpClient-",          // java.net.http: its selector thread lives until the client is collected
      "process reaper",       // java.lang.Process
      "node-client-",         // NodeClient's stream readers
      "ForkJoinPool",         // CompletableFuture async stages, and virtual threads' carriers (JDK 21+)
      "VirtualThread-",       // the JDK's virtual-thread unparker/unblocker (JDK 21+), started once per JVM
      "Read-Poller", "Write-Poller", // the JDK's I/O pollers for virtual threads (JDK 21+)
      "junit-",               // JUnit's timeout watcher
      "surefire-",            // the forked test runner
      "Attach Listener", "Common-Cleaner", "Signal Dispatcher", "Notification Thread",
      "Reference Handler", "Finalizer", "main");

  static Set<Thread> live() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  static boolean isParley(Thread t) {
    return t.getName().startsWith("parley-");
  }

  /** Threads alive now that were not alive in {@code before} and are not the JDK's or the harness's. */
  static List<Thread> startedSince(Set<Thread> before) {
    return live().stream()
        .filter(t -> !before.contains(t))
        .filter(t -> NOT_THE_SERVERS.stream().noneMatch(p -> t.getName().startsWith(p)))
        .collect(Collectors.toList());
  }

  /** Waits (a thread ends a moment after its pool says it terminated) until no thread matches. */
  static void awaitNone(String what, Predicate<Thread> matching, Duration timeout) {
    Await.until("no " + what + " thread is alive", () -> live().stream().noneMatch(matching), timeout,
        () -> "still alive: " + describe(live().stream().filter(matching).collect(Collectors.toList())));
  }

  static void awaitNoneStartedSince(Set<Thread> before, Duration timeout) {
    Await.until("every thread started since is gone", () -> startedSince(before).isEmpty(), timeout,
        () -> "still alive: " + describe(startedSince(before)));
  }

  static String describe(List<Thread> threads) {
    return threads.stream().map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : "") + " " + t.getState())
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
