package dev.parley.examples.chat;

import static dev.parley.examples.chat.ChatTestSupport.obj;
import static dev.parley.examples.chat.ChatTestSupport.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.parley.examples.chat.ChatTestSupport.Client;
import dev.parley.examples.chat.ChatTestSupport.Event;
import dev.parley.examples.chat.ChatTestSupport.HttpReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat's server logic through the official Java client, against a real server on 127.0.0.1. */
class ChatServerTest {
  static final String SECRET = "test-secret-test-secret-test-secret!";
  static final Duration TYPING = Duration.ofMillis(400);

  @TempDir
  static Path dir;
  static ChatServer.Running server;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    server = ChatServer.start(config(dir.resolve("db"), 1000, 1000));
    port = server.port();
  }

  /** A test chat: cheap Argon2 (64 KiB, so many sign-ups stay fast) and a login limit no test meets by chance. */
  static ChatServer.Config config(Path db, double rate, int burst) {
    ChatServer.Config d = ChatServer.Config.defaults(db, SECRET);
    return new ChatServer.Config("127.0.0.1", 0, Path.of("chat-web"), db, false, SECRET, d.adapter(), TYPING,
        50, 500, rate, burst, 64, 1000, 1000, Duration.ofHours(1));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // ---- auth

  @Test
  void signUpThenLoginAndOneAnswerForAWrongNameOrPassword() throws Exception {
    HttpReply unknown = ChatTestSupport.login(port, "ann", "password-1");
    assertThat(unknown.status()).isEqualTo(401); // no account is made by logging in

    HttpReply first = ChatTestSupport.signUp(port, "ann", "password-1");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().optString("name")).isEqualTo("ann");
    assertThat(JWT.decode(first.body().optString("token")).getSubject()).isEqualTo("ann");
    HttpReply taken = ChatTestSupport.signUp(port, "ann", "password-2");
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.body().optString("error")).isEqualTo("that name is taken");

    assertThat(ChatTestSupport.login(port, "ann", "password-1").status()).isEqualTo(200);
    HttpReply wrong = ChatTestSupport.login(port, "ann", "password-2");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().toString()).isEqualTo(unknown.body().toString())
        .isEqualTo("{\"error\":\"wrong name or password\"}");
    assertThat(ChatTestSupport.login(port, "bad name!", "password-1").body().toString())
        .isEqualTo(unknown.body().toString());
    assertThat(ChatTestSupport.signUp(port, "bad name!", "password-1").status()).isEqualTo(400);
    assertThat(ChatTestSupport.signUp(port, "ann2", "short").status()).isEqualTo(400);
    assertThat(ChatTestSupport.login(port, "ann2", "password-1").status()).isEqualTo(401);

    HttpResponse<String> get = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("id=\"login\"");
  }

  @Test
  void connectWithoutAValidTokenIsUnauthorized() throws Exception {
    String forged = JWT.create().withIssuer("parley-chat").withSubject("ann")
        .withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256("another-secret-another-secret-xx"));
    String expired = JWT.create().withIssuer("parley-chat").withSubject("ann")
        .withExpiresAt(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256(SECRET));
    List<Map<String, String>> auths = new ArrayList<>();
    auths.add(null);
    auths.add(Map.of("token", "not-a-jwt"));
    auths.add(Map.of("token", forged));
    auths.add(Map.of("token", expired));
    auths.add(Map.of("token", JWT.create().withIssuer("parley-chat").withSubject("nobody-registered")
        .withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256(SECRET))));
    for (Map<String, String> auth : auths) {
      try (Client c = Client.open(port, auth)) {
        Event e = c.await("connect_error", x -> true);
        assertThat(String.valueOf(e.arg())).contains("unauthorized");
        assertThat(c.received("connect")).isEmpty();
      }
    }
  }

  // ---- rooms

  @Test
  void privateRoomsAreForMembersOnly() throws Exception {
    try (Client alice = Client.connect(port, "r-alice"); Client bob = Client.connect(port, "r-bob")) {
      assertThat(alice.callJson("room:create", obj("name", "secret-club", "private", true)).optJSONObject("room")
          .optBoolean("isPrivate")).isTrue();
      assertThat(alice.callJson("room:create", obj("name", "secret-club")).optString("error")).isEqualTo("room exists");
      assertThat(alice.callJson("room:create", obj("name", "Bad Name!")).has("error")).isTrue();
      assertThat(names(bob.callArray("rooms", obj()))).contains("general").doesNotContain("secret-club");
      assertThat(names(alice.callArray("rooms", obj()))).contains("general", "secret-club");

      assertThat(bob.callJson("room:join", obj("room", "secret-club")).optString("error")).isEqualTo("no such room");
      assertThat(bob.callJson("message", obj("room", "secret-club", "text", "hi")).optString("error"))
          .isEqualTo("not a member of this room");
      bob.emit("typing", obj("room", "secret-club", "typing", true));

      assertThat(bob.callJson("room:invite", obj("room", "secret-club", "user", "r-bob")).has("error")).isTrue();
      assertThat(alice.callJson("room:invite", obj("room", "secret-club", "user", "nobody")).optString("error"))
          .isEqualTo("no such user");
      assertThat(alice.callJson("room:invite", obj("room", "secret-club", "user", "r-bob")).optBoolean("ok")).isTrue();
      bob.await("rooms:changed", e -> e.json().optString("room").equals("secret-club"));
      assertThat(names(bob.callArray("rooms", obj()))).contains("secret-club");
      JSONObject joined = bob.callJson("room:join", obj("room", "secret-club"));
      assertThat(joined.optJSONObject("room").optString("name")).isEqualTo("secret-club");
      assertThat(bob.callJson("message", obj("room", "secret-club", "text", "thanks")).has("id")).isTrue();
      alice.await("message", e -> e.json().optString("text").equals("thanks"));
      assertThat(alice.received("typing")).isEmpty(); // bob's typing before he was a member went nowhere
      bob.emit("typing", obj("room", "secret-club"));
      alice.await("typing", e -> e.json().optString("user").equals("r-bob") && e.json().optBoolean("typing"));

      assertThat(bob.callJson("room:leave", obj("room", "secret-club")).optBoolean("ok")).isTrue();
      assertThat(bob.callJson("message", obj("room", "secret-club", "text", "still here?")).has("error")).isTrue();
      assertThat(bob.callJson("room:join", obj("room", "secret-club")).has("error")).isTrue();
      assertThat(names(bob.callArray("rooms", obj()))).doesNotContain("secret-club");

      // a public room: anyone joins, which makes them a member
      alice.callJson("room:create", obj("name", "lobby-r"));
      bob.await("rooms:changed", e -> e.json().optString("room").equals("lobby-r"));
      assertThat(bob.callJson("message", obj("room", "lobby-r", "text", "before joining")).has("error")).isTrue();
      assertThat(bob.callJson("room:join", obj("room", "lobby-r")).has("history")).isTrue();
      assertThat(bob.callJson("message", obj("room", "lobby-r", "text", "after joining")).has("id")).isTrue();
    }
  }

  // ---- messages

  @Test
  void messagesAreValidatedStoredAckedAndReplayed() throws Exception {
    try (Client alice = Client.connect(port, "m-alice"); Client bob = Client.connect(port, "m-bob")) {
      alice.callJson("room:create", obj("name", "m-room"));
      bob.callJson("room:join", obj("room", "m-room"));

      assertThat(alice.callJson("message", obj("room", "m-room", "text", "   ")).optString("error")).isEqualTo("empty message");
      assertThat(alice.callJson("message", obj("room", "m-room", "text", 42)).has("error")).isTrue();
      assertThat(alice.callJson("message", obj("room", "m-room", "text", "x".repeat(501))).optString("error"))
          .contains("at most 500");
      assertThat(alice.callJson("message", obj("room", "no-such-room", "text", "hi")).has("error")).isTrue();

      assertThat(alice.callJson("message", obj("room", "m-room", "text", "hi", "clientId", "c-1")).optString("error"))
          .isEqualTo("clientId is a UUID");
      String clientId = UUID.randomUUID().toString();
      JSONObject ack = alice.callJson("message", obj("room", "m-room", "text", " hello ", "sender", "mallory",
          "clientId", clientId));
      String id = ack.optString("id");
      assertThat(id).isEqualTo(clientId);
      assertThat(ack.optString("clientId")).isEqualTo(clientId);
      assertThat(ack.optLong("time")).isGreaterThan(0);
      JSONObject got = bob.await("message", e -> e.json().optString("id").equals(id)).json();
      assertThat(got.optString("sender")).isEqualTo("m-alice");
      assertThat(got.optString("text")).isEqualTo("hello");
      assertThat(got.optString("room")).isEqualTo("m-room");
      assertThat(got.optLong("time")).isEqualTo(ack.optLong("time"));
      alice.await("message", e -> e.json().optString("id").equals(id)); // the sender's tabs get it too

      for (int i = 0; i < 55; i++) {
        alice.callJson("message", obj("room", "m-room", "text", "n" + i));
      }
      try (Client late = Client.connect(port, "m-carol")) {
        JSONArray history = late.callJson("room:join", obj("room", "m-room")).optJSONArray("history");
        assertThat(history.length()).isEqualTo(50);
        assertThat(history.optJSONObject(0).optString("text")).isEqualTo("n5");
        assertThat(history.optJSONObject(49).optString("text")).isEqualTo("n54");
        assertThat(history.optJSONObject(49).optString("sender")).isEqualTo("m-alice");
      }
    }
  }

  @Test
  void aRetriedSendIsStoredAndBroadcastOnce() throws Exception {
    try (Client alice = Client.connect(port, "i-alice"); Client bob = Client.connect(port, "i-bob");
        Client mallory = Client.connect(port, "i-mallory")) {
      alice.callJson("room:create", obj("name", "i-room"));
      bob.callJson("room:join", obj("room", "i-room"));
      mallory.callJson("room:join", obj("room", "i-room"));
      String clientId = UUID.randomUUID().toString();
      JSONObject first = alice.callJson("message", obj("room", "i-room", "text", "once", "clientId", clientId));
      // the same send again, as a client does when the answer to the first was lost in a dropped connection
      JSONObject again = alice.callJson("message", obj("room", "i-room", "text", "once", "clientId", clientId));
      assertThat(again.optString("id")).isEqualTo(first.optString("id")).isEqualTo(clientId);
      assertThat(again.optLong("time")).isEqualTo(first.optLong("time"));
      // someone else cannot take the id
      assertThat(mallory.callJson("message", obj("room", "i-room", "text", "mine", "clientId", clientId))
          .optString("error")).isEqualTo("clientId is taken");

      // a later message arrives after anything the retry could have broadcast (one connection keeps order)
      String next = alice.callJson("message", obj("room", "i-room", "text", "next")).optString("id");
      bob.await("message", e -> e.json().optString("id").equals(next));
      assertThat(bob.received("message")).filteredOn(e -> e.json().optString("id").equals(clientId)).hasSize(1);
      alice.await("message", e -> e.json().optString("id").equals(next));
      assertThat(alice.received("message")).filteredOn(e -> e.json().optString("id").equals(clientId)).hasSize(1);
      JSONArray history = bob.callJson("room:join", obj("room", "i-room")).optJSONArray("history");
      assertThat(history.toString().split(clientId, -1)).hasSize(2); // the id appears once
    }
  }

  // ---- direct messages

  @Test
  void directMessagesMakeATwoPersonRoomOnTheFirstMessage() throws Exception {
    try (Client alice = Client.connect(port, "d-alice"); Client bob = Client.connect(port, "d-bob");
        Client carol = Client.connect(port, "d-carol")) {
      String dm = "dm:d-alice:d-bob";
      // opened before it exists: an empty conversation, nothing stored, nothing listed
      JSONObject open = bob.callJson("room:join", obj("room", dm));
      assertThat(open.optJSONArray("history").length()).isZero();
      assertThat(open.optJSONObject("room").optString("kind")).isEqualTo("dm");
      assertThat(open.optJSONObject("room").optString("peer")).isEqualTo("d-alice");
      assertThat(names(bob.callArray("rooms", obj()))).doesNotContain(dm);
      assertThat(bob.callJson("room:join", obj("room", "dm:d-bob:d-alice")).has("error")).isTrue(); // out of order
      assertThat(bob.callJson("room:join", obj("room", "dm:d-bob:nobody")).has("error")).isTrue();
      assertThat(carol.callJson("room:join", obj("room", dm)).optString("error")).isEqualTo("no such room");
      assertThat(alice.callJson("message", obj("room", "dm:d-alice:d-alice", "text", "me")).has("error")).isTrue();

      String id = alice.callJson("message", obj("room", dm, "text", "psst")).optString("id");
      bob.await("rooms:changed", e -> e.json().optString("room").equals(dm));
      bob.await("message", e -> e.json().optString("id").equals(id));
      JSONObject listed = room(bob.callArray("rooms", obj()), dm);
      assertThat(listed.optString("kind")).isEqualTo("dm");
      assertThat(listed.optString("peer")).isEqualTo("d-alice");
      assertThat(listed.optInt("unread")).isEqualTo(1);
      assertThat(strings(listed.optJSONArray("unreadIds"))).containsExactly(id);
      assertThat(room(alice.callArray("rooms", obj()), dm).optString("peer")).isEqualTo("d-bob");
      assertThat(names(carol.callArray("rooms", obj()))).doesNotContain(dm);
      assertThat(carol.callJson("message", obj("room", dm, "text", "hi")).optString("error"))
          .isEqualTo("not a member of this room");

      // then a room like the others: history, receipts, typing, unread counts
      JSONArray history = bob.callJson("room:join", obj("room", dm)).optJSONArray("history");
      assertThat(history.optJSONObject(0).optString("text")).isEqualTo("psst");
      alice.await("receipt", e -> e.json().optString("id").equals(id) && e.json().optString("status").equals("read"));
      assertThat(room(bob.callArray("rooms", obj()), dm).optInt("unread")).isZero();
      assertThat(room(bob.callArray("rooms", obj()), dm).optJSONArray("unreadIds").length()).isZero();
      bob.emit("typing", obj("room", dm));
      alice.await("typing", e -> e.json().optString("room").equals(dm) && e.json().optBoolean("typing"));
      assertThat(bob.callJson("message", obj("room", dm, "text", "hello")).has("id")).isTrue();
      assertThat(room(alice.callArray("rooms", obj()), dm).optInt("unread")).isEqualTo(1);
      assertThat(carol.received("message")).isEmpty();
      assertThat(carol.received("typing")).isEmpty();

      assertThat(bob.callJson("room:leave", obj("room", dm)).has("error")).isTrue();
      assertThat(alice.callJson("room:invite", obj("room", dm, "user", "d-carol")).has("error")).isTrue();
    }
  }

  /**
   * The first message of a conversation is stored before the two users are told of the conversation, so
   * the room list a page asks for on {@code rooms:changed} counts it, and names it among the unread: a page
   * that also got the message live counts it once. The message's row is held (an uncommitted row with its
   * id makes alice's insert wait), which keeps the moment between the conversation's creation and its
   * message open as long as the test needs.
   */
  @Test
  void aNewConversationIsAnnouncedOnceItsFirstMessageIsStored() throws Exception {
    Path db = dir.resolve("db-held");
    String url = "jdbc:h2:file:" + db.toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE"; // as ChatStore opens it
    try (Connection hold = DriverManager.getConnection(url, "chat", "")) {
      try (Statement s = hold.createStatement()) {
        s.execute("SET DEFAULT_LOCK_TIMEOUT 60000"); // the server's sessions wait for the held row (2 s otherwise)
      }
      try (ChatServer.Running held = ChatServer.start(config(db, 1000, 1000));
          Client alice = Client.connect(held.port(), "h-alice"); Client bob = Client.connect(held.port(), "h-bob")) {
        String dm = "dm:h-alice:h-bob";
        String id = UUID.randomUUID().toString();
        // bob's page: every rooms:changed asks for the room list
        AtomicInteger asked = new AtomicInteger();
        List<JSONArray> answers = new ArrayList<>();
        bob.socket.on("rooms:changed", args -> {
          asked.incrementAndGet();
          bob.socket.emit("rooms", new Object[] {obj()}, a -> {
            synchronized (answers) {
              answers.add((JSONArray) a[0]);
              answers.notifyAll();
            }
          });
        });
        hold.setAutoCommit(false);
        try (PreparedStatement ps = hold.prepareStatement(
            "INSERT INTO messages (id, room, sender, text, ts) VALUES (?, 'held', 'nobody', 'held', 0)")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
        CompletableFuture<Object> sent = new CompletableFuture<>();
        alice.socket.emit("message", new Object[] {obj("room", dm, "text", "psst", "clientId", id)},
            a -> sent.complete(a[0]));
        awaitBlockedBy(hold);
        // a rooms:changed sent before the insert reaches bob before this answer, and his question went with it
        bob.call("online", obj());
        awaitAnswers(answers, asked, 0);
        hold.rollback(); // alice's insert goes on

        assertThat(((JSONObject) sent.get(10, TimeUnit.SECONDS)).optString("id")).isEqualTo(id);
        bob.await("message", e -> e.json().optString("id").equals(id));
        awaitAnswers(answers, asked, 1);
        synchronized (answers) {
          for (JSONArray answer : answers) {
            JSONObject listed = room(answer, dm);
            assertThat(listed.optInt("unread")).as("unread in %s", answer).isEqualTo(1);
            assertThat(strings(listed.optJSONArray("unreadIds"))).containsExactly(id);
          }
        }
      }
    }
  }

  @Test
  void theRoomListNamesTheNewestUnreadMessages() throws Exception {
    try (Client alice = Client.connect(port, "u-alice"); Client bob = Client.connect(port, "u-bob")) {
      alice.callJson("room:create", obj("name", "u-room"));
      bob.callJson("room:join", obj("room", "u-room"));
      bob.callJson("room:join", obj("room", "general")); // u-room stays a membership, not open
      List<String> sent = new ArrayList<>();
      long now = System.currentTimeMillis();
      for (int i = 0; i < ChatStore.UNREAD_IDS_LISTED + 5; i++) {
        String id = UUID.randomUUID().toString();
        server.store().addMessageOnce(new ChatStore.Message(id, "u-room", "u-alice", "m" + i, now + i, null));
        sent.add(id);
      }
      server.store().addMessageOnce(new ChatStore.Message(UUID.randomUUID().toString(), "u-room", "u-bob", "mine",
          now + 1000, null)); // not counted: bob's own
      JSONObject listed = room(bob.callArray("rooms", obj()), "u-room");
      assertThat(listed.optInt("unread")).isEqualTo(ChatStore.UNREAD_IDS_LISTED + 5);
      assertThat(strings(listed.optJSONArray("unreadIds")))
          .containsExactlyElementsOf(sent.subList(5, sent.size())); // the newest 100, oldest first
      assertThat(room(alice.callArray("rooms", obj()), "u-room").optInt("unread")).isEqualTo(1);
    }
  }

  /**
   * Waits until the server runs its insert of a message, which waits for the row that {@code hold} has not
   * committed (H2 names no blocker for a unique key's wait, so the running statement is what shows it).
   */
  private static void awaitBlockedBy(Connection hold) throws Exception {
    long end = System.currentTimeMillis() + 10_000;
    try (PreparedStatement ps = hold.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
        + " WHERE SESSION_ID <> SESSION_ID() AND EXECUTING_STATEMENT LIKE 'INSERT INTO messages%'")) {
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        if (System.currentTimeMillis() > end) {
          throw new AssertionError("the message's insert never waited for the held row");
        }
        Thread.sleep(5); // polls a condition: the insert is on its way
      }
    }
  }

  /** Waits until every room list asked for is answered, and at least {@code min} were. */
  private static void awaitAnswers(List<JSONArray> answers, AtomicInteger asked, int min) throws InterruptedException {
    long end = System.currentTimeMillis() + 10_000;
    synchronized (answers) {
      while (answers.size() < Math.max(min, asked.get())) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError(asked.get() + " room lists asked for, " + answers.size() + " answered");
        }
        answers.wait(Math.min(left, 50)); // asked grows on the client's thread, which does not notify
      }
    }
  }

  // ---- typing

  @Test
  void typingGoesToOthersAndStopsAfterSilence() throws Exception {
    try (Client alice = Client.connect(port, "t-alice"); Client alice2 = Client.connect(port, "t-alice");
        Client bob = Client.connect(port, "t-bob")) {
      alice.callJson("room:create", obj("name", "t-room"));
      bob.callJson("room:join", obj("room", "t-room"));
      long start = System.currentTimeMillis();
      alice.emit("typing", obj("room", "t-room", "typing", true));
      bob.await("typing", e -> e.json().optString("user").equals("t-alice") && e.json().optBoolean("typing"));
      Event stop = bob.await("typing", e -> e.json().optString("user").equals("t-alice") && !e.json().optBoolean("typing"));
      assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(TYPING.toMillis() - 50);
      assertThat(stop.json().optString("room")).isEqualTo("t-room");
      assertThat(alice.received("typing")).isEmpty();
      assertThat(alice2.received("typing")).isEmpty();

      // a message ends typing at once
      bob.clear();
      alice.emit("typing", obj("room", "t-room"));
      bob.await("typing", e -> e.json().optBoolean("typing"));
      alice.callJson("message", obj("room", "t-room", "text", "done"));
      bob.await("typing", e -> !e.json().optBoolean("typing"), (long) (TYPING.toMillis() * 0.75));
    }
  }

  // ---- presence

  @Test
  void presenceCountsEveryTabOfAUser() throws Exception {
    try (Client watcher = Client.connect(port, "p-watcher")) {
      Client tab1 = Client.connect(port, "p-carol");
      watcher.await("presence", e -> e.json().optString("user").equals("p-carol") && e.json().optBoolean("online"));
      JSONArray online = tab1.await("online", e -> true).json().optJSONArray("users");
      assertThat(ChatTestSupport.strings(online)).contains("p-watcher", "p-carol");
      Client tab2 = Client.connect(port, "p-carol");

      tab1.close();
      Thread.sleep(300);
      assertThat(watcher.received("presence")).noneMatch(e -> e.json().optString("user").equals("p-carol")
          && !e.json().optBoolean("online"));
      assertThat(ChatTestSupport.strings(watcher.callArray("online", obj()))).contains("p-carol");

      long before = System.currentTimeMillis();
      tab2.close();
      JSONObject off = watcher.await("presence", e -> e.json().optString("user").equals("p-carol")
          && !e.json().optBoolean("online")).json();
      assertThat(off.optLong("lastSeen")).isGreaterThanOrEqualTo(before);
      assertThat(ChatTestSupport.strings(watcher.callArray("online", obj()))).doesNotContain("p-carol");
      JSONArray people = watcher.callArray("users", obj());
      for (int i = 0; i < people.length(); i++) {
        JSONObject person = people.optJSONObject(i);
        if (person.optString("user").equals("p-carol")) {
          assertThat(person.optBoolean("online")).isFalse();
          assertThat(person.optLong("lastSeen")).isEqualTo(off.optLong("lastSeen"));
        } else if (person.optString("user").equals("p-watcher")) {
          assertThat(person.optBoolean("online")).isTrue();
        }
      }
      assertThat(people.toString()).contains("\"p-carol\"", "\"p-watcher\"");
    }
  }

  // ---- receipts

  @Test
  void receiptsGoFromSentToDeliveredToRead() throws Exception {
    try (Client alice = Client.connect(port, "rc-alice"); Client bob = Client.connect(port, "rc-bob")) {
      alice.callJson("room:create", obj("name", "rc-room"));
      bob.callJson("room:join", obj("room", "rc-room"));
      String id = alice.callJson("message", obj("room", "rc-room", "text", "did you get this?")).optString("id");
      JSONArray history = alice.callJson("room:join", obj("room", "rc-room")).optJSONArray("history");
      assertThat(history.optJSONObject(history.length() - 1).optString("status")).isEqualTo("sent");

      bob.await("message", e -> e.json().optString("id").equals(id));
      bob.emit("delivered", obj("id", id));
      JSONObject delivered = alice.await("receipt", e -> e.json().optString("id").equals(id)).json();
      assertThat(delivered.optString("status")).isEqualTo("delivered");
      assertThat(delivered.optString("user")).isEqualTo("rc-bob");
      alice.emit("delivered", obj("id", id)); // the sender's own acknowledgement counts for nothing
      bob.emit("delivered", obj("id", id)); // nor does a repeat

      assertThat(bob.callJson("read", obj("room", "rc-room")).optBoolean("ok")).isTrue();
      JSONObject read = alice.await("receipt", e -> e.json().optString("status").equals("read")).json();
      assertThat(read.optString("id")).isEqualTo(id);
      assertThat(read.optString("user")).isEqualTo("rc-bob");
      assertThat(alice.received("receipt")).hasSize(2);
      assertThat(bob.received("receipt")).isEmpty();

      history = alice.callJson("room:join", obj("room", "rc-room")).optJSONArray("history");
      assertThat(history.optJSONObject(history.length() - 1).optString("status")).isEqualTo("read");
      JSONArray receipts = alice.callArray("receipts", obj("id", id));
      assertThat(receipts.length()).isEqualTo(1);
      assertThat(receipts.optJSONObject(0).optString("status")).isEqualTo("read");
      assertThat(bob.callJson("receipts", obj("id", id)).has("error")).isTrue();
    }
  }

  @Test
  void openingARoomMarksItsMessagesRead() throws Exception {
    try (Client alice = Client.connect(port, "o-alice"); Client bob = Client.connect(port, "o-bob")) {
      alice.callJson("room:create", obj("name", "o-room"));
      bob.callJson("room:join", obj("room", "o-room"));
      bob.callJson("room:leave", obj("room", "o-room"));
      String id = alice.callJson("message", obj("room", "o-room", "text", "read me later")).optString("id");
      assertThat(bob.callJson("room:join", obj("room", "o-room")).optJSONArray("history").toString()).contains(id);
      JSONObject read = alice.await("receipt", e -> e.json().optString("id").equals(id)).json();
      assertThat(read.optString("status")).isEqualTo("read");
    }
  }

  // ---- rate limits

  @Test
  void loginAttemptsAreLimitedPerNameWithTheSameAnswerForEveryName() throws Exception {
    ChatServer.Config c = config(dir.resolve("db-login-limit"), 1000, 1000).withLoginLimit(0.001, 3);
    try (ChatServer.Running limited = ChatServer.start(c)) {
      int p = limited.port();
      assertThat(ChatTestSupport.signUp(p, "victim", "right-password").status()).isEqualTo(200);
      assertThat(ChatTestSupport.login(p, "victim", "guess-1").status()).isEqualTo(401);
      assertThat(ChatTestSupport.login(p, "victim", "guess-2").status()).isEqualTo(401);
      HttpReply refused = ChatTestSupport.login(p, "victim", "right-password");
      assertThat(refused.status()).isEqualTo(429); // the allowance is spent: even the right password waits
      assertThat(refused.body().optLong("retryAfterMs")).isPositive();
      // an unknown name is limited alike (the answer tells nothing about which names exist)
      for (int i = 0; i < 3; i++) {
        assertThat(ChatTestSupport.login(p, "nobody", "guess-" + i).status()).isEqualTo(401);
      }
      HttpReply nobody = ChatTestSupport.login(p, "nobody", "guess");
      assertThat(nobody.status()).isEqualTo(429);
      assertThat(nobody.body().optString("error")).isEqualTo(refused.body().optString("error"));
      // and the address has four times a name's allowance (12), spent by now whatever the name
      HttpResponse<String> raw = null;
      for (int i = 0; i < 8 && (raw == null || raw.statusCode() != 429); i++) {
        raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/login"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"other-" + i + "\",\"password\":\"whatever-1\"}"))
            .build(), HttpResponse.BodyHandlers.ofString());
      }
      assertThat(raw.statusCode()).isEqualTo(429);
      assertThat(raw.headers().firstValue("Retry-After")).isPresent();
    }
  }

  @Test
  void rateLimitAnswersWithAnErrorAndAffectsNothingElse() throws Exception {
    try (ChatServer.Running limited = ChatServer.start(config(dir.resolve("db-limited"), 5, 10))) {
      int p = limited.port();
      try (Client alice = Client.connect(p, "l-alice"); Client bob = Client.connect(p, "l-bob")) {
        int ok = 0;
        int refused = 0;
        // sent back to back, not one round trip at a time: on a slow machine the round trips alone would
        // let the bucket refill (5 a second) and more than the burst get through
        List<java.util.concurrent.CompletableFuture<Object>> answers = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
          answers.add(alice.send("message", obj("room", "general", "text", "spam " + i)));
        }
        for (java.util.concurrent.CompletableFuture<Object> answer : answers) {
          JSONObject ack = (JSONObject) answer.get(5, java.util.concurrent.TimeUnit.SECONDS);
          if (ack.has("id")) {
            ok++;
          } else {
            assertThat(ack.optString("error")).isEqualTo("rate_limited");
            refused++;
          }
        }
        assertThat(ok).isBetween(10, 12);
        assertThat(refused).isGreaterThanOrEqualTo(3);
        JSONObject error = alice.await("error", e -> true).json();
        assertThat(error.optString("code")).isEqualTo("rate_limited");
        assertThat(error.optLong("retryAfterMs")).isPositive();

        // other users, and the limited user's other events, go on
        assertThat(bob.callJson("message", obj("room", "general", "text", "I can talk")).has("id")).isTrue();
        assertThat(alice.callArray("rooms", obj()).length()).isPositive();
        assertThat(bob.received("error")).isEmpty();
        Thread.sleep(450);
        assertThat(alice.callJson("message", obj("room", "general", "text", "again")).has("id")).isTrue();
      }
    }
  }

  private static JSONObject room(JSONArray rooms, String name) {
    for (int i = 0; i < rooms.length(); i++) {
      if (rooms.optJSONObject(i).optString("name").equals(name)) {
        return rooms.optJSONObject(i);
      }
    }
    throw new AssertionError(name + " is not in " + rooms);
  }

  private static List<String> names(JSONArray rooms) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < rooms.length(); i++) {
      out.add(rooms.optJSONObject(i).optString("name"));
    }
    return out;
  }
}
