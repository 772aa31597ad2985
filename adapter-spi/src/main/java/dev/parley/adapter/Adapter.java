package dev.parley.adapter;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The adapter SPI: one instance per namespace, owning room membership and broadcast delivery, with
 * the operations of socket.io-adapter. The {@link InMemoryAdapter} serves a single node; a cluster
 * adapter extends {@link ClusterAdapter}, which keeps the local half in memory and forwards the remote
 * half (publish to other nodes, merge their answers) through the backend a subclass provides.
 *
 * <p>Threading: every method may be called from any thread; implementations are thread-safe and never
 * block on the network in the caller's thread.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder()
 *     .adapter(context -> new InMemoryAdapter(context))   // the default
 *     .build();
 * }</pre>
 */
public interface Adapter extends AutoCloseable {
  /** Called once before use. */
  default void init() {}

  /** Adds a socket to rooms. */
  void addAll(String socketId, Set<String> rooms);

  /** Removes a socket from one room. */
  void del(String socketId, String room);

  /** Removes a socket from every room. */
  void delAll(String socketId);

  /** Delivers a packet to every socket the options target. */
  void broadcast(Packet packet, BroadcastOptions options);

  /**
   * Delivers an event expecting acks ({@code packet} carries the ack id): {@code clientCount} is
   * called with the number of targeted clients (once per server in a cluster), {@code onAck} once per
   * targeted client, with its answer or with {@link AckResult.Failed} when it disconnected first.
   */
  void broadcastWithAck(Packet packet, BroadcastOptions options, IntConsumer clientCount, Consumer<AckResult> onAck);

  /** The local sockets in any of {@code rooms} (all local sockets when empty). */
  Set<String> sockets(Set<String> rooms);

  /** The rooms of a local socket (empty when unknown). */
  Set<String> socketRooms(String socketId);

  /** Every room with at least one local socket. */
  Set<String> rooms();

  /** Details of every targeted socket, cluster-wide for cluster adapters. */
  CompletionStage<List<AdapterContext.SocketDetails>> fetchSockets(BroadcastOptions options);

  /** Makes the targeted sockets join rooms. */
  void addSockets(BroadcastOptions options, Set<String> rooms);

  /** Makes the targeted sockets leave rooms. */
  void delSockets(BroadcastOptions options, Set<String> rooms);

  /** Disconnects the targeted sockets. */
  void disconnectSockets(BroadcastOptions options, boolean close);

  /** Every room of the namespace, cluster-wide for cluster adapters (socket-id rooms included). */
  default CompletionStage<Set<String>> allRooms() {
    return java.util.concurrent.CompletableFuture.completedFuture(rooms());
  }

  /**
   * Sends an event to the other servers of the cluster, without acknowledgement. {@code packet} is
   * {@code [event, ...args]} as plain values (see {@link Payload}). The in-memory adapter
   * has no other servers and does nothing.
   */
  default void serverSideEmit(List<Object> packet) {}

  /**
   * Sends an event to the other servers and collects one answer (a plain value) from each; fails
   * with a timeout when some server does not answer in time. The in-memory adapter completes at once
   * with no answers.
   */
  default CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> packet) {
    return java.util.concurrent.CompletableFuture.completedFuture(List.of());
  }

  /**
   * Connection state recovery: keeps the session of a socket that disconnected for a recoverable
   * reason, for the recovery window. The default does nothing (recovery not supported); the
   * {@link InMemoryAdapter} keeps sessions in memory.
   */
  default void persistSession(SessionToPersist session) {}

  /**
   * Connection state recovery: the session persisted under {@code pid}, with the event packets its
   * socket missed after {@code offset} (the last offset the client received), if the session has not
   * expired and the offset is still buffered; empty otherwise. The default always answers empty
   * (recovery not supported). Calling it does not consume the session.
   */
  default CompletionStage<java.util.Optional<RestoredSession>> restoreSession(String pid, String offset) {
    return java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.empty());
  }

  /** The number of servers in the cluster (1 for the in-memory adapter). */
  default int serverCount() {
    return 1;
  }

  @Override
  default void close() {}

  /** Creates the adapter of a namespace. */
  @FunctionalInterface
  interface Factory {
    Adapter create(AdapterContext context);
  }
}
