package dev.parley.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of an {@link EngineServer}, for metrics: packets dropped because they were droppable
 * (socket.io's {@code volatile}) and the client was busy, clients disconnected because too many
 * bytes waited for them, pauses in reading from clients whose handlers were behind, and requests
 * refused before a session existed (admission hook, per-address limit, bad handshakes). Thread-safe
 * and cheap to update. The Socket.IO layer's counters are {@code SocketIoServer.stats()}, which
 * includes these.
 *
 * <pre>{@code
 * EngineStats stats = io.engine().stats();
 * gauge("parley.dropped", stats.droppedPackets());
 * gauge("parley.slow_consumers", stats.slowConsumerDisconnects());
 * gauge("parley.input_pauses", stats.inputPauses());
 * gauge("parley.refused.forbidden", stats.requestsRefused(EngineError.FORBIDDEN));
 * }</pre>
 */
public final class EngineStats {
  private final LongAdder dropped = new LongAdder();
  private final LongAdder slowConsumers = new LongAdder();
  private final LongAdder inputPauses = new LongAdder();
  private final LongAdder packetsIn = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder packetsOut = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder[] refused = new LongAdder[EngineError.values().length];

  EngineStats() {
    for (int i = 0; i < refused.length; i++) {
      refused[i] = new LongAdder();
    }
  }

  /**
   * Engine.IO packets received from clients on open sessions (messages, pongs, closes; not the
   * handshake or the upgrade probe).
   */
  public long packetsReceived() {
    return packetsIn.sum();
  }

  /**
   * Bytes of the Engine.IO packets received: the packet type digit plus the UTF-8 payload of a text
   * packet, or the length of a binary one; HTTP and WebSocket framing and the polling separators are
   * not counted.
   */
  public long bytesReceived() {
    return bytesIn.sum();
  }

  /** Engine.IO packets the sessions handed to their transports for clients (messages, pings, ...). */
  public long packetsSent() {
    return packetsOut.sum();
  }

  /** Bytes of the Engine.IO packets sent, counted as {@link #bytesReceived} counts them. */
  public long bytesSent() {
    return bytesOut.sum();
  }

  /** Droppable packets not sent because the client could not take them at once. */
  public long droppedPackets() {
    return dropped.sum();
  }

  /** Sessions closed with reason {@code "slow consumer"}. */
  public long slowConsumerDisconnects() {
    return slowConsumers.sum();
  }

  /**
   * Times a transport stopped reading from a client because more than twice {@code maxHttpBufferSize}
   * of what it sent waited for its handlers (see {@link EngineSession#inputBacklog}).
   */
  public long inputPauses() {
    return inputPauses.sum();
  }

  /**
   * Requests {@link EngineServer#verify} refused with {@code error}: {@link EngineError#FORBIDDEN} for
   * the admission hook and {@code maxConnectionsPerIp}, {@link EngineError#SESSION_ID_UNKNOWN} for a
   * request of a session that is gone, and so on.
   */
  public long requestsRefused(EngineError error) {
    return refused[error.ordinal()].sum();
  }

  /** Requests {@link EngineServer#verify} refused, whatever the error. */
  public long requestsRefused() {
    long sum = 0;
    for (LongAdder r : refused) {
      sum += r.sum();
    }
    return sum;
  }

  void received(int bytes) {
    packetsIn.increment();
    bytesIn.add(bytes);
  }

  void sent(int packets, long bytes) {
    packetsOut.add(packets);
    bytesOut.add(bytes);
  }

  void refused(EngineError error) {
    refused[error.ordinal()].increment();
  }

  void inputPaused() {
    inputPauses.increment();
  }

  void droppedPacket() {
    dropped.increment();
  }

  void slowConsumerDisconnected() {
    slowConsumers.increment();
  }

  @Override
  public String toString() {
    return "EngineStats{dropped=" + droppedPackets() + ", slowConsumers=" + slowConsumerDisconnects()
        + ", inputPauses=" + inputPauses() + ", requestsRefused=" + requestsRefused()
        + ", packetsReceived=" + packetsReceived() + ", bytesReceived=" + bytesReceived()
        + ", packetsSent=" + packetsSent() + ", bytesSent=" + bytesSent() + "}";
  }
}
