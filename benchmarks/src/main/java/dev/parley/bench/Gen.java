package dev.parley.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's connections: plain NIO, {@code loops} selector threads, each connection bound
 * to one of {@code sources} loopback source addresses (127.0.0.2, 127.0.0.3, ...) round-robin so no
 * single source address runs out of ephemeral ports. Frames are parsed and dispatched on the
 * selector thread that owns the connection.
 */
final class Gen implements AutoCloseable {
  private final List<Loop> loops = new ArrayList<>();
  private final int port;
  private final int sources;
  final Conn.Stats stats = new Conn.Stats();
  private int next;

  Gen(int port, int sources) throws IOException {
    this(port, sources, 2);
  }

  Gen(int port, int sources, int loopCount) throws IOException {
    this.port = port;
    this.sources = sources;
    for (int i = 0; i < loopCount; i++) {
      Loop l = new Loop("gen-loop-" + i);
      loops.add(l);
      l.thread.start();
    }
  }

  /**
   * Opens {@code n} connections, at most {@code inFlight} handshakes at a time, each complete when
   * the namespace connect ({@code 40}) is answered; gives up at the deadline. Returns those connected.
   */
  List<Conn> connect(int n, int inFlight, long deadlineNanos) throws InterruptedException {
    List<Conn> conns = new ArrayList<>(n);
    Semaphore permits = new Semaphore(inFlight);
    List<CompletableFuture<Conn>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        break;
      }
      int k = next++;
      Loop loop = loops.get(k % loops.size());
      Conn c;
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        ch.bind(new InetSocketAddress("127.0.0." + (2 + k % sources), 0));
        c = new Conn(stats, ch, loop);
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        loop.register(c);
      } catch (IOException e) {
        permits.release();
        if (stats.errors.incrementAndGet() <= 3) {
          System.err.println("bench:   connect failed: " + e);
        }
        continue;
      }
      c.connected.orTimeout(15, TimeUnit.SECONDS).whenComplete((ok, t) -> {
        permits.release();
        if (t != null) {
          c.close();
          if (stats.errors.incrementAndGet() <= 3) {
            System.err.println("bench:   connect failed: " + t);
          }
        }
      });
      futures.add(c.connected);
    }
    for (CompletableFuture<Conn> f : futures) {
      long left = deadlineNanos - System.nanoTime();
      try {
        conns.add(f.get(Math.max(1, left), TimeUnit.NANOSECONDS));
      } catch (Exception e) {
        // counted as an error when the future failed; a timeout here leaves it out
      }
    }
    return conns;
  }

  /** Closes the connections and waits briefly (bounded) for the server to notice. */
  static void closeAll(List<Conn> conns) throws InterruptedException {
    for (Conn c : conns) {
      c.close();
    }
    Thread.sleep(Math.min(3000, 200 + conns.size() / 10));
  }

  /** The generator's own CPU use is read from /proc/self; this is the number of selector threads. */
  int loopCount() {
    return loops.size();
  }

  @Override
  public void close() {
    for (Loop l : loops) {
      l.running = false;
      l.selector.wakeup();
    }
    for (Loop l : loops) {
      try {
        l.thread.join(5000);
        l.selector.close();
      } catch (IOException | InterruptedException ignored) {
        // best effort
      }
    }
  }

  /** One selector thread. */
  final class Loop implements Runnable {
    final Selector selector;
    final Thread thread;
    volatile boolean running = true;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    Loop(String name) throws IOException {
      selector = Selector.open();
      thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    void register(Conn c) {
      tasks.add(() -> {
        try {
          c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
        } catch (IOException e) {
          c.fail(e);
        }
      });
      selector.wakeup();
    }

    void wantWrite(Conn c) {
      if (Thread.currentThread() == thread) {
        if (c.key != null && c.key.isValid()) {
          c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        }
        return;
      }
      tasks.add(() -> {
        if (c.key != null && c.key.isValid()) {
          c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        }
      });
      selector.wakeup();
    }

    @Override
    public void run() {
      while (running) {
        try {
          selector.select(100);
          for (Runnable t; (t = tasks.poll()) != null; ) {
            t.run();
          }
          for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            Conn c = (Conn) key.attachment();
            try {
              if (!key.isValid()) {
                continue;
              }
              if (key.isConnectable()) {
                c.channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                c.sendRaw(upgradeRequest());
              }
              if (key.isValid() && key.isWritable() && c.flush()) {
                key.interestOps(SelectionKey.OP_READ);
              }
              if (key.isValid() && key.isReadable()) {
                in.clear();
                int r = c.channel.read(in);
                if (r < 0) {
                  c.fail(new IOException("end of stream"));
                } else if (r > 0) {
                  in.flip();
                  c.onRead(in);
                }
              }
            } catch (IOException | RuntimeException e) {
              c.fail(e);
            }
          }
        } catch (IOException | RuntimeException e) {
          System.err.println("bench: selector loop: " + e);
        }
      }
    }

    private byte[] upgradeRequest() {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      return ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + port + "\r\n"
          + "Upgrade: websocket\r\n"
          + "Connection: Upgrade\r\n"
          + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
