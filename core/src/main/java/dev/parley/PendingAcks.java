package dev.parley;

import dev.parley.adapter.AckResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The acknowledgements a socket waits for: events this server emitted to it with an ack id, each with
 * the callback that receives the client's answer ({@link AckResult.Answered}) or the reason there will
 * be none ({@link AckResult.Failed}). Removing an entry is what makes its callback run at most once:
 * the answer, the timeout and the disconnect each remove before they call.
 *
 * <p>Not thread-safe: the socket that owns it guards it with its lock. Created on a socket's first
 * emit with an ack (most sockets never wait for one).
 */
final class PendingAcks {
  /**
   * A callback that knows when its event was emitted ({@code Instruments.ackClock()}, 0 when not
   * measured), for the round trip observers see. Core's own callbacks are; a cluster adapter's
   * (another server's broadcast) are not, and are not timed. One per emit, shared by every recipient
   * of a broadcast: nothing is allocated per recipient to time it.
   */
  interface Timed extends Consumer<AckResult> {
    long sentAt();
  }

  /**
   * Ack ids come from one counter per namespace, so they are unique within the socket; an id is added
   * once and removed once.
   */
  private final Map<Long, Consumer<AckResult>> waiting = new HashMap<>(4);

  void add(long ackId, Consumer<AckResult> callback) {
    waiting.put(ackId, callback);
  }

  /** Stops waiting for {@code ackId}; the callback that waited, or null (answered, timed out, unknown). */
  Consumer<AckResult> remove(long ackId) {
    return waiting.remove(ackId);
  }

  /** Stops waiting for every ack (the socket disconnected); the callbacks that waited. */
  List<Consumer<AckResult>> removeAll() {
    List<Consumer<AckResult>> all = new ArrayList<>(waiting.values());
    waiting.clear();
    return all;
  }
}
