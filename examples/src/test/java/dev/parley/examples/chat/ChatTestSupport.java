package dev.parley.examples.chat;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.json.JSONArray;
import org.json.JSONObject;

/** Logs in over HTTP and drives the official Java Socket.IO client against a running chat. */
final class ChatTestSupport {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ChatTestSupport() {}

  record HttpReply(int status, JSONObject body) {}

  static HttpReply login(int port, String name, String password) throws Exception {
    return post(port, "/login", name, password);
  }

  static HttpReply signUp(int port, String name, String password) throws Exception {
    return post(port, "/signup", name, password);
  }

  private static HttpReply post(int port, String path, String name, String password) throws Exception {
    String body = new JSONObject().put("name", name).put("password", password).toString();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new HttpReply(r.statusCode(), new JSONObject(r.body()));
  }

  /** A token for {@code name}: signs up (or finds the name taken by an earlier call), then logs in. */
  static String token(int port, String name) throws Exception {
    signUp(port, name, "secret-" + name);
    HttpReply r = login(port, name, "secret-" + name);
    if (r.status() != 200) {
      throw new AssertionError("login of " + name + ": " + r);
    }
    return r.body().getString("token");
  }

  /** One received event. */
  record Event(String name, Object arg) {
    JSONObject json() {
      return (JSONObject) arg;
    }
  }

  /** A connected test client recording every event it receives. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    private final List<Event> events = new ArrayList<>();

    private Client(Socket socket) {
      this.socket = socket;
      socket.onAnyIncoming(args -> {
        synchronized (events) {
          events.add(new Event((String) args[0], args.length > 1 ? args[1] : null));
          events.notifyAll();
        }
      });
      socket.on(Socket.EVENT_CONNECT_ERROR, args -> {
        synchronized (events) {
          events.add(new Event("connect_error", args.length > 0 ? args[0] : null));
          events.notifyAll();
        }
      });
      socket.on(Socket.EVENT_CONNECT, args -> {
        synchronized (events) {
          events.add(new Event("connect", null));
          events.notifyAll();
        }
      });
    }

    /** Opens a socket with {@code auth} (null for none) without waiting. */
    static Client open(int port, Map<String, String> auth) {
      return open(port, auth, "websocket");
    }

    /** Opens a socket with {@code auth} over {@code transport} ({@code websocket} or {@code polling}). */
    static Client open(int port, Map<String, String> auth, String transport) {
      IO.Options opts = IO.Options.builder().setForceNew(true).setReconnection(false)
          .setTransports(new String[] {transport}).setAuth(auth).build();
      Socket s = IO.socket(URI.create("http://127.0.0.1:" + port), opts);
      Client c = new Client(s);
      s.connect();
      return c;
    }

    /** Connects as {@code name} (logging in first) and waits for the connection. */
    static Client connect(int port, String name) throws Exception {
      return connect(port, name, "websocket");
    }

    /** Connects as {@code name} over {@code transport} and waits for the connection. */
    static Client connect(int port, String name, String transport) throws Exception {
      Client c = open(port, Map.of("token", token(port, name)), transport);
      c.await("connect", e -> true, 5000);
      return c;
    }

    /** Emits with an ack and waits for the answer. */
    Object call(String event, Object payload) throws Exception {
      CompletableFuture<Object> answer = new CompletableFuture<>();
      socket.emit(event, new Object[] {payload}, args -> answer.complete(args.length > 0 ? args[0] : null));
      return answer.get(5, TimeUnit.SECONDS);
    }

    /** Emits with an ack without waiting: the answer's future (several sent back to back reach the server together). */
    CompletableFuture<Object> send(String event, Object payload) {
      CompletableFuture<Object> answer = new CompletableFuture<>();
      socket.emit(event, new Object[] {payload}, args -> answer.complete(args.length > 0 ? args[0] : null));
      return answer;
    }

    JSONObject callJson(String event, Object payload) throws Exception {
      return (JSONObject) call(event, payload);
    }

    JSONArray callArray(String event, Object payload) throws Exception {
      return (JSONArray) call(event, payload);
    }

    void emit(String event, Object payload) {
      socket.emit(event, payload);
    }

    /** Waits for an event matching {@code test}. */
    Event await(String name, Predicate<Event> test, long millis) throws InterruptedException {
      long end = System.currentTimeMillis() + millis;
      synchronized (events) {
        while (true) {
          for (Event e : events) {
            if (e.name().equals(name) && test.test(e)) {
              return e;
            }
          }
          long left = end - System.currentTimeMillis();
          if (left <= 0) {
            throw new AssertionError("no " + name + " event matched within " + millis + " ms; got " + events);
          }
          events.wait(left);
        }
      }
    }

    Event await(String name, Predicate<Event> test) throws InterruptedException {
      return await(name, test, 5000);
    }

    /** The events named {@code name} received so far. */
    List<Event> received(String name) {
      synchronized (events) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
      }
    }

    void clear() {
      synchronized (events) {
        events.clear();
      }
    }

    @Override
    public void close() {
      socket.disconnect();
      socket.close();
    }
  }

  static JSONObject obj(Object... kv) {
    JSONObject o = new JSONObject();
    try {
      for (int i = 0; i < kv.length; i += 2) {
        o.put((String) kv[i], kv[i + 1]);
      }
    } catch (org.json.JSONException e) {
      throw new IllegalArgumentException(e);
    }
    return o;
  }

  static List<String> strings(JSONArray a) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.length(); i++) {
      out.add(a.optString(i));
    }
    return out;
  }
}
