package dev.parley.it.sio;

import dev.parley.it.EventLog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socket.client.Ack;
import io.socket.client.AckWithTimeout;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.Transport;
import java.lang.reflect.Field;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.json.JSONObject;

/**
 * The official Java client, {@code io.socket:socket.io-client} 2.1.2, in this JVM. Each
 * {@link #connect} opens a connection of its own (a {@link Manager}); {@link JavaSocket#socket} adds a
 * namespace over the same connection. Events are recorded as the same {@link ClientEvent}s as the
 * Node driver's, converted from org.json (byte[] becomes {@code BinaryNode}).
 *
 * <p>Every connection uses one shared {@link OkHttpClient} (for polling and WebSocket) whose dispatcher
 * allows 1,000 requests per host: OkHttp's default of 5 stalls the 6th polling client, and a WebSocket
 * holds a dispatcher thread for its whole life. {@link #close()} closes this instance's connections;
 * {@link #shutdownOkHttp()} (in {@code @AfterAll}) stops the shared client's threads, and checks that
 * no thread of the client is left.
 *
 * <p>Client quirks to remember (PROTOCOL.md §4): listeners run on one "EventThread", never block in
 * them; auth is {@code Map<String,String>}; org.json 20090211 writes {@code 1.0} as {@code 1}; a
 * server-side WebSocket close without DISCONNECT is noticed only at ping timeout.
 */
final class JavaClient implements AutoCloseable {
  private static final AtomicLong CALL_IDS = new AtomicLong();
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static OkHttpClient okHttp;
  private static ExecutorService okHttpExecutor;

  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final List<AckWithTimeout> timers = new CopyOnWriteArrayList<>();

