package dev.parley.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One generator client at the Engine.IO / Socket.IO level, whatever its transport: raw Engine.IO v4
 * packets in and out ({@link #send(String)} hands one to the transport), Engine.IO pings answered,
 * namespace {@code /} connected, events sent with ack ids, acks and {@code tick} events handed to the
 * scenario. {@link Conn} carries the packets in WebSocket frames, {@link PollConn} over HTTP
 * long-polling. Packets are dispatched on the selector thread that owns the client.
 */
abstract class Client {
  /** Called on the selector thread for every {@code 42[...]} event packet; must be quick. */
  interface TickListener {
    void onTick(byte[] buf, int off, int len);
  }

  final CompletableFuture<Client> connected = new CompletableFuture<>();
  private final ConcurrentHashMap<Integer, Consumer<String>> pendingAcks = new ConcurrentHashMap<>(4);
  private final AtomicInteger ackIds = new AtomicInteger();
  final Stats stats;
  volatile TickListener tickListener;
  volatile boolean closed;

  Client(Stats stats) {
    this.stats = stats;
  }

  /** Sends {@code 42<id>[...]} with the given JSON array body (without brackets) and calls onAck with the ack packet. */
  void emitWithAck(String argsJson, Consumer<String> onAck) {
    int id = ackIds.incrementAndGet();
    pendingAcks.put(id, onAck);
    send("42" + id + "[" + argsJson + "]");
  }

  /** Sends one Engine.IO packet in its text form ({@code <type digit><payload>}); callable from any thread. */
  abstract void send(String packet);

  /** Closes the client's connections (no close packet: the server notices the closed sockets). */
  abstract void close();

  /** Counts a disconnect (unless already closed), closes, and fails the connect future if still pending. */
  void fail(Throwable t) {
    if (!closed) {
      stats.disconnects.incrementAndGet();
    }
    close();
    connected.completeExceptionally(t);
  }

  /** On the selector thread: one Engine.IO packet in text form, {@code len} bytes at {@code a[off]}. */
  final void onPacket(byte[] a, int off, int len) {
    if (len == 0) {
      return;
    }
    byte t = a[off];
    if (t == '2' && len == 1) { // Engine.IO ping
      send("3");
      return;
    }
    if (t == '0') { // Engine.IO open: connect to namespace "/"
      onOpen(a, off, len);
      send("40");
      return;
    }
    if (t != '4' || len < 2) {
      if (t == '1') {
        fail(new java.io.IOException("engine.io close"));
      }
      return; // '6' (noop) and anything else: nothing to do
    }
    byte st = a[off + 1];
    if (st == '2') {
      TickListener l = tickListener;
      if (l != null) {
        l.onTick(a, off, len);
      }
    } else if (st == '3') {
      int id = 0;
      int i = off + 2;
      for (; i < off + len && a[i] >= '0' && a[i] <= '9'; i++) {
        id = id * 10 + (a[i] - '0');
      }
      Consumer<String> ack = pendingAcks.remove(id);
      if (ack != null) {
        ack.accept(new String(a, off, len, StandardCharsets.UTF_8));
      }
    } else if (st == '0') {
      connected.complete(this);
    } else if (st == '4' || st == '1') {
      stats.errors.incrementAndGet();
      connected.completeExceptionally(new IllegalStateException("refused: " + new String(a, off, len, StandardCharsets.UTF_8)));
    }
  }

  /** The Engine.IO open packet ({@code 0{"sid":...}}) arrived, before {@code 40} is sent; the polling client takes its sid. */
  void onOpen(byte[] a, int off, int len) {}

  /** Counters shared by all clients of a run. */
  static final class Stats {
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
    /** Polling clients' HTTP requests, connections opened, and requests sent again on a new connection. */
    final AtomicLong httpRequests = new AtomicLong();
    final AtomicLong httpConnects = new AtomicLong();
    final AtomicLong httpRetries = new AtomicLong();
  }
}
