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
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Targets a set of sockets of a namespace (rooms to include, rooms to exclude) with flags, then acts
 * on them. Immutable: every modifier returns a new operator, so operators can be kept and shared
 * across threads. Each terminal operation becomes one adapter call; a broadcast encodes its packet
 * once for all recipients.
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

  /** Also targets these rooms (a socket in several is reached once). */
  public BroadcastOperator to(String... more) {
    return new BroadcastOperator(nsp, plus(rooms, more), except, flags);
  }

  /** Same as {@link #to}. */
  public BroadcastOperator in(String... more) {
    return to(more);
  }

  /** Excludes sockets in these rooms. */
  public BroadcastOperator except(String... more) {
    return new BroadcastOperator(nsp, rooms, plus(except, more), flags);
  }

  /** Only this node's sockets, even with a cluster adapter. */
  public BroadcastOperator local() {
    return new BroadcastOperator(nsp, rooms, except, flags.withLocal(true));
  }

  /** The event may be dropped for clients that cannot take it now (socket.io's {@code volatile}). */
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

  /** Sends an event to every targeted socket. */
  public void emit(String event, Object... args) {
    Wire.checkEventName(event);
    Packet packet = nsp.eventPacket(event, args, -1);
    BroadcastOptions options = options();
    // the recipients' writes happen after the loop, spread over the pool for a big room
    EngineInternals.sendTogether(nsp.server().engine(), () -> nsp.adapter().broadcast(packet, options));
  }

  /**
   * Sends an event expecting an answer from every targeted client; completes with all answers, or
   * fails with {@link AckTimeoutException} (holding the answers received) after the timeout.
   *
   * @throws IllegalStateException without a {@link #timeout}
   */
  public CompletableFuture<List<Args>> emitWithAck(String event, Object... args) {
    Wire.checkEventName(event);
    if (flags.timeoutMillis() <= 0) {
      throw new IllegalStateException("a broadcast with acks needs a timeout: use timeout(Duration) first");
    }
    CompletableFuture<List<Args>> result = new CompletableFuture<>();
    List<Args> responses = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger expected = new AtomicInteger();
    AtomicInteger serversHeard = new AtomicInteger();
    AtomicInteger servers = new AtomicInteger(Integer.MAX_VALUE); // known once the adapter is asked
    AtomicBoolean done = new AtomicBoolean();
    long ackId = nsp.nextAckId();
    Scheduler.Cancellable timer = nsp.server().engine().scheduler().schedule(() -> nsp.server().engine().executor().execute(() -> {
      if (done.compareAndSet(false, true)) {
        nsp.dropAck(ackId); // clients that never answered must not keep the entry
        List<Args> partial;
        synchronized (responses) {
          partial = List.copyOf(responses);
        }
        result.completeExceptionally(new AckTimeoutException("operation has timed out", partial));
      }
    }), flags.timeoutMillis());
    Runnable check = () -> {
      if (serversHeard.get() >= servers.get() && responses.size() >= expected.get() && done.compareAndSet(false, true)) {
        timer.cancel();
        synchronized (responses) {
          result.complete(List.copyOf(responses));
        }
      }
    };
    Packet packet = nsp.eventPacket(event, args, ackId);
    BroadcastOptions options = options();
    // a cluster adapter may ask its backend for the server count: not on the caller's thread
    nsp.server().engine().executor().execute(() -> {
      servers.set(flags.local() ? 1 : nsp.adapter().serverCount());
      nsp.adapter().broadcastWithAck(packet, options, count -> {
        expected.addAndGet(count);
        serversHeard.incrementAndGet();
        check.run();
      }, answer -> {
        if (answer instanceof AckResult.Answered) { // a client that disconnected first never answers
          responses.add(nsp.server().wire().args(((AckResult.Answered) answer).arguments()));
          check.run();
        }
      });
      check.run();
    });
    return result;
  }

  /** Handles to every targeted socket. */
  public CompletableFuture<List<RemoteSocket>> fetchSockets() {
    return nsp.adapter().fetchSockets(options()).toCompletableFuture().thenApply(list -> {
      List<RemoteSocket> out = new ArrayList<>(list.size());
      for (AdapterContext.SocketDetails d : list) {
        out.add(new RemoteSocket(nsp, d, nsp.localSocket(d.id())));
      }
      return out;
    });
  }

  /** Makes every targeted socket join rooms. */
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
}
