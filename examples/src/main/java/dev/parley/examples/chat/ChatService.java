package dev.parley.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Ack;
import dev.parley.Args;
import dev.parley.ConnectError;
import dev.parley.RemoteSocket;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's Socket.IO side: the connect middleware (JWT in {@code auth.token}) and the event
 * handlers. Socket.IO rooms: {@code room:NAME} holds the sockets of a chat room's members,
 * {@code user:NAME} every socket (tab) of a user, so an event reaches all of a user's tabs, on any node.
 *
 * <p>A direct conversation between users A and B is the private room {@code dm:A:B} (the two names in
 * order), of kind {@code dm}: opening it before it exists shows an empty conversation, and its first
 * message creates it with both users as members. From then on it is a room like any other (history,
 * receipts, typing, unread counts), except that nobody leaves it or is invited to it.
 *
 * <p>Client to server (answers through the ack):
 * <ul>
 *   <li>{@code rooms} → {@code [{name, isPrivate, createdBy, member, kind, peer, unread, unreadIds}]}: public
 *       rooms and the user's private rooms and direct conversations, with the count of unread messages and
 *       the ids of the newest 100 of them (a page that also got some live counts each once);
 *   <li>{@code room:create {name, private}} → {@code {room}} | {@code {error}};
 *   <li>{@code room:join {room}} → {@code {room, history, members}} | {@code {error}}: opens a room (a public one
 *       makes the user a member; a private one needs membership), sends the last messages and marks them read;
 *   <li>{@code room:leave {room}} → {@code {ok}}; {@code room:invite {room, user}} → {@code {ok}} | {@code {error}}
 *       (private rooms, by their creator);
 *   <li>{@code message {room, text, clientId?}} → {@code {id, time, clientId}} | {@code {error}}: a
 *       {@code clientId} (a UUID the client made) becomes the message's id, so a retried send is stored and
 *       broadcast once and answered again with the same id and time;
 *   <li>{@code typing {room, typing}}; {@code delivered {id}} or {@code {ids}}; {@code read {room}};
 *   <li>{@code online} → names of the users online; {@code users} → {@code [{user, online, lastSeen}]};
 *       {@code receipts {id}} → the receipts of one's own message.
 * </ul>
 * Server to client: {@code message}, {@code typing {room, user, typing}}, {@code presence {user, online,
 * lastSeen}}, {@code online {users}} (right after connecting), {@code receipt {id, room, user, status, time}}
 * (to the sender's tabs), {@code rooms:changed}, {@code error {code, message}} ({@code rate_limited}).
 */
final class ChatService {
  private static final Logger log = LoggerFactory.getLogger(ChatService.class);
  static final Pattern ROOM_NAME = Pattern.compile("[a-z0-9_-]{1,32}");
  /** A client's message id: a UUID as {@code crypto.randomUUID()} makes it. */
  static final Pattern CLIENT_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final int MAX_PEOPLE = 500;

  /** A message as broadcast. */
  record MessageOut(String id, String room, String sender, String text, long time) {}

  /** A receipt as sent to the message's sender. */
  record ReceiptOut(String id, String room, String user, String status, long time) {}

  private final SocketIoServer io;
  private final ChatStore store;
  private final Auth auth;
  private final RateLimiter limiter;
  private final ScheduledExecutorService timers;
  private final long typingTimeoutMillis;
  private final int historySize;
  private final int maxText;
  /** The typing users' auto-stop timers, by user and room. */
  private final ConcurrentHashMap<String, ScheduledFuture<?>> typing = new ConcurrentHashMap<>();
  /** The presence updates (last-seen writes) under way, which a shutdown waits for. */
  private final Set<java.util.concurrent.CompletableFuture<?>> presenceWrites = ConcurrentHashMap.newKeySet();

  ChatService(SocketIoServer io, ChatStore store, Auth auth, RateLimiter limiter, ScheduledExecutorService timers,
      Duration typingTimeout, int historySize, int maxText) {
    this.io = io;
    this.store = store;
    this.auth = auth;
    this.limiter = limiter;
    this.timers = timers;
    this.typingTimeoutMillis = typingTimeout.toMillis();
    this.historySize = historySize;
    this.maxText = maxText;
  }

  static String roomKey(String room) {
    return "room:" + room;
  }

  static String userKey(String user) {
    return "user:" + user;
  }

  void install() {
    io.use((socket, next) -> {
      Optional<String> user = auth.verify(socket.handshake().auth().path("token").asText(null));
      if (user.isEmpty()) {
        next.fail(new ConnectError("unauthorized"));
        return;
      }
      socket.data().put("user", user.get());
      // joined here, not in onConnection: rooms joined in middleware are in place before the client
      // sees its connect, so a tab closed right after another one opens never counts the user offline
      socket.join(userKey(user.get()));
      next.proceed();
    });
    io.onConnection(this::onConnection);
  }

  @FunctionalInterface
  private interface Handler {
    void handle(String user, JsonNode payload, Ack ack) throws Exception;
  }

  /** Registers a handler that gets the user and the first argument, and answers {error} when it throws. */
  private void on(Socket socket, String event, String user, Handler h) {
    socket.on(event, (Args args, Ack ack) -> {
      try {
        h.handle(user, args.get(0), ack);
      } catch (Exception e) {
        log.error("{} from {} failed", event, user, e);
        ack.send(error("internal error"));
      }
    });
  }

  private void onConnection(Socket socket) {
    String user = (String) socket.data().get("user");
    on(socket, "rooms", user, (u, p, ack) -> ack.send(store.visibleRooms(u)));
    on(socket, "room:create", user, this::createRoom);
    on(socket, "room:join", user, (u, p, ack) -> joinRoom(socket, u, p, ack));
    on(socket, "room:leave", user, this::leaveRoom);
    on(socket, "room:invite", user, this::invite);
    on(socket, "message", user, (u, p, ack) -> message(socket, u, p, ack));
    on(socket, "typing", user, (u, p, ack) -> typing(socket, u, p));
    on(socket, "delivered", user, this::delivered);
    on(socket, "read", user, (u, p, ack) -> read(u, p.path("room").asText(""), ack));
    on(socket, "receipts", user, this::receipts);
    on(socket, "online", user, (u, p, ack) -> onlineUsers().thenAccept(ack::send));
    on(socket, "users", user, (u, p, ack) -> people().thenAccept(ack::send));
    socket.onDisconnect(reason -> userSocketGone(user));

    List<String> keys = new ArrayList<>();
    for (String r : store.memberRooms(user)) {
      keys.add(roomKey(r));
    }
    socket.join(keys);
    io.emit("presence", presence(user, true, 0));
    onlineUsers().thenAccept(users -> socket.emit("online", Map.of("users", users)));
  }

  // ---- rooms

  private void createRoom(String user, JsonNode p, Ack ack) {
    String name = p.path("name").asText("").trim().toLowerCase(java.util.Locale.ROOT);
    boolean isPrivate = p.path("private").asBoolean(false);
    if (!ROOM_NAME.matcher(name).matches()) {
      ack.send(error("a room name has 1 to 32 of a-z, 0-9, '_' and '-'"));
      return;
    }
    if (!store.createRoom(name, isPrivate, user)) {
      ack.send(error("room exists"));
      return;
    }
    io.in(userKey(user)).socketsJoin(roomKey(name));
    if (isPrivate) {
      io.to(userKey(user)).emit("rooms:changed", Map.of("room", name));
    } else {
      io.emit("rooms:changed", Map.of("room", name));
    }
    ack.send(Map.of("room", new ChatStore.Room(name, isPrivate, user, true, "room", user)));
  }

  private void joinRoom(Socket socket, String user, JsonNode p, Ack ack) {
    String name = p.path("room").asText("");
    Optional<ChatStore.Room> room = store.room(name, user);
    String peer = room.isEmpty() ? dmPeer(name, user) : null;
    if (peer != null && !peer.equals(user) && store.user(peer).isPresent()) {
      // a direct conversation not started yet: empty until its first message creates it
      onlineUsers().thenAccept(online -> ack.send(Map.of(
          "room", new ChatStore.Room(name, true, null, true, ChatStore.DM, user),
          "history", List.of(),
          "members", List.of(Map.of("name", user, "online", true), Map.of("name", peer, "online", online.contains(peer))))));
      return;
    }
    if (room.isEmpty() || (room.get().isPrivate() && !room.get().member())) {
      ack.send(error("no such room")); // a private room is not revealed to non-members
      return;
    }
    if (!room.get().member()) {
      store.addMember(name, user);
    }
    socket.join(roomKey(name));
    io.in(userKey(user)).socketsJoin(roomKey(name)); // the user's other tabs follow
    List<ChatStore.Message> history = store.history(name, user, historySize);
    markRead(name, user);
    List<String> members = store.members(name);
    onlineUsers().thenAccept(online -> {
      List<Map<String, Object>> list = new ArrayList<>();
      for (String m : members) {
        list.add(Map.of("name", m, "online", online.contains(m)));
      }
      ack.send(Map.of("room", new ChatStore.Room(name, room.get().isPrivate(), room.get().createdBy(), true,
          room.get().kind(), user),
          "history", history, "members", list));
    });
  }

  private void leaveRoom(String user, JsonNode p, Ack ack) {
    String name = p.path("room").asText("");
    if (!store.isMember(name, user)) {
      ack.send(error("not a member"));
      return;
    }
    if (name.startsWith("dm:")) {
      ack.send(error("a direct conversation is not left"));
      return;
    }
    store.removeMember(name, user);
    io.in(userKey(user)).socketsLeave(roomKey(name));
    stopTyping(user, name);
    io.to(userKey(user)).emit("rooms:changed", Map.of("room", name));
    ack.send(Map.of("ok", true));
  }

  private void invite(String user, JsonNode p, Ack ack) {
    String name = p.path("room").asText("");
    String invitee = p.path("user").asText("");
    Optional<ChatStore.Room> room = store.room(name, user);
    if (room.isEmpty() || !room.get().member()) {
      ack.send(error("no such room"));
    } else if (ChatStore.DM.equals(room.get().kind())) {
      ack.send(error("a direct conversation has two members"));
    } else if (!room.get().isPrivate() || !user.equals(room.get().createdBy())) {
      ack.send(error("only the creator of a private room invites"));
    } else if (store.user(invitee).isEmpty()) {
      ack.send(error("no such user"));
    } else {
      store.addMember(name, invitee);
      io.in(userKey(invitee)).socketsJoin(roomKey(name));
      io.to(userKey(invitee)).emit("rooms:changed", Map.of("room", name, "invitedBy", user));
      ack.send(Map.of("ok", true));
    }
  }

  // ---- messages

  private void message(Socket socket, String user, JsonNode p, Ack ack) {
    if (!limiter.tryAcquire(user)) {
      long retry = limiter.retryAfterMillis(user);
      socket.emit("error", Map.of("code", "rate_limited",
          "message", "too many messages: wait " + retry + " ms", "retryAfterMs", retry));
      ack.send(Map.of("error", "rate_limited", "retryAfterMs", retry));
      return;
    }
    String room = p.path("room").asText("");
    JsonNode textNode = p.path("text");
    String text = textNode.isTextual() ? textNode.asText().strip() : "";
    String clientId = p.path("clientId").isTextual() ? p.path("clientId").asText() : null;
    if (clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
      ack.send(error("clientId is a UUID"));
      return;
    }
    if (text.isEmpty()) {
      ack.send(error("empty message"));
      return;
    }
    if (text.length() > maxText) {
      ack.send(error("a message has at most " + maxText + " characters"));
      return;
    }
    Optional<ChatStore.Room> target = store.room(room, user);
    String newDmPeer = target.isEmpty() ? startDm(room, user) : null;
    if (target.isEmpty() && newDmPeer == null) {
      ack.send(error("not a member of this room"));
      return;
    }
    if (target.isPresent() && !target.get().member()) {
      ack.send(error("not a member of this room"));
      return;
    }
    ChatStore.Message m = new ChatStore.Message(clientId != null ? clientId.toLowerCase(java.util.Locale.ROOT)
        : UUID.randomUUID().toString(), room, user, text, System.currentTimeMillis(), null);
    Optional<ChatStore.Message> before = store.addMessageOnce(m); // stored before anyone sees it
    if (newDmPeer != null) {
      // told only now: the room list either user asks for on this event counts the first message
      io.to(userKey(user)).to(userKey(newDmPeer)).emit("rooms:changed", Map.of("room", room));
    }
    if (before.isPresent()) {
      // a retried send (its ack was lost): answered again, never stored or shown twice
      if (!before.get().sender().equals(user) || !before.get().room().equals(room)) {
        ack.send(error("clientId is taken"));
        return;
      }
      m = before.get();
    } else {
      stopTyping(user, room);
      io.to(roomKey(room)).emit("message", new MessageOut(m.id(), room, user, m.text(), m.time()));
    }
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("id", m.id());
    reply.put("time", m.time());
    if (clientId != null) {
      reply.put("clientId", clientId);
    }
    ack.send(reply);
  }

  /**
   * The first message to the direct conversation {@code room}: creates it when {@code room} is
   * {@code dm:A:B} of {@code user} and another user who exists, and puts both users' sockets in it (before
   * the message is broadcast, so that both get it). Returns the other user, or null when {@code room} is
   * no such name. The caller tells both users ({@code rooms:changed}) once the message is stored.
   */
  private String startDm(String room, String user) {
    String peer = dmPeer(room, user);
    if (peer == null || peer.equals(user) || store.user(peer).isEmpty()) {
      return null;
    }
    store.createDm(room, user, peer, user); // false when a concurrent first message made it: as good
    io.in(userKey(user)).socketsJoin(roomKey(room));
    io.in(userKey(peer)).socketsJoin(roomKey(room));
    return peer;
  }

  /** The other user of direct conversation {@code room} when it is {@code user}'s by its name. */
  private static String dmPeer(String room, String user) {
    String peer = ChatStore.dmPeer(room, user);
    return peer != null && Auth.NAME.matcher(peer).matches() && room.equals(ChatStore.dmRoom(user, peer)) ? peer : null;
  }

  // ---- typing

  private void typing(Socket socket, String user, JsonNode p) {
    String room = p.path("room").asText("");
    if (!socket.rooms().contains(roomKey(room))) {
      return; // only members' sockets are in the room
    }
    if (!p.path("typing").asBoolean(true)) {
      stopTyping(user, room);
      return;
    }
    String key = user + "\n" + room;
    boolean[] started = {false};
    typing.compute(key, (k, old) -> {
      if (old != null) {
        old.cancel(false);
      } else {
        started[0] = true;
      }
      return timers.schedule(() -> stopTyping(user, room), typingTimeoutMillis, TimeUnit.MILLISECONDS);
    });
    if (started[0]) {
      io.to(roomKey(room)).except(userKey(user)).emit("typing", Map.of("room", room, "user", user, "typing", true));
    }
  }

  /** Ends {@code user}'s typing in {@code room}, if any, telling the room. */
  private void stopTyping(String user, String room) {
    ScheduledFuture<?> timer = typing.remove(user + "\n" + room);
    if (timer != null) {
      timer.cancel(false);
      io.to(roomKey(room)).except(userKey(user)).emit("typing", Map.of("room", room, "user", user, "typing", false));
    }
  }

  // ---- receipts

  private void delivered(String user, JsonNode p, Ack ack) {
    List<String> ids = new ArrayList<>();
    if (p.path("id").isTextual()) {
      ids.add(p.path("id").asText());
    }
    for (JsonNode id : p.path("ids")) {
      if (ids.size() < 100) {
        ids.add(id.asText());
      }
    }
    long now = System.currentTimeMillis();
    for (String id : ids) {
      Optional<ChatStore.Message> m = store.message(id);
      if (m.isPresent() && !m.get().sender().equals(user) && store.isMember(m.get().room(), user)
          && store.markDelivered(id, user, now)) {
        io.to(userKey(m.get().sender())).emit("receipt", new ReceiptOut(id, m.get().room(), user, "delivered", now));
      }
    }
    ack.send(Map.of("ok", true));
  }

  private void read(String user, String room, Ack ack) {
    if (!store.isMember(room, user)) {
      ack.send(error("not a member of this room"));
      return;
    }
    markRead(room, user);
    ack.send(Map.of("ok", true));
  }

  private void markRead(String room, String user) {
    for (ChatStore.Receipt r : store.markRoomRead(room, user, System.currentTimeMillis())) {
      io.to(userKey(r.sender())).emit("receipt", new ReceiptOut(r.id(), room, user, "read", r.time()));
    }
  }

  private void receipts(String user, JsonNode p, Ack ack) {
    String id = p.path("id").asText("");
    Optional<ChatStore.Message> m = store.message(id);
    if (m.isEmpty() || !m.get().sender().equals(user)) {
      ack.send(error("not your message"));
      return;
    }
    List<ReceiptOut> out = new ArrayList<>();
    for (ChatStore.Receipt r : store.receipts(id)) {
      out.add(new ReceiptOut(id, r.room(), r.user(), r.status(), r.time()));
    }
    ack.send(out);
  }

  // ---- presence

  /** The names of the users with a socket on any node. */
  private java.util.concurrent.CompletableFuture<List<String>> onlineUsers() {
    return io.fetchSockets().thenApply(sockets -> {
      Set<String> names = new TreeSet<>();
      for (RemoteSocket s : sockets) {
        Object u = s.data().get("user");
        if (u != null) {
          names.add(u.toString());
        }
      }
      return new ArrayList<>(names);
    });
  }

  /** Every user (up to 500, by name) with whether they are online and when they were last seen. */
  private java.util.concurrent.CompletableFuture<List<Map<String, Object>>> people() {
    List<ChatStore.Person> all = store.people(MAX_PEOPLE);
    return onlineUsers().thenApply(online -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ChatStore.Person person : all) {
        boolean on = online.contains(person.name());
        out.add(presence(person.name(), on, person.lastSeen()));
      }
      return out;
    });
  }

  /**
   * Waits, up to {@code max}, for the presence writes under way: a shutdown calls it after closing
   * Parley (whose disconnects start them) and before closing the database.
   */
  void awaitPresenceWrites(Duration max) {
    try {
      java.util.concurrent.CompletableFuture.allOf(presenceWrites.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
          .get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("some presence updates had not finished when the chat stopped");
    }
  }

  /** After a socket left: when it was the user's last one (cluster-wide), the user is offline. */
  private void userSocketGone(String user) {
    java.util.concurrent.CompletableFuture<?> write = io.in(userKey(user)).fetchSockets().thenAccept(left -> {
      if (!left.isEmpty()) {
        return;
      }
      long now = System.currentTimeMillis();
      store.setLastSeen(user, now);
      for (String key : List.copyOf(typing.keySet())) {
        if (key.startsWith(user + "\n")) {
          stopTyping(user, key.substring(user.length() + 1));
        }
      }
      io.emit("presence", presence(user, false, now));
    }).exceptionally(e -> {
      log.warn("presence of {} not updated", user, e);
      return null;
    });
    presenceWrites.add(write);
    write.whenComplete((x, e) -> presenceWrites.remove(write));
  }

  private static Map<String, Object> presence(String user, boolean online, long lastSeen) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", user);
    m.put("online", online);
    m.put("lastSeen", online || lastSeen == 0 ? null : lastSeen);
    return m;
  }

  private static Map<String, Object> error(String message) {
    return Map.of("error", message);
  }
}
