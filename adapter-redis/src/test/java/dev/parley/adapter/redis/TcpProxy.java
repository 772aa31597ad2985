package dev.parley.adapter.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP proxy to Redis that a test can cut and restore, to simulate an outage without stopping Redis. */
final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private int port;

  TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    start();
  }

  int port() {
    return port;
  }

  synchronized void start() throws IOException {
    ServerSocket s = port == 0 ? bindBelowEphemeralRange() : bind(port);
    port = s.getLocalPort();
    server = s;
    Thread t = new Thread(() -> accept(s), "proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    try {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /**
   * A port below Linux's ephemeral range (32768 and up), because the proxy binds it again after a cut:
   * a port from the ephemeral range may meanwhile be taken as the local port of some outgoing
   * connection on a busy machine ("Address already in use").
   */
  private static ServerSocket bindBelowEphemeralRange() throws IOException {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        return bind(20000 + random.nextInt(12000));
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  /** Refuses new connections and cuts the open ones. */
  synchronized void stop() {
    closeQuietly(server);
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    stop();
  }
}
