package dev.parley.adapter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A broker in one JVM for testing {@link ClusterAdapter} and {@link ClusterAdapterWithHeartbeat}: it
 * delivers every message, in order, on one thread, in Node's ClusterAdapter format as plain values
 * (so the round trip through {@link ClusterFormat} is tested too). It can be made to fail publishes,
 * and to drop a server's messages (a server that died without saying goodbye).
 */
final class LoopbackBroker implements AutoCloseable {
  final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "loopback-broker");
    t.setDaemon(true);
    return t;
  });
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final Set<String> muted = ConcurrentHashMap.newKeySet();
  volatile boolean failing;

  /** What an adapter on this broker does: receive a message. */
  interface Member {
    String uid();

    String nsp();

    void receive(Map<String, Object> message);
  }

  void subscribe(Member m) {
    members.add(m);
  }

  void unsubscribe(Member m) {
    members.remove(m);
  }

  /** From now on, drops every message {@code uid} publishes. */
  void mute(String uid) {
    muted.add(uid);
  }

  CompletionStage<String> publish(Member from, ClusterMessage message) {
    return send(from, null, message);
  }

  CompletionStage<String> send(Member from, String to, ClusterMessage message) {
    if (failing) {
      return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
    }
    Map<String, Object> wire = ClusterFormat.encode(from.uid(), from.nsp(), message);
    if (!muted.contains(from.uid())) {
      thread.execute(() -> {
        for (Member m : members) {
          if (m.nsp().equals(from.nsp()) && (to == null || to.equals(m.uid()))) {
            m.receive(wire);
          }
        }
      });
    }
    return CompletableFuture.completedFuture(null);
  }

  int count(String nsp) {
    return (int) members.stream().filter(m -> m.nsp().equals(nsp)).count();
  }

  Adapter.Factory plain() {
    return context -> new Plain(context, this);
  }

  Adapter.Factory withHeartbeat(Duration interval, Duration timeout) {
    return context -> new WithHeartbeat(context, this, interval, timeout);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /** A {@link ClusterAdapter} on the broker, counting its subscribers; counts its outages. */
  static final class Plain extends ClusterAdapter implements Member {
    final LoopbackBroker broker;
    volatile int outagesStarted;
    volatile int outagesEnded;

    Plain(AdapterContext context, LoopbackBroker broker) {
      super(context, broker.thread, Duration.ofSeconds(1));
      this.broker = broker;
    }

    @Override
    public String nsp() {
      return context.namespace();
    }

    @Override
    public void init() {
      broker.subscribe(this);
    }

    @Override
    protected void closing() {
      super.closing();
      broker.unsubscribe(this);
    }

    @Override
    protected CompletionStage<String> doPublish(ClusterMessage message) {
      return broker.publish(this, message);
    }

    @Override
    protected CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response) {
      return broker.send(this, requesterUid, response);
    }

    @Override
    public int serverCount() {
      return broker.failing ? 1 : broker.count(nsp());
    }

    @Override
    protected void outageStarted(Throwable cause) {
      outagesStarted++;
    }

    @Override
    protected void outageEnded() {
      outagesEnded++;
    }

    @Override
    public void receive(Map<String, Object> message) {
      ClusterFormat.Envelope e = ClusterFormat.decode(message, nsp());
      if (e != null) {
        onMessage(e.uid(), e.message(), null);
      }
    }
  }

  /** A {@link ClusterAdapterWithHeartbeat} on the broker: the servers count each other. */
  static final class WithHeartbeat extends ClusterAdapterWithHeartbeat implements Member {
    final LoopbackBroker broker;

    WithHeartbeat(AdapterContext context, LoopbackBroker broker, Duration interval, Duration timeout) {
      super(context, broker.thread, Duration.ofSeconds(1), interval, timeout);
      this.broker = broker;
    }

    @Override
    public String nsp() {
      return context.namespace();
    }

    @Override
    public void init() {
      broker.subscribe(this);
      super.init();
    }

    @Override
    protected void closing() {
      super.closing();
      broker.unsubscribe(this);
    }

    @Override
    protected CompletionStage<String> doPublish(ClusterMessage message) {
      return broker.publish(this, message);
    }

    @Override
    protected CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response) {
      return broker.send(this, requesterUid, response);
    }

    @Override
    public void receive(Map<String, Object> message) {
      ClusterFormat.Envelope e = ClusterFormat.decode(message, nsp());
      if (e != null) {
        onMessage(e.uid(), e.message(), null);
      }
    }
  }
}
