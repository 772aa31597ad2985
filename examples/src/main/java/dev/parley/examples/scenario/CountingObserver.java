package dev.parley.examples.scenario;

import dev.parley.Args;
import dev.parley.ConnectRefusal;
import dev.parley.DisconnectReason;
import dev.parley.Handshake;
import dev.parley.Namespace;
import dev.parley.ServerObserver;
import dev.parley.Socket;
import dev.parley.adapter.RoomEvent;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scenario server's observer for benchmarks ({@code OBSERVER=counting} or {@code deliveries}):
 * it does what a metrics binder would on each step, a counter bump (the ack round trips summed too),
 * so that an A/B run shows what observing costs the server. With {@code deliveries} it also asks for
 * a call per broadcast recipient, as the admin UI's development mode does.
 *
 * <pre>{@code
 * io.observe(new CountingObserver(false));
 * }</pre>
 */
public final class CountingObserver implements ServerObserver {
  private final boolean deliveries;
  private final LongAdder connected = new LongAdder();
  private final LongAdder disconnected = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder broadcasts = new LongAdder();
  private final LongAdder recipients = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder roomEvents = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final LongAdder ackNanos = new LongAdder();

  /** @param deliveries whether to ask for {@link #onBroadcastDelivered}, a call per recipient */
  public CountingObserver(boolean deliveries) {
    this.deliveries = deliveries;
  }

  @Override
  public void onSocketConnected(Socket socket) {
    connected.increment();
  }

  @Override
  public void onSocketDisconnected(Socket socket, DisconnectReason reason) {
    disconnected.increment();
  }

  @Override
  public void onConnectRefused(String namespace, Handshake handshake, ConnectRefusal cause, String message) {
    refused.increment();
  }

  @Override
  public void onEventReceived(Socket socket, String event, Args args) {
    received.increment();
  }

  @Override
  public void onEventSent(Socket socket, String event, Args args) {
    sent.increment();
  }

  @Override
  public void onBroadcast(Namespace namespace, Set<String> rooms, Set<String> except, String event, Args args,
      int localRecipients) {
    broadcasts.increment();
    recipients.add(localRecipients);
  }

  @Override
  public void onBroadcastDelivered(Socket socket, String event, Args args) {
    delivered.increment();
  }

  @Override
  public boolean observesBroadcastDeliveries() {
    return deliveries;
  }

  @Override
  public void onRoomEvent(Namespace namespace, RoomEvent event) {
    roomEvents.increment();
  }

  @Override
  public void onAck(Socket socket, long roundTripNanos) {
    acks.increment();
    ackNanos.add(roundTripNanos);
  }

  @Override
  public String toString() {
    return "CountingObserver{connected=" + connected.sum() + ", disconnected=" + disconnected.sum() + ", refused="
        + refused.sum() + ", received=" + received.sum() + ", sent=" + sent.sum() + ", broadcasts="
        + broadcasts.sum() + ", recipients=" + recipients.sum() + ", delivered=" + delivered.sum() + ", roomEvents="
        + roomEvents.sum() + ", acks=" + acks.sum() + ", ackNanos=" + ackNanos.sum() + "}";
  }
}
