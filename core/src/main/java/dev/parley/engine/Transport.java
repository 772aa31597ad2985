package dev.parley.engine;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * The Transport SPI: a bidirectional packet channel between one client and one {@link EngineSession}.
 * The long-polling and WebSocket transports implement it in their own modules; a new host (servlet,
 * Netty) costs one module and no change to the engine.
 *
 * <h2>Threading contract</h2>
 * <ul>
 *   <li>{@link #bind} is called once, before any other method, with the session's executor.
 *   <li>The session calls {@link #send}, {@link #close} and {@link #discard} only from that executor.
 *   <li>The transport calls its {@link Listener} only from that executor too (it hands I/O events over
 *       with {@code executor.execute(...)}), so the session needs no locks.
 *   <li>{@link #send} never blocks: it starts the write and returns. While a write is in flight
 *       {@link #isWritable} is false; when it becomes writable again the transport calls
 *       {@link Listener#onDrain()}, and the session hands it everything buffered meanwhile in one batch.
 * </ul>
 *
 * <pre>{@code
 * final class LoopbackTransport implements Transport {
 *   private Transport.Listener listener;
 *   private Executor executor;
 *   public TransportKind kind() { return TransportKind.WEBSOCKET; }
 *   public void bind(Transport.Listener l, Executor e) { listener = l; executor = e; }
 *   public boolean isWritable() { return true; }
 *   public void send(List<EnginePacket> packets) { packets.forEach(System.out::println); }
 *   public void close(boolean sendClosePacket) { executor.execute(listener::onClose); }
 * }
 * }</pre>
 */
public interface Transport {
  TransportKind kind();

  /** Connects the transport to its session; called once, first. */
  void bind(Listener listener, Executor sessionExecutor);

  /** True when {@link #send} may be called now. */
  boolean isWritable();

  /** Writes packets in order; only called while {@link #isWritable()}. */
  void send(List<EnginePacket> packets);

  /**
   * Closes the transport; idempotent. With {@code sendClosePacket} the peer is told first where the
   * transport can (a pending long-poll GET answers {@code 1}); without it, a pending GET is released
   * with {@code 6}. The transport reports {@link Listener#onClose()} once closed.
   */
  void close(boolean sendClosePacket);

  /**
   * Called on the old transport when an upgrade replaced it: it must stop serving this session (a
   * long-poll request still pending is answered with a "Bad request" error) and report nothing more.
   */
  default void discard() {
    close(false);
  }

  /**
   * The request that carried the packets being handled, where the transport has one per batch of
   * packets: the last polling POST (the reference's {@code transport.dataReq}); {@code null} for a
   * WebSocket, whose packets come on the connection of {@link EngineSession#request()}.
   */
  default EngineRequest dataRequest() {
    return null;
  }

  /** Events from a transport to its session, always delivered on the session's executor. */
  interface Listener {
    /** A packet arrived from the client. */
    void onPacket(EnginePacket packet);

    /**
     * Asked by the transport after it handed over what it read (on any thread): true means the
     * session has more received data waiting for its handlers than it allows, so the transport
     * should stop reading (not ask the socket for more, hold the POST's answer) until it runs
     * {@code resume}, which the session calls once, from another thread, when the backlog is down.
     * False: read on ({@code resume} is not kept).
     */
    default boolean pauseInput(Runnable resume) {
      return false;
    }

    /**
     * Whether {@link #pauseInput} would stop reading now; keeps nothing. A transport that must put its
     * reading state in order before another thread may resume reading asks this first.
     */
    default boolean inputBacklogged() {
      return false;
    }

    /** The transport became writable again after a send. */
    void onDrain();

    /** The transport closed (the peer went away cleanly, or {@link #close} finished). */
    void onClose();

    /** The peer sent something that is not Engine.IO: the session closes with "parse error". */
    void onParseError(String detail);

    /** The transport failed (an I/O error, a broken protocol rule): "transport error". */
    void onError(String detail, Throwable cause);
  }
}
