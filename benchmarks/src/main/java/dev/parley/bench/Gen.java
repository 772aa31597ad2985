package dev.parley.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The load generator's connections: plain NIO, {@code loops} selector threads, each client's
 * connections bound to one of {@code sources} loopback source addresses (127.0.0.2, 127.0.0.3, ...)
 * round-robin so no single source address runs out of ephemeral ports. A client is a WebSocket
 * {@link Conn} (one connection) or a long-polling {@link PollConn} (two: the pending GET and the
 * POSTs); either way its frames or HTTP responses are parsed and dispatched on the selector thread
 * that owns it.
 */
final class Gen implements AutoCloseable {
  private final List<Loop> loops = new ArrayList<>();
  private final int port;
  private final int sources;
  final Client.Stats stats = new Client.Stats();
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

  /** One socket a selector thread serves: a WebSocket client, or one of a polling client's two HTTP connections. */
  interface Wire {
    SocketChannel channel();

    SelectionKey key();

    void key(SelectionKey key);

    /** The TCP connect completed (the key is now interested in reads): send the first request. */
    void onConnect() throws IOException;

    /** The socket is writable: write what is queued; true when nothing is left. */
    boolean flush() throws IOException;

    /** Bytes read ({@code in} in read mode; the loop reuses it). */
    void onRead(ByteBuffer in) throws IOException;

    void fail(Throwable t);
  }

  /** Which transport {@link #connect(int, int, long, Transport)} opens clients with. */
  enum Transport { WEBSOCKET, POLLING }

  /** {@link #connect(int, int, long, Transport)} with WebSocket clients. */
  List<Client> connect(int n, int inFlight, long deadlineNanos) throws InterruptedException {
    return connect(n, inFlight, deadlineNanos, Transport.WEBSOCKET);
  }

  /**
   * Opens {@code n} clients, at most {@code inFlight} handshakes at a time, each complete when the
   * namespace connect ({@code 40}) is answered; gives up at the deadline. Returns those connected.
   * A polling client never upgrades: it sends {@code transport=polling} and nothing else.
   */
  List<Client> connect(int n, int inFlight, long deadlineNanos, Transport transport) throws InterruptedException {
    return connect(n, inFlight, deadlineNanos, transport, new int[] {port});
  }

  /**
   * {@link #connect(int, int, long, Transport)} spread over several servers: client {@code i} connects
   * to 127.0.0.1:{@code ports[i % ports.length]}, so each server gets an even share (the cluster scenario).
   */
  List<Client> connect(int n, int inFlight, long deadlineNanos, Transport transport, int[] ports)
      throws InterruptedException {
    return connect(n, inFlight, deadlineNanos, transport, ports, 15, null);
  }

  /**
   * {@link #connect(int, int, long, Transport, int[])} with each client given {@code clientTimeoutSec} to
   * connect (a TCP connect dropped by a full accept queue waits for SYN retransmissions: 1, 3, 7, 15 s...),
   * and {@code onConnected} (when not null) called on the client's selector thread as soon as it is
   * connected, before this returns (the connect storm joins each client's room there).
   */
  List<Client> connect(int n, int inFlight, long deadlineNanos, Transport transport, int[] ports, int clientTimeoutSec,
      Consumer<Client> onConnected) throws InterruptedException {
    List<Client> conns = new ArrayList<>(n);
    Semaphore permits = new Semaphore(inFlight);
    List<CompletableFuture<Client>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        break;
      }
      int k = next++;
      int to = ports[i % ports.length];
      Loop loop = loops.get(k % loops.size());
      Client c;
      try {
        String source = "127.0.0." + (2 + k % sources);
        if (transport == Transport.POLLING) {
          PollConn pc = new PollConn(stats, loop, source, to);
          c = pc;
          pc.start();
        } else {
          SocketChannel ch = open(source);
          Conn wc = new Conn(stats, ch, loop, to);
          c = wc;
          ch.connect(new InetSocketAddress("127.0.0.1", to));
          loop.register(wc);
        }
      } catch (IOException e) {
        permits.release();
        if (stats.errors.incrementAndGet() <= 3) {
          System.err.println("bench:   connect failed: " + e);
        }
        continue;
      }
      c.connected.orTimeout(clientTimeoutSec, TimeUnit.SECONDS).whenComplete((ok, t) -> {
        permits.release();
        if (t == null) {
          if (onConnected != null) {
            onConnected.accept(c);
          }
        } else {
          c.close();
          if (stats.errors.incrementAndGet() <= 3) {
            System.err.println("bench:   connect failed: " + t);
          }
        }
      });
      futures.add(c.connected);
    }
    for (CompletableFuture<Client> f : futures) {
      long left = deadlineNanos - System.nanoTime();
      try {
        conns.add(f.get(Math.max(1, left), TimeUnit.NANOSECONDS));
      } catch (Exception e) {
        // counted as an error when the future failed; a timeout here leaves it out
      }
    }
    return conns;
  }

  /** A non-blocking socket bound to the given loopback source address, not yet connected. */
  static SocketChannel open(String source) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      ch.bind(new InetSocketAddress(source, 0));
      return ch;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Closes the clients and waits briefly (bounded) for the server to notice. */
  static void closeAll(List<Client> conns) throws InterruptedException {
    for (Client c : conns) {
      c.close();
    }
    Thread.sleep(Math.min(3000, 200 + conns.size() / 10));
  }

  /** The server port the clients connect to (unless a call names others). */
  int port() {
    return port;
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

    /** Registers a socket whose connect was started; on this thread, at once, else at the next wake-up. */
    void register(Wire c) {
      execute(() -> {
        try {
          if (c.channel().isConnected()) { // a connect that completed at once
            c.key(c.channel().register(selector, SelectionKey.OP_READ, c));
            c.onConnect();
          } else {
            c.key(c.channel().register(selector, SelectionKey.OP_CONNECT, c));
          }
        } catch (IOException | RuntimeException e) {
          c.fail(e);
        }
      });
    }

    boolean inLoop() {
      return Thread.currentThread() == thread;
    }

    /** Runs the task on this selector thread: at once when called on it, else at the next wake-up. */
    void execute(Runnable task) {
      if (inLoop()) {
        task.run();
        return;
      }
      tasks.add(task);
      selector.wakeup();
    }

    void wantWrite(Wire c) {
      execute(() -> {
        SelectionKey k = c.key();
        if (k != null && k.isValid()) {
          k.interestOps(k.interestOps() | SelectionKey.OP_WRITE);
        }
      });
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
            Wire c = (Wire) key.attachment();
            try {
              if (!key.isValid()) {
                continue;
              }
              if (key.isConnectable()) {
                c.channel().finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                c.onConnect();
              }
              if (key.isValid() && key.isWritable() && c.flush()) {
                key.interestOps(SelectionKey.OP_READ);
              }
              if (key.isValid() && key.isReadable()) {
                in.clear();
                int r = c.channel().read(in);
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
  }
}
