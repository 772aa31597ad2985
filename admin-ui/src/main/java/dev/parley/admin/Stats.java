package dev.parley.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.DisconnectReason;
import dev.parley.ServerStats;
import dev.parley.SocketIoServer;
import dev.parley.engine.EngineStats;
import dev.parley.engine.TransportKind;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Builds {@code server_stats}. The reference counts its aggregated events per second as they happen;
 * this reads the server's counters ({@link SocketIoServer#stats()}) at each send and reports what
 * changed since the last one, stamped with the current second: the same sums, at no cost per event.
 * Called by one thread at a time (each send is scheduled after the previous one).
 */
final class Stats {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final DisconnectReason[] REASONS = DisconnectReason.values();

  private final SocketIoServer io;
  private final String serverId;
  private final String hostname = AdminUi.hostname();
  private final long pid = ProcessHandle.current().pid();
  private long opened;
  private final long[] closed = new long[REASONS.length];
  private long packetsIn;
  private long packetsOut;
  private long bytesIn;
  private long bytesOut;

  Stats(SocketIoServer io, String serverId) {
    this.io = io;
    this.serverId = serverId;
    ServerStats s = io.stats();
    EngineStats e = s.engine();
    opened = s.connectionsOpened();
    for (DisconnectReason r : REASONS) {
      closed[r.ordinal()] = s.connectionsClosed(r);
    }
    packetsIn = e.packetsReceived();
    packetsOut = e.packetsSent();
    bytesIn = e.bytesReceived();
    bytesOut = e.bytesSent();
  }

  /** The next {@code server_stats}: the figures now and what happened since the previous call. */
  ObjectNode next() {
    ServerStats s = io.stats();
    EngineStats e = s.engine();
    long second = System.currentTimeMillis() / 1000 * 1000;
    ArrayNode events = F.arrayNode();
    long o = s.connectionsOpened();
    add(events, second, "rawConnection", null, o - opened);
    opened = o;
    for (DisconnectReason r : REASONS) {
      long c = s.connectionsClosed(r);
      add(events, second, "rawDisconnection", r.wireName(), c - closed[r.ordinal()]);
      closed[r.ordinal()] = c;
    }
    long pi = e.packetsReceived();
    long po = e.packetsSent();
    long bi = e.bytesReceived();
    long bo = e.bytesSent();
    add(events, second, "packetsIn", null, pi - packetsIn);
    add(events, second, "packetsOut", null, po - packetsOut);
    add(events, second, "bytesIn", null, bi - bytesIn);
    add(events, second, "bytesOut", null, bo - bytesOut);
    packetsIn = pi;
    packetsOut = po;
    bytesIn = bi;
    bytesOut = bo;

    ObjectNode stats = F.objectNode();
    stats.put("serverId", serverId);
    stats.put("hostname", hostname);
    stats.put("pid", pid);
    stats.put("uptime", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    stats.put("clientsCount", s.openConnections());
    stats.put("pollingClientsCount", s.openConnectionsByTransport().getOrDefault(TransportKind.POLLING, 0));
    stats.set("aggregatedEvents", events);
    ArrayNode namespaces = stats.putArray("namespaces");
    for (Map.Entry<String, Integer> n : s.connectedSocketsByNamespace().entrySet()) {
      ObjectNode ns = namespaces.addObject();
      ns.put("name", n.getKey());
      ns.put("socketsCount", n.getValue());
    }
    return stats;
  }

  private static void add(ArrayNode events, long second, String type, String subType, long count) {
    if (count <= 0) {
      return;
    }
    ObjectNode ev = events.addObject();
    ev.put("timestamp", second);
    ev.put("type", type);
    if (subType != null) {
      ev.put("subType", subType);
    }
    ev.put("count", count);
  }
}
