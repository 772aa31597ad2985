package dev.parley.examples.adapter;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.InMemoryAdapter;
import dev.parley.adapter.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster adapter in under a hundred lines, written for {@code docs/custom-adapter.md}: several
 * servers in one JVM share a {@link Bus}, and each server's adapter forwards the remote half of every
 * operation to the others through it. A real backend (a message broker, a database's notifications)
 * replaces the bus with publish and subscribe, and serializes packets with
 * {@link AdapterContext#toPlain}.
 *
 * <pre>{@code
 * InProcessBusAdapter.Bus bus = new InProcessBusAdapter.Bus();
 * SocketIoServer a = SocketIoServer.builder().adapter(bus.factory()).build();
 * SocketIoServer b = SocketIoServer.builder().adapter(bus.factory()).build();
 * a.to("room").emit("news", 1); // reaches the room on both servers
 * }</pre>
 */
// tag::adapter[]
public final class InProcessBusAdapter extends InMemoryAdapter {
  /** What the servers share: here, the adapters of every server, per namespace. */
  public static final class Bus {
    private final List<InProcessBusAdapter> members = new CopyOnWriteArrayList<>();

    /** The factory to give each server's builder. */
    public Adapter.Factory factory() {
      return context -> new InProcessBusAdapter(context, this);
    }

    List<InProcessBusAdapter> others(InProcessBusAdapter self) {
      List<InProcessBusAdapter> out = new ArrayList<>();
      for (InProcessBusAdapter m : members) {
        if (m != self && m.context.namespace().equals(self.context.namespace())) {
          out.add(m);
        }
      }
      return out;
    }
  }

  private final Bus bus;

  InProcessBusAdapter(AdapterContext context, Bus bus) {
    super(context);
    this.bus = bus;
  }

  @Override
  public void init() {
    bus.members.add(this);
  }

  @Override
  public void close() {
    bus.members.remove(this);
  }

  @Override
  public void broadcast(Packet packet, BroadcastOptions options) {
    super.broadcast(packet, options);              // the local half: rooms and delivery stay here
    if (!options.flags().local()) {                // the remote half: forward, marked local there
      BroadcastOptions there = new BroadcastOptions(options.rooms(), options.except(),
          options.flags().withLocal(true));
      Object plain = context.toPlain(packet.data()); // what would cross the wire
      for (InProcessBusAdapter other : bus.others(this)) {
        other.receive(new Packet(packet.type(), packet.nsp(), plain, -1), there);
      }
    }
  }

  private void receive(Packet plainPacket, BroadcastOptions options) {
    Packet local = new Packet(plainPacket.type(), plainPacket.nsp(), context.fromPlain(plainPacket.data()), -1);
    super.broadcast(local, options);
  }

  @Override
  public CompletionStage<List<AdapterContext.SocketDetails>> fetchSockets(BroadcastOptions options) {
    List<AdapterContext.SocketDetails> all = new ArrayList<>(super.fetchSockets(options).toCompletableFuture().join());
    if (!options.flags().local()) {
      for (InProcessBusAdapter other : bus.others(this)) {
        all.addAll(other.localSockets(options));
      }
    }
    return CompletableFuture.completedFuture(all);
  }

  private List<AdapterContext.SocketDetails> localSockets(BroadcastOptions options) {
    return super.fetchSockets(options).toCompletableFuture().join();
  }

  @Override
  public void serverSideEmit(List<Object> packet) {
    for (InProcessBusAdapter other : bus.others(this)) {
      other.context.serverSideEvent(packet, null);
    }
  }

  @Override
  public int serverCount() {
    return 1 + bus.others(this).size();
  }
}
// end::adapter[]
