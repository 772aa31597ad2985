package dev.parley.adapter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The default adapter: rooms and delivery for one node, in memory. Built to be extended: a cluster
 * adapter calls {@code super} for the local half and adds the remote half, as {@link ClusterAdapter}
 * does for any backend.
 *
 * <p>Membership is kept in two concurrent maps, room to socket ids and socket id to rooms, so
 * broadcasts take no global lock and iterate rooms without copying them; a broadcast encodes its
 * packet once and hands the same encoded value to every recipient. The sets in those maps are small
 * immutable sets, replaced on change, until they grow large (see {@code Members}): every socket is
 * alone in the room of its own id, and a concurrent set per room and per socket would cost hundreds
 * of bytes per connection. A subclass reads {@link #rooms} and {@link #sids} but never changes a set
 * it got from them; it changes membership through {@link #addAll}, {@link #del} and {@link #delAll}.
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
 *
 * <p>Connection state recovery (when the server turns it on, {@link AdapterContext#maxDisconnectionDurationMillis}
 * above 0), as socket.io-adapter's {@code SessionAwareAdapter}: every non-volatile event broadcast
 * without an ack gets an offset, assigned once per broadcast under a lock that also covers its
 * delivery (so every socket receives such events in offset order), and is kept in a packet log with
 * its options. The log is trimmed by age (the recovery window) on every append and restore, and never
 * holds more than {@code maxPersistedPackets} packets. Persisted sessions expire after the window.
 * Offsets are {@code <epoch>-<sequence>}: an offset from another adapter instance (another node, an
 * earlier run) is never found.
 */
public class InMemoryAdapter implements Adapter {
  /** The most packets the recovery log keeps, however young (bounds memory under a flood). */
  public static final int DEFAULT_MAX_PERSISTED_PACKETS = 100_000;
  /** The namespace this adapter serves, as the adapter sees it. */
  protected final AdapterContext context;
  /** room -> socket ids; the sets are read-only to everyone but this class (see {@code Members}). */
  protected final ConcurrentHashMap<String, Set<String>> rooms = new ConcurrentHashMap<>();
  /** socket id -> rooms (empty when the socket left every room); read-only sets, as {@link #rooms}. */
  protected final ConcurrentHashMap<String, Set<String>> sids = new ConcurrentHashMap<>();

  private final int maxPersistedPackets;
  private final String epoch = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  /** Guards the packet log and the delivery of logged packets. */
  private final Object recoveryLock = new Object();
  private final ArrayDeque<PersistedPacket> packetLog = new ArrayDeque<>();
  /** The sequence number of the next logged packet (the log holds consecutive numbers up to it). */
  private long nextSeq;
  private final ConcurrentHashMap<String, PersistedSession> sessions = new ConcurrentHashMap<>();
  /** Sessions in persist order, for expiry; an entry replaced in {@link #sessions} is skipped. */
  private final ConcurrentLinkedQueue<PersistedSession> sessionOrder = new ConcurrentLinkedQueue<>();

  private record PersistedPacket(long seq, long emittedAt, BroadcastOptions options, Packet packet) {}

  private record PersistedSession(SessionToPersist session, long disconnectedAt) {}

  /** An adapter whose recovery log keeps at most {@link #DEFAULT_MAX_PERSISTED_PACKETS} packets. */
  public InMemoryAdapter(AdapterContext context) {
    this(context, DEFAULT_MAX_PERSISTED_PACKETS);
  }

  /** An adapter whose recovery log keeps at most {@code maxPersistedPackets} packets. */
  public InMemoryAdapter(AdapterContext context, int maxPersistedPackets) {
    if (maxPersistedPackets < 1) {
      throw new IllegalArgumentException("maxPersistedPackets must be at least 1: " + maxPersistedPackets);
    }
    this.context = context;
    this.maxPersistedPackets = maxPersistedPackets;
  }

  @Override
  public void addAll(String socketId, Set<String> roomsToJoin) {
    if (roomsToJoin.isEmpty()) {
      sids.putIfAbsent(socketId, Set.of()); // known to the adapter even in no room
      return;
    }
    for (String room : roomsToJoin) {
      boolean[] joined = {false};
      sids.compute(socketId, (k, mine) -> {
        joined[0] = mine == null || !mine.contains(room); // before with(): a large set changes in place
        return Members.with(mine, room);
      });
      if (joined[0]) {
        boolean[] created = {false};
        rooms.compute(room, (k, members) -> {
          created[0] = members == null;
          return Members.with(members, socketId);
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
    sids.computeIfPresent(socketId, (k, mine) -> Members.without(mine, room)); // an empty set stays: the socket is still here
    removeFromRoom(socketId, room);
  }

  private void removeFromRoom(String socketId, String room) {
    boolean[] left = {false};
    boolean[] deleted = {false};
    rooms.computeIfPresent(room, (k, members) -> {
      left[0] = members.contains(socketId);
      Set<String> next = Members.without(members, socketId);
      if (next.isEmpty()) {
        deleted[0] = true;
        return null;
      }
      return next;
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
    for (String room : mine) { // removed from the map, so nobody changes it any more
      removeFromRoom(socketId, room);
    }
  }

  @Override
  public void broadcast(Packet packet, BroadcastOptions options) {
    long window = context.maxDisconnectionDurationMillis();
    if (window > 0 && packet.type() == PacketType.EVENT && !packet.expectsAck() && !options.flags().droppable()) {
      long now = context.nowMillis();
      expireSessions(now - window);
      synchronized (recoveryLock) {
        long seq = nextSeq++;
        Packet withOffset = packet.withOffset(epoch + "-" + Long.toString(seq, 36));
        packetLog.addLast(new PersistedPacket(seq, now, options, withOffset));
        trimPackets(now - window);
        deliverLocally(withOffset, options);
      }
      return;
    }
    deliverLocally(packet, options);
  }

  /**
   * Encodes {@code packet} once and hands it to every local socket {@code options} target, without
   * giving it an offset or keeping it for recovery: the delivery half of {@link #broadcast}, for a
   * subclass that assigns offsets itself (a cluster backend whose log gives them).
   */
  protected void deliverLocally(Packet packet, BroadcastOptions options) {
    EncodedPacket encoded = context.encode(packet);
    BroadcastFlags flags = options.flags();
    apply(options, id -> context.deliver(id, encoded, flags));
  }

  @Override
  public void broadcastWithAck(Packet packet, BroadcastOptions options, IntConsumer clientCount, Consumer<AckResult> onAck) {
    List<String> targets = new ArrayList<>();
    apply(options, targets::add);
    clientCount.accept(targets.size());
    EncodedPacket encoded = context.encode(packet);
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

  // ------------------------------------------------------------------ connection state recovery

  @Override
  public void persistSession(SessionToPersist session) {
    long window = context.maxDisconnectionDurationMillis();
    if (window <= 0) {
      return;
    }
    long now = context.nowMillis();
    PersistedSession p = new PersistedSession(session, now);
    sessions.put(session.pid(), p);
    sessionOrder.add(p);
    expireSessions(now - window);
  }

  @Override
  public CompletionStage<Optional<RestoredSession>> restoreSession(String pid, String offset) {
    long window = context.maxDisconnectionDurationMillis();
    if (window <= 0 || pid == null || offset == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long now = context.nowMillis();
    expireSessions(now - window);
    PersistedSession p = sessions.get(pid);
    long seq = parseOffset(offset);
    if (p == null || p.disconnectedAt() + window < now || seq < 0) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    SessionToPersist s = p.session();
    List<Packet> missed = new ArrayList<>();
    synchronized (recoveryLock) {
      trimPackets(now - window);
      if (seq < nextSeq - packetLog.size() || seq >= nextSeq) {
        return CompletableFuture.completedFuture(Optional.empty()); // offset no longer (or never) buffered
      }
      for (PersistedPacket pp : packetLog) {
        if (pp.seq() > seq && pp.options().targets(s.rooms())) {
          missed.add(pp.packet());
        }
      }
    }
    return CompletableFuture.completedFuture(Optional.of(new RestoredSession(s.sid(), s.pid(), s.rooms(), s.data(), missed)));
  }

  /** The number of packets in the recovery log (for tests and metrics). */
  protected int persistedPacketCount() {
    synchronized (recoveryLock) {
      return packetLog.size();
    }
  }

  /** The number of persisted sessions, expired ones not yet swept included (for tests and metrics). */
  protected int persistedSessionCount() {
    return sessions.size();
  }

  private long parseOffset(String offset) {
    int dash = offset.indexOf('-');
    if (dash < 0 || !offset.substring(0, dash).equals(epoch)) {
      return -1;
    }
    try {
      return Long.parseLong(offset.substring(dash + 1), 36);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Lock held. */
  private void trimPackets(long threshold) {
    PersistedPacket first;
    while ((first = packetLog.peekFirst()) != null
        && (first.emittedAt() < threshold || packetLog.size() > maxPersistedPackets)) {
      packetLog.pollFirst();
    }
  }

  private void expireSessions(long threshold) {
    PersistedSession head;
    while ((head = sessionOrder.peek()) != null && head.disconnectedAt() < threshold) {
      if (sessionOrder.remove(head)) {
        sessions.remove(head.session().pid(), head);
      }
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
