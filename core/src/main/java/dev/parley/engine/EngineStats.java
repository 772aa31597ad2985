package dev.parley.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of an {@link EngineServer}, for metrics: packets dropped because they were droppable
 * (socket.io's {@code volatile}) and the client was busy, and clients disconnected because too many
 * bytes waited for them, and pauses in reading from clients whose handlers were behind. Thread-safe and
 * cheap to update.
 *
 * <pre>{@code
 * EngineStats stats = io.engine().stats();
 * gauge("parley.dropped", stats.droppedPackets());
 * gauge("parley.slow_consumers", stats.slowConsumerDisconnects());
 * gauge("parley.input_pauses", stats.inputPauses());
 * }</pre>
 */
public final class EngineStats {
  private final LongAdder dropped = new LongAdder();
  private final LongAdder slowConsumers = new LongAdder();
  private final LongAdder inputPauses = new LongAdder();

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
        + ", inputPauses=" + inputPauses() + "}";
  }
}
