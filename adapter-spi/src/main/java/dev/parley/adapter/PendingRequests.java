package dev.parley.adapter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * What a {@link ClusterAdapter} waits for, by request id: requests that wait for one answer from each
 * other server (completed when all came, failed with a {@link RequestTimeoutException} when time runs
 * out), and broadcasts with acks that wait for each server's client count and each client's ack
 * (forgotten after their timeout: nobody can know when the last ack has come). Thread-safe; timers
 * run on the adapter's scheduler.
 *
 * <pre>{@code
 * PendingRequests.Request r = pending.register(id, RequestType.FETCH_SOCKETS, 2, null, 5000);
 * publish(new ClusterMessage.FetchSockets(r.id(), options));
 * return r.answers();                              // completes once two servers answered
 * }</pre>
 */
final class PendingRequests {
  private final ClusterAdapter adapter;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<String, Request> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Acks> acks = new ConcurrentHashMap<>();

  PendingRequests(ClusterAdapter adapter, ScheduledExecutorService scheduler) {
    this.adapter = adapter;
    this.scheduler = scheduler;
  }

  /**
   * Waits for {@code expected} answers, or, when {@code from} is not null, for one from each of those
   * servers; fails after {@code timeoutMillis}.
   */
  Request register(String id, ClusterAdapter.RequestType type, int expected, Set<String> from, long timeoutMillis) {
    Request r = new Request(id, type, expected, from);
    requests.put(id, r);
    r.timer = schedule(r::timeout, timeoutMillis);
    return r;
  }

  /** True while request {@code id} (one of this adapter's) waits for answers. */
  boolean waiting(String id) {
    return requests.containsKey(id);
  }

  /** An answer from server {@code from} (null when unknown) to request {@code id}, when it is of {@code type}. */
  void answer(ClusterAdapter.RequestType type, String from, String id, Object value) {
    Request r = requests.get(id);
    if (r != null && r.type == type) { // else not ours, finished, or timed out
      r.add(from, value);
    }
  }

  /** Stops waiting for server {@code uid}: requests that waited only for it complete. */
  void serverLeft(String uid) {
    for (Request r : requests.values()) {
      r.left(uid);
    }
  }

  /** Waits for the counts and acks of broadcast {@code id} for {@code timeoutMillis}. */
  void expectAcks(String id, IntConsumer clientCount, Consumer<AckResult> onAck, long timeoutMillis) {
    Acks entry = new Acks(clientCount, onAck);
    acks.put(id, entry);
    entry.timer = schedule(() -> acks.remove(id, entry), timeoutMillis);
  }

  /** True while broadcast {@code id} (one of this adapter's) waits for acks. */
  boolean waitingForAcks(String id) {
    return acks.containsKey(id);
  }

  /** A server's count of the clients broadcast {@code id} reached. */
  void clientCount(String id, int count) {
    Acks a = acks.get(id);
    if (a != null) {
      a.clientCount.accept(count);
    }
  }

  /** A client's ack to broadcast {@code id}. */
  void ack(String id, List<Object> arguments) {
    Acks a = acks.get(id);
    if (a != null) {
      a.onAck.accept(new AckResult.Answered(Payload.ofPlain(arguments)));
    }
  }

  /** Runs {@code task} after {@code millis}; null when the scheduler is shutting down. */
  ScheduledFuture<?> schedule(Runnable task, long millis) {
    try {
      return scheduler.schedule(task, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null; // the backend is shutting down: closeAll() ends what is pending
    }
  }

  /** Fails every request with "adapter closed" and forgets every broadcast. */
  void closeAll() {
    for (Request r : requests.values()) {
      r.fail(new IllegalStateException("adapter closed"));
    }
    requests.clear();
    for (Acks a : acks.values()) {
      cancel(a.timer);
    }
    acks.clear();
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private static final class Acks {
    final IntConsumer clientCount;
    final Consumer<AckResult> onAck;
    volatile ScheduledFuture<?> timer;

    Acks(IntConsumer clientCount, Consumer<AckResult> onAck) {
      this.clientCount = clientCount;
      this.onAck = onAck;
    }
  }

  /** A request waiting for {@code expected} answers, or for an answer from each of {@code missing}. */
  final class Request {
    private final String id;
    private final ClusterAdapter.RequestType type;
    private final int expected;
    private final Set<String> missing;
    private final List<Object> answers = new ArrayList<>();
    private final CompletableFuture<List<Object>> done = new CompletableFuture<>();
    private volatile ScheduledFuture<?> timer;

    Request(String id, ClusterAdapter.RequestType type, int expected, Set<String> missing) {
      this.id = id;
      this.type = type;
      this.expected = expected;
      this.missing = missing == null ? null : new HashSet<>(missing);
    }

    String id() {
      return id;
    }

    /** Every answer, once all came. */
    CompletableFuture<List<Object>> answers() {
      return done;
    }

    void add(String from, Object answer) {
      List<Object> all;
      synchronized (this) {
        answers.add(answer);
        if (missing != null ? !missing.remove(from) || !missing.isEmpty() : answers.size() < expected) {
          return;
        }
        all = new ArrayList<>(answers);
      }
      complete(all);
    }

    void left(String uid) {
      List<Object> all;
      synchronized (this) {
        if (missing == null || !missing.remove(uid) || !missing.isEmpty()) {
          return;
        }
        all = new ArrayList<>(answers);
      }
      complete(all);
    }

    private void complete(List<Object> all) {
      if (requests.remove(id, this)) {
        cancel(timer);
        done.complete(all);
      }
    }

    void timeout() {
      if (!requests.remove(id, this)) {
        return;
      }
      List<Object> partial;
      int stillMissing;
      synchronized (this) {
        partial = new ArrayList<>(answers);
        stillMissing = missing != null ? missing.size() : expected - answers.size();
      }
      adapter.requestTimedOut();
      done.completeExceptionally(new RequestTimeoutException(adapter.timeoutMessage(type, partial.size(), stillMissing),
          type == ClusterAdapter.RequestType.SERVER_SIDE_EMIT ? partial : List.of()));
    }

    void fail(Throwable t) {
      cancel(timer);
      done.completeExceptionally(t);
    }
  }
}
