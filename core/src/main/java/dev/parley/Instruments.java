package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.adapter.RoomEvent;
import dev.parley.internal.engine.LogText;
import dev.parley.internal.engine.RateLimitedLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the API classes report what happens: each report bumps the {@link ServerStats} counter and
 * calls the registered {@link ServerObserver}s, each in a try/catch so that a throwing observer is
 * logged (rate-limited) and the others still run. One per server.
 *
 * <p>The cost rule: with no observer, a report is a counter bump (or nothing, for a broadcast's
 * recipient on the broadcasting thread: {@link DeliveryTally}) plus one read of {@link #observers};
 * nothing is allocated. Reports that need an {@link Args} for the observers build it only when there
 * are observers.
 */
final class Instruments {
  /**
   * Connects, refusals and disconnects, at DEBUG, with socket id, namespace and remote address: the
   * logger a user turns on to follow clients coming and going (docs/logging.md).
   */
  static final Logger connections = LoggerFactory.getLogger("dev.parley.connections");

  private final ServerStats stats;
  private final Wire wire;
  private final RateLimitedLog log;
  /** The observers, or null when there are none: the one field the hot paths read. Copy-on-write. */
  private volatile ServerObserver[] observers;
  /** The observers that want a call per broadcast recipient, or null when none does. */
  private volatile ServerObserver[] deliveryObservers;

  Instruments(ServerStats stats, Wire wire, RateLimitedLog log) {
    this.stats = stats;
    this.wire = wire;
    this.log = log;
  }

  ServerStats stats() {
    return stats;
  }

  synchronized void add(ServerObserver observer) {
    Objects.requireNonNull(observer, "observer == null");
    ServerObserver[] now = observers;
    ServerObserver[] next = now == null ? new ServerObserver[1] : Arrays.copyOf(now, now.length + 1);
    next[next.length - 1] = observer;
    publish(next);
  }

  synchronized boolean remove(ServerObserver observer) {
    ServerObserver[] now = observers;
    if (now == null) {
      return false;
    }
    for (int i = 0; i < now.length; i++) {
      if (now[i] == observer) {
        ServerObserver[] next = new ServerObserver[now.length - 1];
        System.arraycopy(now, 0, next, 0, i);
        System.arraycopy(now, i + 1, next, i, now.length - i - 1);
        publish(next.length == 0 ? null : next);
        return true;
      }
    }
    return false;
  }

  private void publish(ServerObserver[] next) {
    List<ServerObserver> deliveries = new ArrayList<>();
    if (next != null) {
      for (ServerObserver o : next) {
        boolean wants = false;
        try {
          wants = o.observesBroadcastDeliveries();
        } catch (RuntimeException e) {
          failed(o, "observesBroadcastDeliveries", e);
        }
        if (wants) {
          deliveries.add(o);
        }
      }
    }
    deliveryObservers = deliveries.isEmpty() ? null : deliveries.toArray(new ServerObserver[0]);
    observers = next;
  }

  /** True when an observer is registered (emit paths then build what the observers are given). */
  boolean observed() {
    return observers != null;
  }

  // ------------------------------------------------------------------ connections and sockets

  void connectionOpened() {
    stats.connectionOpened();
  }

  void connectionClosed(DisconnectReason reason) {
    stats.connectionClosed(reason);
  }

  void socketConnected(Socket socket) {
    stats.connected();
    if (connections.isDebugEnabled()) {
      connections.debug("socket {} connected to {} from {} (connection {}, {}{})", socket.id(), socket.namespace().name(),
          socket.handshake().address(), socket.connectionId(), socket.transport(), socket.recovered() ? ", recovered" : "");
    }
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onSocketConnected(socket);
        } catch (Throwable e) {
          failed(o, "onSocketConnected", e);
        }
      }
    }
  }

  void socketDisconnected(Socket socket, DisconnectReason reason) {
    stats.disconnected(reason);
    if (connections.isDebugEnabled()) {
      connections.debug("socket {} disconnected from {} ({}): {}", socket.id(), socket.namespace().name(),
          socket.handshake().address(), reason.wireName());
    }
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onSocketDisconnected(socket, reason);
        } catch (Throwable e) {
          failed(o, "onSocketDisconnected", e);
        }
      }
    }
  }

  void socketDataChanged(Socket socket, String key) {
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onSocketDataChanged(socket, key);
        } catch (Throwable e) {
          failed(o, "onSocketDataChanged", e);
        }
      }
    }
  }

  void transportUpgraded(Socket socket) {
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onTransportUpgraded(socket);
        } catch (Throwable e) {
          failed(o, "onTransportUpgraded", e);
        }
      }
    }
  }

  void connectRefused(String namespace, Handshake handshake, ConnectRefusal cause, String message) {
    stats.refused(cause);
    if (connections.isDebugEnabled()) {
      connections.debug("connect to {} from {} refused ({}): {}", LogText.clip(namespace),
          handshake == null ? "-" : handshake.address(), cause, LogText.clip(message));
    }
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onConnectRefused(namespace, handshake, cause, message);
        } catch (Throwable e) {
          failed(o, "onConnectRefused", e);
        }
      }
    }
  }

  void recoveryAttempted() {
    stats.recoveryAttempted();
  }

  void recovered() {
    stats.recovered();
  }

  // ------------------------------------------------------------------ events

  void eventReceived(Socket socket, String event, Args args) {
    stats.eventReceived();
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onEventReceived(socket, event, args);
        } catch (Throwable e) {
          failed(o, "onEventReceived", e);
        }
      }
    }
  }

  /**
   * An emit to one socket. {@code args} may be null when nobody needed them yet; they are then made
   * from {@code array} ({@code [event, ...args]}) if an observer is registered.
   */
  void eventSent(Socket socket, String event, JsonNode array, Args args) {
    stats.emitted();
    ServerObserver[] all = observers;
    if (all != null) {
      Args a = args != null ? args : wire.args(array, 1);
      for (ServerObserver o : all) {
        try {
          o.onEventSent(socket, event, a);
        } catch (Throwable e) {
          failed(o, "onEventSent", e);
        }
      }
    }
  }

  /**
   * A broadcast this server emitted, after the adapter's call returned: counts it with the
   * recipients its {@code tally} counted (and closes the tally), then tells the observers.
   */
  void broadcast(Namespace namespace, Set<String> rooms, Set<String> except, String event, JsonNode array,
      DeliveryTally tally) {
    int recipients = tally.close();
    stats.broadcast(recipients);
    ServerObserver[] all = observers;
    if (all != null) {
      Args a = wire.args(array, 1);
      for (ServerObserver o : all) {
        try {
          o.onBroadcast(namespace, rooms, except, event, a, recipients);
        } catch (Throwable e) {
          failed(o, "onBroadcast", e);
        }
      }
    }
  }

  /**
   * A broadcast packet was handed to a local socket (any thread). Counted in its tally when on the
   * broadcasting thread (no atomic), else in the shared counter; a one-socket emit sent through the
   * adapter was counted as an emit already.
   */
  void delivered(Socket socket, EncodedFrames frames) {
    DeliveryTally tally = frames.tally();
    if (tally == DeliveryTally.SINGLE_EMIT) {
      return;
    }
    if (tally == null || !tally.add()) {
      stats.broadcastRecipient();
    }
    ServerObserver[] all = deliveryObservers;
    if (all != null) {
      deliveredToObservers(all, socket, frames);
    }
  }

  private void deliveredToObservers(ServerObserver[] all, Socket socket, EncodedFrames frames) {
    String event = frames.event();
    if (event == null) {
      return;
    }
    Args args = frames.args(wire);
    for (ServerObserver o : all) {
      try {
        o.onBroadcastDelivered(socket, event, args);
      } catch (Throwable e) {
        failed(o, "onBroadcastDelivered", e);
      }
    }
  }

  void roomEvent(Namespace namespace, RoomEvent event) {
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onRoomEvent(namespace, event);
        } catch (Throwable e) {
          failed(o, "onRoomEvent", e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ acks

  void ackSent() {
    stats.ackSent();
  }

  /**
   * The clock an ack's round trip is measured with: {@link System#nanoTime()} while observers are
   * registered, else 0 (nothing is measured, and no clock is read).
   */
  long ackClock() {
    return observers != null ? System.nanoTime() : 0;
  }

  /** A client answered an event emitted with an ack at {@code sentAt} ({@link #ackClock()}; 0: not measured). */
  void ackReceived(Socket socket, long sentAt) {
    stats.ackReceived();
    ServerObserver[] all = observers;
    if (all != null && sentAt != 0) {
      long nanos = System.nanoTime() - sentAt;
      for (ServerObserver o : all) {
        try {
          o.onAck(socket, nanos);
        } catch (Throwable e) {
          failed(o, "onAck", e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ server-side emits

  void serverSideEmit(Namespace namespace, String event, Object[] args) {
    ServerObserver[] all = observers;
    if (all != null) {
      Args a = wire.args(wire.argsArray(args), 0);
      for (ServerObserver o : all) {
        try {
          o.onServerSideEmit(namespace, event, a);
        } catch (Throwable e) {
          failed(o, "onServerSideEmit", e);
        }
      }
    }
  }

  void serverSideEvent(Namespace namespace, String event, Args args) {
    ServerObserver[] all = observers;
    if (all != null) {
      for (ServerObserver o : all) {
        try {
          o.onServerSideEvent(namespace, event, args);
        } catch (Throwable e) {
          failed(o, "onServerSideEvent", e);
        }
      }
    }
  }

  private void failed(ServerObserver observer, String method, Throwable error) {
    String where = observer.getClass().getName() + "." + method;
    log.error("observer " + where + " threw " + error.getClass().getName(), "observer " + where + " threw", error);
  }
}
