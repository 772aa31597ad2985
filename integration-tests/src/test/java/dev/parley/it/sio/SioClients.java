package dev.parley.it.sio;

import dev.parley.it.EventLog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients of one test, of either kind, all connecting to one {@link SioServer}. The Node process
 * and the Java client are created on first use; {@link #close()} ends both (the process is always
 * killed). Pair with {@code JavaClient.shutdownOkHttp()} in {@code @AfterAll}.
 *
 * <pre>{@code
 * ClientSocket c = clients.connect(kind, mode, "/");            // connected (and upgraded in UPGRADE mode)
 * ClientSocket admin = c.socket("/admin", Map.of("token", "t")); // same connection, connecting
 * admin.awaitConnect();
 * }</pre>
 */
final class SioClients implements AutoCloseable {
  private final SioServer server;
  private final AtomicInteger names = new AtomicInteger();
  private SioNodeClient node;
  private JavaClient java;

  SioClients(SioServer server) {
    this.server = server;
  }

  /** The Node process, started on first use. */
  synchronized SioNodeClient node() {
    if (node == null) {
      node = SioNodeClient.start();
    }
    return node;
  }

  /** The Java client, created on first use. */
  synchronized JavaClient java() {
    if (java == null) {
      java = new JavaClient();
    }
    return java;
  }

  /** A socket on a connection of its own, connecting (no waiting). */
  ClientSocket open(ClientKind kind, TransportMode mode, String namespace) {
    return open(kind, mode, namespace, null);
  }

  /**
   * A socket on a connection of its own, connecting (no waiting).
   *
   * @param auth the CONNECT payload, or null for none (strings only: the Java client's limit)
   */
  ClientSocket open(ClientKind kind, TransportMode mode, String namespace, Map<String, String> auth) {
    String name = kind.name().toLowerCase() + "-" + names.incrementAndGet();
    if (kind == ClientKind.NODE) {
      Map<String, Object> opts = new LinkedHashMap<>();
      if (auth != null) {
        opts.put("auth", auth);
      }
      return node().connect(name, server.url(), namespace, mode, opts);
    }
    return java().connect(name, server.url(), namespace, mode, auth);
  }

  /**
   * A Node client's socket on a connection of its own with more options of {@code socket.io-client}
   * ({@code ca} for TLS, for one), connected (and upgraded in UPGRADE mode).
   */
  ClientSocket connectNode(TransportMode mode, String namespace, Map<String, Object> options) {
    ClientSocket socket = node().connect("node-" + names.incrementAndGet(), server.url(), namespace, mode,
        new LinkedHashMap<>(options));
    ready(socket);
    return socket;
  }

  /** A connected socket: waits for connect and, in UPGRADE mode, for the upgrade to WebSocket. */
  ClientSocket connect(ClientKind kind, TransportMode mode, String namespace) {
    return connect(kind, mode, namespace, null);
  }

  ClientSocket connect(ClientKind kind, TransportMode mode, String namespace, Map<String, String> auth) {
    ClientSocket socket = open(kind, mode, namespace, auth);
    ready(socket);
    return socket;
  }

  /**
   * Waits until {@code socket} is connected and, in UPGRADE mode, has upgraded, and the server agrees
   * (its socket reports transport "websocket"). Returns the connect event.
   */
  ClientEvent ready(ClientSocket socket) {
    ClientEvent connected = socket.awaitConnect();
    if (socket.mode() == TransportMode.UPGRADE) {
      socket.awaitUpgrade();
      dev.parley.Socket s = server.socket(connected.field("id"));
      EventLog.until("the server sees the upgrade of " + socket, () -> s.transport().equals("websocket"));
    }
    return connected;
  }

  @Override
  public synchronized void close() {
    try {
      if (java != null) {
        java.close();
      }
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }
}
