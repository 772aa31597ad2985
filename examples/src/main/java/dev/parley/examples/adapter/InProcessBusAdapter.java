package dev.parley.examples.adapter;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.ClusterAdapter;
import dev.parley.adapter.ClusterFormat;
import dev.parley.adapter.ClusterMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A cluster adapter on {@link ClusterAdapter}, written for {@code docs/custom-adapter.md}: several
 * servers in one JVM share a {@link Bus}, a stand-in for a message broker that delivers every message,
 * in order, on a thread of its own. The adapter provides what any backend provides: publish, send a
 * response to one server, count the servers, and hand what it receives to {@code onMessage}. Its
 * wire format is Node's ({@link ClusterFormat}), as plain maps; a real broker would serialize them.
 *
 * <pre>{@code
 * InProcessBusAdapter.Bus bus = new InProcessBusAdapter.Bus();
 * SocketIoServer a = SocketIoServer.builder().adapter(bus.factory()).build();
 * SocketIoServer b = SocketIoServer.builder().adapter(bus.factory()).build();
 * a.to("room").emit("news", 1); // reaches the room on both servers
 * }</pre>
 */
// tag::adapter[]
public final class InProcessBusAdapter extends ClusterAdapter {
  /** What the servers share: the broker. */
  public static final class Bus implements AutoCloseable {
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "in-process-bus");
      t.setDaemon(true);
      return t;
    });
    private final List<InProcessBusAdapter> subscribers = new CopyOnWriteArrayList<>();

    /** The factory to give each server's builder. */
    public Adapter.Factory factory() {
      return context -> new InProcessBusAdapter(context, this);
    }

    /** Delivers a message to every subscriber of its namespace, the sender too (its echo is dropped). */
    void publish(String nsp, Map<String, Object> message) {
      thread.execute(() -> subscribers.stream().filter(s -> s.nsp.equals(nsp)).forEach(s -> s.receive(message)));
    }

    /** Delivers a message to the subscriber {@code uid}. */
    void send(String uid, Map<String, Object> message) {
      thread.execute(() -> subscribers.stream().filter(s -> s.uid().equals(uid)).forEach(s -> s.receive(message)));
    }

    int count(String nsp) {
      return (int) subscribers.stream().filter(s -> s.nsp.equals(nsp)).count();
    }

    /** Stops the broker's thread. */
    @Override
    public void close() {
      thread.shutdownNow();
    }
  }

  private static final CompletionStage<String> SENT = CompletableFuture.completedFuture(null);
  private final Bus bus;
  private final String nsp;

  InProcessBusAdapter(AdapterContext context, Bus bus) {
    super(context, bus.thread, Duration.ofSeconds(5)); // the broker's thread also runs request timeouts
    this.bus = bus;
    this.nsp = context.namespace();
  }

  @Override
  public void init() {
    bus.subscribers.add(this); // subscribe
  }

  @Override
  protected void closing() {
    super.closing();
    bus.subscribers.remove(this); // unsubscribe
  }

  @Override
  protected CompletionStage<String> doPublish(ClusterMessage message) {
    bus.publish(nsp, ClusterFormat.encode(uid(), nsp, message)); // encode: the wire dialect
    return SENT; // no offset: this broker keeps no log
  }

  @Override
  protected CompletionStage<?> doPublishResponse(String requesterUid, ClusterMessage.Response response) {
    bus.send(requesterUid, ClusterFormat.encode(uid(), nsp, response));
    return SENT;
  }

  @Override
  public int serverCount() {
    return bus.count(nsp);
  }

  private void receive(Map<String, Object> message) {
    ClusterFormat.Envelope e = ClusterFormat.decode(message, nsp); // decode: the wire dialect
    if (e != null) {
      onMessage(e.uid(), e.message(), null);
    }
  }
}
// end::adapter[]
