package dev.parley.adapter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The default adapter: rooms and delivery for one node, in memory. Built to be extended: a cluster
 * adapter calls {@code super} for the local half and adds the remote half.
 *
 * <p>Membership uses concurrent sets, so broadcasts take no global lock and iterate rooms without
 * copying them; a broadcast encodes its packet once and hands the same encoded value to every
 * recipient.
 *
 * <pre>{@code
 * class LoggingAdapter extends InMemoryAdapter {
 *   LoggingAdapter(AdapterContext context) { super(context); }
 *   @Override public void broadcast(Packet packet, BroadcastOptions options) {
 *     System.out.println("broadcast to " + options.rooms());
 *     super.broadcast(packet, options);
 *   }
 * }
 * }</pre>
 */
public class InMemoryAdapter implements Adapter {
  protected final AdapterContext context;
  /** room -> socket ids. */
  protected final ConcurrentHashMap<String, Set<String>> rooms = new ConcurrentHashMap<>();
  /** socket id -> rooms. */
  protected final ConcurrentHashMap<String, Set<String>> sids = new ConcurrentHashMap<>();

  public InMemoryAdapter(AdapterContext context) {
    this.context = context;
  }

  @Override
  public void addAll(String socketId, Set<String> roomsToJoin) {
    Set<String> mine = sids.computeIfAbsent(socketId, k -> ConcurrentHashMap.newKeySet());
    for (String room : roomsToJoin) {
      if (mine.add(room)) {
        boolean[] created = {false};
        rooms.compute(room, (k, members) -> {
          if (members == null) {
            members = ConcurrentHashMap.newKeySet();
            created[0] = true;
          }
          members.add(socketId);
          return members;
        });
        if (created[0]) {
          context.roomEvent(new RoomEvent(RoomEvent.Kind.CREATE, room, null));
        }
        context.roomEvent(new RoomEvent(RoomEvent.Kind.JOIN, room, socketId));
      }
    }
  }

  @Override
  public void del(String socketId, String room) {
    Set<String> mine = sids.get(socketId);
    if (mine != null) {
      mine.remove(room);
    }
    removeFromRoom(socketId, room);
  }

  private void removeFromRoom(String socketId, String room) {
    boolean[] left = {false};
    boolean[] deleted = {false};
    rooms.computeIfPresent(room, (k, members) -> {
      left[0] = members.remove(socketId);
      if (members.isEmpty()) {
        deleted[0] = true;
        return null;
      }
      return members;
    });
    if (left[0]) {
      context.roomEvent(new RoomEvent(RoomEvent.Kind.LEAVE, room, socketId));
    }
    if (deleted[0]) {
      context.roomEvent(new RoomEvent(RoomEvent.Kind.DELETE, room, null));
    }
  }

  @Override
  public void delAll(String socketId) {
    Set<String> mine = sids.remove(socketId);
    if (mine == null) {
      return;
    }
    for (String room : mine) {
      removeFromRoom(socketId, room);
    }
  }

  @Override
  public void broadcast(Packet packet, BroadcastOptions options) {
    Object encoded = context.encode(packet);
    apply(options, id -> context.deliver(id, encoded, options.flags()));
  }

  @Override
  public void broadcastWithAck(Packet packet, BroadcastOptions options, IntConsumer clientCount, Consumer<Object> onAck) {
    List<String> targets = new ArrayList<>();
    apply(options, targets::add);
    clientCount.accept(targets.size());
    Object encoded = context.encode(packet);
    for (String id : targets) {
      context.deliverWithAck(id, encoded, packet.id(), onAck);
    }
  }

  @Override
  public Set<String> sockets(Set<String> inRooms) {
    Set<String> out = new HashSet<>();
    apply(new BroadcastOptions(inRooms, Set.of(), BroadcastFlags.NONE), out::add);
    return out;
  }

  @Override
  public Set<String> socketRooms(String socketId) {
    Set<String> mine = sids.get(socketId);
    return mine == null ? Set.of() : Collections.unmodifiableSet(new HashSet<>(mine));
  }

  @Override
  public Set<String> rooms() {
    return Collections.unmodifiableSet(new HashSet<>(rooms.keySet()));
  }

  @Override
  public CompletionStage<List<AdapterContext.SocketDetails>> fetchSockets(BroadcastOptions options) {
    List<AdapterContext.SocketDetails> out = new ArrayList<>();
    apply(options, id -> context.socketDetails(id).ifPresent(out::add));
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public void addSockets(BroadcastOptions options, Set<String> roomsToJoin) {
    List<String> targets = new ArrayList<>();
    apply(options, targets::add);
    for (String id : targets) {
      addAll(id, roomsToJoin);
    }
  }

  @Override
  public void delSockets(BroadcastOptions options, Set<String> roomsToLeave) {
    List<String> targets = new ArrayList<>();
    apply(options, targets::add);
    for (String id : targets) {
      for (String room : roomsToLeave) {
        del(id, room);
      }
    }
  }

  @Override
  public void disconnectSockets(BroadcastOptions options, boolean close) {
    List<String> targets = new ArrayList<>();
    apply(options, targets::add);
    for (String id : targets) {
      context.disconnect(id, close);
    }
  }

  /**
   * Calls {@code action} once for each local socket the options target: members of any of the rooms
   * (every socket when there are none), minus members of the excepted rooms.
   */
  protected void apply(BroadcastOptions options, Consumer<String> action) {
    Set<String> except = computeExcept(options.except());
    if (options.rooms().isEmpty()) {
      for (String id : sids.keySet()) {
        if (!except.contains(id)) {
          action.accept(id);
        }
      }
      return;
    }
    if (options.rooms().size() == 1) {
      Set<String> members = rooms.get(options.rooms().iterator().next());
      if (members != null) {
        for (String id : members) {
          if (!except.contains(id)) {
            action.accept(id);
          }
        }
      }
      return;
    }
    Set<String> seen = new HashSet<>();
    for (String room : options.rooms()) {
      Set<String> members = rooms.get(room);
      if (members == null) {
        continue;
      }
      for (String id : members) {
        if (!except.contains(id) && seen.add(id)) {
          action.accept(id);
        }
      }
    }
  }

  private Set<String> computeExcept(Set<String> exceptRooms) {
    if (exceptRooms.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new HashSet<>();
    for (String room : exceptRooms) {
      Set<String> members = rooms.get(room);
      if (members != null) {
        out.addAll(members);
      }
    }
    return out;
  }
}
