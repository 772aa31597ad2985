package dev.parley;

import dev.parley.adapter.AckResult;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.BroadcastFlags;
import dev.parley.adapter.BroadcastOptions;
import dev.parley.adapter.Packet;
import dev.parley.engine.Scheduler;
import dev.parley.internal.engine.EngineInternals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Targets a set of sockets of a namespace (rooms to include, rooms to exclude) with flags, then acts
 * on them. Immutable: every modifier returns a new operator, so operators can be kept and shared
 * across threads. Each terminal operation becomes one adapter call; a broadcast encodes its packet
 * once for all recipients. Get one from a namespace ({@code io.to(..)}, {@code nsp.except(..)}) or a
 * socket ({@code socket.to(..)}, which leaves the socket out).
 *
 * <pre>{@code
 * io.to("room1").to("room2").except("room3").emit("news", item);   // union of rooms, minus room3
 * io.timeout(Duration.ofSeconds(5)).emitWithAck("poll", question)   // one answer per client
 *     .thenAccept(answers -> log.info("{} answers", answers.size()));
 * io.in("room1").socketsJoin("room2");
 * }</pre>
 */
public final class BroadcastOperator {
  private final Namespace nsp;
  private final Set<String> rooms;
  private final Set<String> except;
  private final BroadcastFlags flags;

  BroadcastOperator(Namespace nsp, Set<String> rooms, Set<String> except, BroadcastFlags flags) {
    this.nsp = nsp;
    this.rooms = rooms;
    this.except = except;
    this.flags = flags;
  }

  /**
   * Also targets these rooms (a socket in several is reached once).
   *
   * <pre>{@code
   * io.to("room1").to("room2").emit("news", item);   // every socket in room1 or room2, once
   * }</pre>
   */
  public BroadcastOperator to(String... more) {
    return new BroadcastOperator(nsp, plus(rooms, more), except, flags);
  }

  /** Same as {@link #to}. */
  public BroadcastOperator in(String... more) {
    return to(more);
  }

  /**
   * Excludes the sockets in these rooms (a socket id is a room: this excludes one socket).
   *
   * <pre>{@code
   * io.to("lobby").except("muted").emit("chat message", text);
   * }</pre>
   */
  public BroadcastOperator except(String... more) {
    return new BroadcastOperator(nsp, rooms, plus(except, more), flags);
  }

  /** Only this server's sockets, even with a cluster adapter. */
  public BroadcastOperator local() {
    return new BroadcastOperator(nsp, rooms, except, flags.withLocal(true));
  }

  /**
   * The event may be dropped for clients that cannot take it now (socket.io's {@code volatile}): for
   * frequent updates where only the latest matters.
   *
   * <pre>{@code
   * io.to("game-1").unreliable().emit("positions", snapshot);
   * }</pre>
   */
  public BroadcastOperator unreliable() {
    return new BroadcastOperator(nsp, rooms, except, flags.withDroppable(true));
  }

  /** Whether the payload may be compressed (permessage-deflate, when enabled). */
  public BroadcastOperator compress(boolean compress) {
    return new BroadcastOperator(nsp, rooms, except, flags.withCompress(compress));
  }

