package dev.parley.testing;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.Transport;
import dev.parley.engine.TransportKind;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EngineParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A {@link Transport} under the test's control. It records every batch the session sends and every
 * close, and fires listener events (packet, drain, close, parse error, error) through the executor it
 * was bound with, as a real transport must.
 *
 * <p>Two flavours: {@link #webSocket()} stays writable after a send (a socket); {@link #polling()} starts
 * unwritable and loses writability with each send (each batch answers one GET), and {@link #drain()}
 * plays the next GET arriving.
 */
public final class FakeTransport implements Transport {
  private final TransportKind kind;
  private final boolean consumeOnSend;
  private Transport.Listener listener;
  private Executor executor;
  private volatile boolean writable; // the test thread plays GETs while a lane may be sending on another
  private volatile boolean closed;
  private boolean discarded;
  private int bindCount;
  private int sendsWhileNotWritable;
  private final List<List<EnginePacket>> batches = new java.util.concurrent.CopyOnWriteArrayList<>(); // read by tests on other threads
  private final List<Boolean> closeCalls = new ArrayList<>();

  private FakeTransport(TransportKind kind, boolean writable, boolean consumeOnSend) {
    this.kind = kind;
    this.writable = writable;
    this.consumeOnSend = consumeOnSend;
  }

  /** Writable at once and after every send. */
  public static FakeTransport webSocket() {
    return new FakeTransport(TransportKind.WEBSOCKET, true, false);
  }

  /** Not writable until {@link #drain()}; each send consumes the writability (one GET, one answer). */
  public static FakeTransport polling() {
    return new FakeTransport(TransportKind.POLLING, false, true);
  }

  // ------------------------------------------------------------------ Transport

  @Override
  public TransportKind kind() {
    return kind;
  }

  @Override
  public void bind(Transport.Listener listener, Executor sessionExecutor) {
    bindCount++;
    this.listener = listener;
    this.executor = sessionExecutor;
  }

  @Override
  public boolean isWritable() {
    return writable && !closed;
  }

  @Override
  public void send(List<EnginePacket> packets) {
    if (!isWritable()) {
      sendsWhileNotWritable++;
    }
    batches.add(List.copyOf(packets));
    if (consumeOnSend) {
      writable = false;
    }
  }

  @Override
  public void close(boolean sendClosePacket) {
    closeCalls.add(sendClosePacket);
    if (closed) {
      return;
    }
    closed = true;
    executor.execute(listener::onClose);
  }

  @Override
  public void discard() {
    discarded = true;
    closed = true;
  }

  // ------------------------------------------------------------------ test side: events

  /** Becomes writable and reports {@link Transport.Listener#onDrain()} (for polling: a GET arrived). */
  public void drain() {
    writable = true;
    executor.execute(listener::onDrain);
  }

  public void setWritable(boolean writable) {
    this.writable = writable;
  }

  /** The client sent a text frame; decoded as a host would, a bad one becomes a parse error. */
  public void receive(String text) {
    executor.execute(() -> {
      EnginePacket packet;
      try {
        packet = EngineCodec.decodeText(text);
      } catch (EngineParseException e) {
        listener.onParseError(e.getMessage());
        return;
      }
      listener.onPacket(packet);
    });
  }

  public void receive(EnginePacket packet) {
    executor.execute(() -> listener.onPacket(packet));
  }

  public void fireClose() {
    closed = true;
    executor.execute(listener::onClose);
  }

  public void fireParseError(String detail) {
    executor.execute(() -> listener.onParseError(detail));
  }

  public void fireError(String detail) {
    executor.execute(() -> listener.onError(detail, null));
  }

  // ------------------------------------------------------------------ test side: what happened

  /** Each batch as one polling payload ({@code \x1e}-joined, binary as {@code b<base64>}). */
  public List<String> payloads() {
    List<String> out = new ArrayList<>();
    for (List<EnginePacket> batch : batches) {
      out.add(EngineCodec.encodePayload(batch));
    }
    return out;
  }

  /** Every packet sent, in order, each in its payload form. */
  public List<String> wire() {
    List<String> out = new ArrayList<>();
    for (List<EnginePacket> batch : batches) {
      for (EnginePacket p : batch) {
        out.add(EngineCodec.encodePayload(List.of(p)));
      }
    }
    return out;
  }

  public List<List<EnginePacket>> batches() {
    return batches;
  }

  /** The arguments of every {@link #close(boolean)} call, in order. */
  public List<Boolean> closeCalls() {
    return closeCalls;
  }

  public boolean closed() {
    return closed;
  }

  public boolean discarded() {
    return discarded;
  }

  public int bindCount() {
    return bindCount;
  }

  public int sendsWhileNotWritable() {
    return sendsWhileNotWritable;
  }

  public boolean bound() {
    return listener != null;
  }

  public void clear() {
    batches.clear();
  }
}