  /** The shared OkHttp client, created on first use (again after {@link #shutdownOkHttp()}). */
  static synchronized OkHttpClient okHttp() {
    if (okHttp == null) {
      okHttpExecutor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
          r -> new Thread(r, "java-client-okhttp-" + THREADS.incrementAndGet()));
      Dispatcher dispatcher = new Dispatcher(okHttpExecutor);
      dispatcher.setMaxRequests(1000);
      dispatcher.setMaxRequestsPerHost(1000);
      okHttp = new OkHttpClient.Builder()
          .dispatcher(dispatcher)
          .connectionPool(new ConnectionPool())
          .readTimeout(1, TimeUnit.MINUTES) // what engine.io-client uses: a long-poll GET waits up to pingInterval
          .build();
    }
    return okHttp;
  }

  /**
   * Stops the shared OkHttp client's dispatcher threads and connection pool, then waits until no
   * non-daemon thread of the Java client (OkHttp, EventThread, Timer) is alive; fails if one stays.
   * Call after every connection is closed, e.g. in {@code @AfterAll}.
   */
  static void shutdownOkHttp() {
    synchronized (JavaClient.class) {
      if (okHttp != null) {
        okHttp.dispatcher().cancelAll();
        okHttpExecutor.shutdown();
        okHttp.connectionPool().evictAll();
        okHttp = null;
      }
    }
    EventLog.until("no non-daemon thread of the Java client is alive", () -> clientThreads().isEmpty(),
        () -> "still alive: " + clientThreads().stream()
            .map(t -> t.getName() + " " + t.getState()).collect(Collectors.joining(", ")));
  }

  /** Live non-daemon threads the Java client or OkHttp started. */
  static List<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> !t.isDaemon())
        .filter(t -> t.getName().startsWith("java-client-okhttp-") || t.getName().startsWith("OkHttp")
            || t.getName().equals("EventThread") || t.getName().startsWith("Timer-"))
        .collect(Collectors.toList());
  }

  /**
   * A socket on a new connection: {@code new Manager(url, options).socket(namespace).connect()} with
   * the mode's transports, reconnection off and the shared OkHttp client.
   *
   * @param auth the CONNECT payload, or null for none
   */
  JavaSocket connect(String name, String url, String namespace, TransportMode mode, Map<String, String> auth) {
    Connection connection = new Connection(url, mode);
    connections.add(connection);
    return connection.socket(name, namespace, auth);
  }

  /** Closes every socket and connection of this instance and waits until each connection is closed. */
  @Override
  public void close() {
    for (Connection c : connections) {
      c.sockets.forEach(s -> s.socket.close());
      c.closeEngine();
    }
    for (Connection c : connections) {
      EventLog.until("the Java client's connection to " + c.url + " is closed", () -> !c.opened || c.closed,
          c::describe);
    }
    timers.forEach(AckWithTimeout::cancelTimer);
  }

  private static IO.Options options(TransportMode mode, Map<String, String> auth) {
    IO.Options o = new IO.Options();
    mode.apply(o);
    o.forceNew = true;
    o.reconnection = false;
    o.callFactory = okHttp();
    o.webSocketFactory = okHttp();
    o.auth = auth;
    return o;
  }

  /** The engine.io socket of a manager (a package-private field of io.socket). */
  private static io.socket.engineio.client.Socket engine(Manager manager) {
    try {
      Field f = Manager.class.getDeclaredField("engine");
      f.setAccessible(true);
      return (io.socket.engineio.client.Socket) f.get(manager);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("io.socket.client.Manager has no field 'engine'", e);
    }
  }

  /** One Manager: one Engine.IO connection, shared by the sockets of its namespaces. */
  private final class Connection {
    final String url;
    final TransportMode mode;
    final Manager manager;
    final List<JavaSocket> sockets = new CopyOnWriteArrayList<>();
    volatile String transport;
    volatile boolean opened;
    volatile boolean closed;

    Connection(String url, TransportMode mode) {
      this.url = url;
      this.mode = mode;
      this.manager = new Manager(URI.create(url), options(mode, null));
      manager.on(Manager.EVENT_TRANSPORT, args -> {
        String name = ((Transport) args[0]).name;
        String before = transport;
        transport = name;
        if (before != null && !before.equals(name)) {
          ObjectNode json = SioJson.MAPPER.createObjectNode().put("type", "upgrade").put("transport", name);
          sockets.forEach(s -> s.record("upgrade", json));
        }
      });
      // the engine's own close event: Manager.EVENT_CLOSE is lost when Manager.close() runs twice
      // (its second call removes the engine listener before the engine has closed)
      manager.on(Manager.EVENT_OPEN, args -> {
        opened = true;
        engine(manager).on(io.socket.engineio.client.Socket.EVENT_CLOSE, a -> closed = true);
      });
    }

    JavaSocket socket(String name, String namespace, Map<String, String> auth) {
      JavaSocket s = new JavaSocket(name, this, namespace, auth);
      sockets.add(s);
      s.socket.connect();
      return s;
    }

    String describe() {
      StringBuilder sb = new StringBuilder("  connection " + url + " opened=" + opened + " closed=" + closed
          + " transport=" + transport + "\n");
      for (JavaSocket s : sockets) {
        sb.append("  socket ").append(s.name()).append(" active=").append(s.socket.isActive())
            .append(" connected=").append(s.socket.connected()).append('\n').append(s.events().describe());
      }
      return sb.toString();
    }

    void closeEngine() {
      io.socket.engineio.client.Socket engine = engine(manager);
      if (engine != null) {
        engine.close();
      }
    }
  }

  /** One io.socket {@link Socket}. */
  final class JavaSocket extends ClientSocket {
    private final Connection connection;
    private final Socket socket;
    private final Map<String, AutoAck> rules = new ConcurrentHashMap<>();
    private final Map<Long, Ack> pendingCalls = new ConcurrentHashMap<>();

    private JavaSocket(String name, Connection connection, String namespace, Map<String, String> auth) {
      super(name, ClientKind.JAVA, connection.mode, namespace);
      this.connection = connection;
      this.socket = connection.manager.socket(namespace, options(connection.mode, auth));
      socket.on(Socket.EVENT_CONNECT, args -> {
        io.socket.engineio.client.Socket engine = engine(connection.manager);
        record("connect", obj()
            .put("id", socket.id())
            .put("engineId", engine == null ? null : engine.id())
            .put("transport", connection.transport)
            .put("recovered", false));
      });
      socket.on(Socket.EVENT_CONNECT_ERROR, args -> {
        Object raw = args.length > 0 ? args[0] : null;
        ObjectNode json = obj().put("rawClass", raw == null ? null : raw.getClass().getName());
        if (raw instanceof JSONObject) {
          JSONObject o = (JSONObject) raw;
          json.put("message", o.optString("message", null));
          json.set("data", SioJson.fromOrg(o.opt("data")));
          json.put("hasData", o.has("data"));
          json.set("raw", SioJson.fromOrg(o));
        } else if (raw instanceof Exception) {
          json.put("message", ((Exception) raw).getMessage());
          json.put("hasData", false);
        } else {
          json.put("message", String.valueOf(raw));
          json.put("hasData", false);
        }
        record("connect_error", json);
      });
      socket.on(Socket.EVENT_DISCONNECT, args ->
          record("disconnect", obj().put("reason", args.length > 0 ? String.valueOf(args[0]) : null)));
      socket.onAnyIncoming(this::onIncoming);
    }

    private static ObjectNode obj() {
      return SioJson.MAPPER.createObjectNode();
    }

    private void record(String type, ObjectNode json) {
      ObjectNode copy = json.deepCopy();
      copy.put("type", type).put("socket", name());
      events().add(new ClientEvent(type, name(), copy));
    }

    /** On the EventThread: [event, ...args, ack?]. */
    private void onIncoming(Object... all) {
      Ack ack = all.length > 0 && all[all.length - 1] instanceof Ack ? (Ack) all[all.length - 1] : null;
      int end = ack == null ? all.length : all.length - 1;
      String event = String.valueOf(all[0]);
      ArrayNode args = SioJson.fromOrgArgs(all, 1, end);
      ObjectNode json = obj().put("event", event);
      json.set("args", args);
      json.put("hasAck", ack != null);
      long callId = -1;
      if (ack != null) {
        callId = CALL_IDS.incrementAndGet();
        pendingCalls.put(callId, ack);
        json.put("callId", callId);
      }
      record("event", json);
      if (ack != null) {
        AutoAck rule = rules.getOrDefault(event, rules.getOrDefault("*", AutoAck.never()));
        if (rule.mode().equals("echo")) {
          answerWith(callId, args);
        } else if (rule.mode().equals("reply")) {
          answerWith(callId, rule.args());
        }
      }
    }

    private void answerWith(long callId, ArrayNode args) {
      Ack ack = pendingCalls.remove(callId);
      if (ack == null) {
        throw new IllegalStateException("no pending call " + callId + " on " + name());
      }
      ack.call(orgArgs(args));
      ObjectNode json = obj().put("callId", callId);
      json.set("args", args);
      record("answered", json);
    }

    private Object[] orgArgs(ArrayNode args) {
      Object[] out = new Object[args.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = SioJson.toOrg(args.get(i));
      }
      return out;
    }

    @Override
    void emit(String event, Object... args) {
      socket.emit(event, orgArgs(SioJson.array(args)), null);
    }

    @Override
    void sendWithAck(String ackId, Duration timeout, String event, ArrayNode args) {
      Ack ack;
      if (timeout == null) {
        ack = res -> record("ack", ackJson(ackId, res));
      } else {
        AckWithTimeout withTimeout = new AckWithTimeout(timeout.toMillis()) {
          @Override
          public void onSuccess(Object... res) {
            record("ack", ackJson(ackId, res));
          }

          @Override
          public void onTimeout() {
            cancelTimer(); // its Timer thread is not a daemon and is not cancelled after it fired
            record("ackError", obj().put("ackId", ackId).put("message", "operation has timed out"));
          }
        };
        timers.add(withTimeout);
        ack = withTimeout;
      }
      socket.emit(event, orgArgs(args), ack);
    }

    private ObjectNode ackJson(String ackId, Object[] res) {
      ObjectNode json = obj().put("ackId", ackId);
      json.set("args", SioJson.fromOrgArgs(res, 0, res.length));
      return json;
    }

    @Override
    void autoAck(String event, AutoAck how) {
      rules.put(event, how);
    }

    @Override
    void answer(long callId, Object... args) {
      ArrayNode array = SioJson.array(args);
      io.socket.thread.EventThread.exec(() -> answerWith(callId, array));
    }

    @Override
    void disconnect() {
      socket.disconnect();
    }

    @Override
    void open() {
      socket.connect();
    }

    @Override
    void closeConnection() {
      io.socket.thread.EventThread.exec(connection::closeEngine);
    }

    @Override
    ClientSocket socket(String namespace, Map<String, String> auth) {
      return connection.socket(name() + namespace, namespace, auth);
    }

    /** The io.socket socket itself, for what the common commands do not cover. */
    Socket raw() {
      return socket;
    }

    /** The io.socket manager (the connection). */
    Manager manager() {
      return connection.manager;
    }
  }
}