  /** How long {@link #emitWithAck} waits for every client. */
  public BroadcastOperator timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    return new BroadcastOperator(nsp, rooms, except, flags.withTimeoutMillis(Math.max(1, timeout.toMillis())));
  }

  /**
   * Sends an event to every targeted socket, on every server with a cluster adapter (unless
   * {@link #local}). Arguments are converted as for {@link Socket#emit}; the packet is encoded once.
   *
   * @throws IllegalArgumentException for a reserved event name
   */
  public void emit(String event, Object... args) {
    Wire.checkEventName(event);
    DeliveryTally tally = new DeliveryTally();
    Packet packet = nsp.eventPacket(event, args, -1, tally);
    BroadcastOptions options = options();
    tally.open();
    // the recipients' writes happen after the loop, spread over the pool for a big room
    EngineInternals.sendTogether(nsp.server().engine(), () -> nsp.adapter().broadcast(packet, options));
    nsp.server().instruments().broadcast(nsp, rooms, except, event, ((JsonPayload) packet.data()).array(), tally);
  }

  /**
   * Sends an event expecting an answer from every targeted client; completes with all answers, or
   * fails with {@link AckTimeoutException} (holding the answers received) after the timeout. A client
   * that disconnects before answering is not waited for.
   *
   * <pre>{@code
   * io.timeout(Duration.ofSeconds(5)).emitWithAck("are you there?")
   *     .thenAccept(answers -> log.info("{} clients answered", answers.size()));
   * }</pre>
   *
   * @throws IllegalStateException without a {@link #timeout}
   * @throws IllegalArgumentException for a reserved event name
   */
  public CompletableFuture<List<Args>> emitWithAck(String event, Object... args) {
    Wire.checkEventName(event);
    if (flags.timeoutMillis() <= 0) {
      throw new IllegalStateException("a broadcast with acks needs a timeout: use timeout(Duration) first");
    }
    long ackId = nsp.nextAckId();
    DeliveryTally tally = new DeliveryTally();
    Packet packet = nsp.eventPacket(event, args, ackId, tally);
    BroadcastOptions options = options();
    BroadcastAcks acks = new BroadcastAcks(nsp, ackId, flags.timeoutMillis());
    // a cluster adapter may ask its backend for the server count: not on the caller's thread
    nsp.server().engine().executor().execute(() -> {
      acks.servers(flags.local() ? 1 : nsp.adapter().serverCount());
      tally.open();
      nsp.adapter().broadcastWithAck(packet, options, acks::clients, acks);
      nsp.server().instruments().broadcast(nsp, rooms, except, event, ((JsonPayload) packet.data()).array(), tally);
      acks.check();
    });
    return acks.result();
  }

  /** Handles to every targeted socket, on every server with a cluster adapter. */
  public CompletableFuture<List<RemoteSocket>> fetchSockets() {
    return nsp.adapter().fetchSockets(options()).toCompletableFuture().thenApply(list -> {
      List<RemoteSocket> out = new ArrayList<>(list.size());
      for (AdapterContext.SocketDetails d : list) {
        out.add(new RemoteSocket(nsp, d, nsp.localSocket(d.id())));
      }
      return out;
    });
  }

  /**
   * Makes every targeted socket join rooms.
   *
   * <pre>{@code
   * io.in("team-a").socketsJoin("match-7");
   * }</pre>
   */
  public void socketsJoin(String... more) {
    nsp.adapter().addSockets(options(), Set.copyOf(Arrays.asList(more)));
  }

  /** Makes every targeted socket leave rooms. */
  public void socketsLeave(String... more) {
    nsp.adapter().delSockets(options(), Set.copyOf(Arrays.asList(more)));
  }

  /** Disconnects every targeted socket; with {@code close}, their whole connections. */
  public void disconnectSockets(boolean close) {
    nsp.adapter().disconnectSockets(options(), close);
  }

  BroadcastOptions options() {
    return new BroadcastOptions(rooms, except, flags);
  }

  private static Set<String> plus(Set<String> base, String[] more) {
    Set<String> out = new HashSet<>(base);
    for (String r : more) {
      out.add(Objects.requireNonNull(r, "room == null"));
    }
    return Set.copyOf(out);
  }

  /**
   * The answers to one broadcast with acks: every recipient's socket holds this one callback (so
   * nothing is allocated per recipient), the adapter reports each server's client count, and the
   * result completes once every server reported and every counted client answered, or fails at the
   * timeout with what arrived.
   */
  private static final class BroadcastAcks implements PendingAcks.Timed {
    private final CompletableFuture<List<Args>> result = new CompletableFuture<>();
    private final Namespace nsp;
    private final long sentAt;
    private final Scheduler.Cancellable timer;
    /** Guarded by this. */
    private final List<Args> responses = new ArrayList<>();
    private int expected;
    private int serversHeard;
    private int servers = Integer.MAX_VALUE; // known once the adapter is asked
    private boolean done;

    BroadcastAcks(Namespace nsp, long ackId, long timeoutMillis) {
      this.nsp = nsp;
      this.sentAt = nsp.server().instruments().ackClock();
      this.timer = nsp.server().engine().scheduler().schedule(
          () -> nsp.server().engine().executor().execute(() -> timeOut(ackId)), timeoutMillis);
    }

    CompletableFuture<List<Args>> result() {
      return result;
    }

    @Override
    public long sentAt() {
      return sentAt;
    }

    synchronized void servers(int n) {
      servers = n;
    }

    /** A server reports how many of its clients the broadcast reached. */
    void clients(int count) {
      synchronized (this) {
        expected += count;
        serversHeard++;
      }
      check();
    }

    /** A client answered (a client that disconnected first never answers: it is not waited for). */
    @Override
    public void accept(AckResult answer) {
      if (answer instanceof AckResult.Answered) {
        Args args = nsp.server().wire().args(((AckResult.Answered) answer).arguments());
        synchronized (this) {
          responses.add(args);
        }
        check();
      }
    }

    void check() {
      List<Args> all;
      synchronized (this) {
        if (done || serversHeard < servers || responses.size() < expected) {
          return;
        }
        done = true;
        all = List.copyOf(responses);
      }
      timer.cancel();
      result.complete(all);
    }

    private void timeOut(long ackId) {
      List<Args> partial;
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        partial = List.copyOf(responses);
      }
      nsp.dropAck(ackId); // clients that never answered must not keep the entry
      result.completeExceptionally(new AckTimeoutException("operation has timed out", partial));
    }
  }
}
