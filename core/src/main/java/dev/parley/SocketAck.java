package dev.parley;

import dev.parley.adapter.AckResult;
import dev.parley.engine.Scheduler;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code emitWithAck} to one socket, waiting for its answer: registered in the socket's
 * {@link PendingAcks}, with a timer when the emit has a timeout. The user's callback runs once, on
 * the connection's lane: with the answer, with an {@link AckTimeoutException} when the timer fires
 * first, or with a {@link SocketDisconnectedException} when the socket goes first. Whichever removes
 * the entry from the socket's pending acks (the answer, the timer, the disconnect) decides; the
 * {@code done} flag makes sure, besides, that no two of them call back.
 */
final class SocketAck implements PendingAcks.Timed {
  private final Socket socket;
  private final AckCallback callback;
  private final long sentAt;
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile Scheduler.Cancellable timer = Scheduler.Cancellable.NONE;

  private SocketAck(Socket socket, AckCallback callback, long sentAt) {
    this.socket = socket;
    this.callback = callback;
    this.sentAt = sentAt;
  }

  /**
   * Waits for ack {@code ackId} of {@code socket} (registered before the event is sent, so that no
   * answer can come first), failing after {@code timeoutMillis} when positive.
   */
  static void expect(Socket socket, long ackId, long timeoutMillis, AckCallback callback) {
    SocketAck waiting = new SocketAck(socket, callback, socket.server().instruments().ackClock());
    if (timeoutMillis > 0) {
      waiting.timer = socket.server().engine().scheduler().schedule(() -> socket.lane().execute(() -> {
        if (socket.cancelAck(ackId) && waiting.done.compareAndSet(false, true)) {
          call(socket, callback, new AckTimeoutException("operation has timed out", List.of()), null);
        }
      }), timeoutMillis);
    }
    socket.expectAck(ackId, waiting);
  }

  @Override
  public long sentAt() {
    return sentAt;
  }

  @Override
  public void accept(AckResult result) {
    timer.cancel();
    if (done.compareAndSet(false, true)) {
      if (result instanceof AckResult.Answered) {
        call(socket, callback, null, socket.server().wire().args(((AckResult.Answered) result).arguments()));
      } else {
        call(socket, callback, ((AckResult.Failed) result).cause(), null);
      }
    }
  }

  /** Runs the user's callback; what it throws goes to the error handler as event "ack". */
  static void call(Socket socket, AckCallback callback, Throwable error, Args response) {
    try {
      callback.onAck(error, response);
    } catch (Throwable e) {
      socket.server().reportError(socket, "ack", e);
    }
  }
}
