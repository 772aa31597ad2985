package dev.parley.examples.chat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The chat's storage: users, rooms, memberships, messages and receipts in an embedded H2 database file,
 * through plain JDBC.
 *
 * <p>Why H2: it is pure Java (one jar from Maven Central, no native library to match to the OS and CPU,
 * unlike SQLite's JDBC driver), it stores to a file, and with {@code ;AUTO_SERVER=TRUE} several processes
 * can share one file (the first opens it and serves the others over a local TCP port), which is what the
 * two-node setup uses.
 *
 * <p>Every method is one short transaction on a pooled connection; the handlers that call it run on
 * Parley's (virtual) handler threads, where blocking JDBC is fine.
 */
public final class ChatStore implements AutoCloseable {
  /** A stored user: {@code password} is a PHC Argon2 string ({@link Passwords}), null for an account that has none. */
  public record User(String name, String password, long lastSeen) {}

  /** A user as others see it: {@code lastSeen} is 0 before the first sign-out. */
  public record Person(String name, long lastSeen) {}

  /**
   * A room as the list shows it to one user. {@code kind} is {@code room} or {@code dm} (a direct
   * conversation, whose other member is {@code peer}); {@code unread} counts the messages from others
   * that this user has not read, and {@code unreadIds} holds the ids of the newest of them (at most
   * {@link #UNREAD_IDS_LISTED}), so a page that also receives messages live counts each once.
   */
  public record Room(String name, boolean isPrivate, String createdBy, boolean member, String kind, String peer,
      int unread, List<String> unreadIds) {
    /** A room; {@code unreadIds} is copied. */
    public Room {
      unreadIds = List.copyOf(unreadIds);
    }

    Room(String name, boolean isPrivate, String createdBy, boolean member, String kind, String forUser) {
      this(name, isPrivate, createdBy, member, kind, DM.equals(kind) ? dmPeer(name, forUser) : null, 0, List.of());
    }
  }

  /**
   * How many unread ids a room of {@link #visibleRooms} names: the newest. A page that counts by id cannot
   * tell whether a message it got live is among the unnamed ones, so the chat's page shows more than 99 as
   * "99+", which is true either way.
   */
  static final int UNREAD_IDS_LISTED = 100;

  /** The kind of a direct conversation's room. */
  static final String DM = "dm";

  /** A stored message; {@code status} is the sender's view (sent, delivered, read) when known. */
  public record Message(String id, String room, String sender, String text, long time, String status) {}

  /** A receipt: {@code user} received ({@code delivered}) or read the message {@code id}. */
  public record Receipt(String id, String room, String sender, String user, String status, long time) {}

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ChatStore.class);
  private final JdbcConnectionPool pool;

  private ChatStore(JdbcConnectionPool pool) {
    this.pool = pool;
  }

  /**
   * Opens (creating if needed) the database file {@code path} (H2 adds {@code .mv.db}); with
   * {@code shared}, other processes may open the same file ({@code AUTO_SERVER=TRUE}).
   *
   * <p>H2's own shutdown hook is off ({@code DB_CLOSE_ON_EXIT=FALSE}): it would close the database at
   * JVM exit while the chat still writes the presence of the users it disconnects. {@link #close()},
   * called after Parley has closed, closes it instead. H2 does not allow that with {@code AUTO_SERVER}, so
   * a shared file keeps H2's hook, and a node stopped with users on it may miss their last-seen times.
   */
  public static ChatStore open(Path path, boolean shared) {
    if (shared && System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1"); // the auto-server port stays on this machine
    }
    // H2 refuses DB_CLOSE_ON_EXIT=FALSE with AUTO_SERVER: the shared file keeps H2's hook (docs/chat.md)
    String url = "jdbc:h2:file:" + path.toAbsolutePath() + (shared ? ";AUTO_SERVER=TRUE" : ";DB_CLOSE_ON_EXIT=FALSE");
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "chat", "");
    pool.setMaxConnections(32);
    ChatStore store = new ChatStore(pool);
    store.createSchema();
    return store;
  }

  private void createSchema() {
    run(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS users (name VARCHAR(32) PRIMARY KEY, password VARCHAR(200),"
            + " created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL DEFAULT 0)");
        s.execute("CREATE TABLE IF NOT EXISTS rooms (name VARCHAR(80) PRIMARY KEY, is_private BOOLEAN NOT NULL,"
            + " created_by VARCHAR(32), created_at BIGINT NOT NULL, kind VARCHAR(8) DEFAULT 'room' NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS memberships (room VARCHAR(80) NOT NULL, user_name VARCHAR(32) NOT NULL,"
            + " joined_at BIGINT NOT NULL, PRIMARY KEY (room, user_name))");
        s.execute("CREATE TABLE IF NOT EXISTS messages (seq BIGINT AUTO_INCREMENT PRIMARY KEY,"
            + " id VARCHAR(36) NOT NULL UNIQUE, room VARCHAR(80) NOT NULL, sender VARCHAR(32) NOT NULL,"
            + " text VARCHAR(2000) NOT NULL, ts BIGINT NOT NULL)");
        upgradeFromFirstVersion(s);
        s.execute("CREATE INDEX IF NOT EXISTS messages_room ON messages (room, seq)");
        s.execute("CREATE TABLE IF NOT EXISTS receipts (message_id VARCHAR(36) NOT NULL, user_name VARCHAR(32) NOT NULL,"
            + " delivered_at BIGINT, read_at BIGINT, PRIMARY KEY (message_id, user_name))");
        s.execute("MERGE INTO rooms (name, is_private, created_by, created_at) KEY (name)"
            + " VALUES ('general', FALSE, NULL, 0)");
      }
      return null;
    });
  }

  /**
   * A database written by the chat's first version: room names widen to hold direct conversations,
   * rooms get their kind, and the PBKDF2 password columns give way to one Argon2 column (those
   * accounts have no password any more: their names stay taken, as their messages are kept).
   */
  private static void upgradeFromFirstVersion(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS"
        + " WHERE TABLE_NAME = 'USERS' AND COLUMN_NAME = 'SALT'")) {
      rs.next();
      if (rs.getInt(1) == 0) {
        return;
      }
    }
    s.execute("ALTER TABLE rooms ALTER COLUMN name SET DATA TYPE VARCHAR(80)");
    s.execute("ALTER TABLE rooms ADD COLUMN IF NOT EXISTS kind VARCHAR(8) DEFAULT 'room' NOT NULL");
    s.execute("ALTER TABLE memberships ALTER COLUMN room SET DATA TYPE VARCHAR(80)");
    s.execute("ALTER TABLE messages ALTER COLUMN room SET DATA TYPE VARCHAR(80)");
    s.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS password VARCHAR(200)");
    s.execute("ALTER TABLE users DROP COLUMN salt");
    s.execute("ALTER TABLE users DROP COLUMN hash");
    s.execute("ALTER TABLE users DROP COLUMN iterations");
    log.warn("the chat database is from the chat's first version: its accounts had PBKDF2 passwords and now have"
        + " none (their names stay taken); delete the database file to start afresh");
  }

  // ---- users

  public Optional<User> user(String name) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT name, password, last_seen FROM users WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new User(rs.getString(1), rs.getString(2), rs.getLong(3)))
              : Optional.<User>empty();
        }
      }
    });
  }

  /** Creates the user and makes it a member of {@code general}; false when the name is taken. */
  public boolean createUser(String name, String passwordHash) {
    return insertWithMember("INSERT INTO users (name, password, created_at) VALUES (?, ?, ?)",
        new Object[] {name, passwordHash, System.currentTimeMillis()}, "general", name);
  }

  /** Every user with the time they were last seen (0: never signed out), by name; {@code limit} at most. */
  public List<Person> people(int limit) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT name, last_seen FROM users ORDER BY name LIMIT ?")) {
        ps.setInt(1, limit);
        List<Person> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Person(rs.getString(1), rs.getLong(2)));
          }
        }
        return out;
      }
    });
  }

  public void setLastSeen(String name, long time) {
    update("UPDATE users SET last_seen = ? WHERE name = ?", time, name);
  }

  // ---- rooms

  public Optional<Room> room(String name, String forUser) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT r.name, r.is_private, r.created_by,"
          + " EXISTS (SELECT 1 FROM memberships m WHERE m.room = r.name AND m.user_name = ?), r.kind"
          + " FROM rooms r WHERE r.name = ?")) {
        ps.setString(1, forUser);
        ps.setString(2, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new Room(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getBoolean(4),
                  rs.getString(5), forUser))
              : Optional.<Room>empty();
        }
      }
    });
  }

  /**
   * The public rooms and the private rooms and direct conversations {@code user} belongs to, by name,
   * each with the count of messages from others that {@code user} has not read (in rooms they are a
   * member of) and the ids of the newest of them ({@link #UNREAD_IDS_LISTED} at most, oldest first). One
   * statement reads both counts and ids, so they agree with each other.
   */
  public List<Room> visibleRooms(String user) {
    return run(c -> {
      Map<String, List<String>> ids = new HashMap<>();
      Map<String, Integer> counts = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT room, id, n FROM (SELECT x.room, x.id,"
          + " COUNT(*) OVER (PARTITION BY x.room) n, ROW_NUMBER() OVER (PARTITION BY x.room ORDER BY x.seq DESC) k"
          + " FROM messages x JOIN memberships m ON m.room = x.room AND m.user_name = ? WHERE x.sender <> ?"
          + " AND NOT EXISTS (SELECT 1 FROM receipts t WHERE t.message_id = x.id AND t.user_name = ?"
          + " AND t.read_at IS NOT NULL)) WHERE k <= ? ORDER BY room, k DESC")) {
        ps.setString(1, user);
        ps.setString(2, user);
        ps.setString(3, user);
        ps.setInt(4, UNREAD_IDS_LISTED);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.computeIfAbsent(rs.getString(1), r -> new ArrayList<>()).add(rs.getString(2));
            counts.put(rs.getString(1), rs.getInt(3));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT r.name, r.is_private, r.created_by,"
          + " m.user_name IS NOT NULL, r.kind FROM rooms r LEFT JOIN memberships m ON m.room = r.name AND m.user_name = ?"
          + " WHERE NOT r.is_private OR m.user_name IS NOT NULL ORDER BY r.name")) {
        ps.setString(1, user);
        List<Room> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String name = rs.getString(1);
            String kind = rs.getString(5);
            out.add(new Room(name, rs.getBoolean(2), rs.getString(3), rs.getBoolean(4), kind,
                DM.equals(kind) ? dmPeer(name, user) : null, counts.getOrDefault(name, 0),
                ids.getOrDefault(name, List.of())));
          }
        }
        return out;
      }
    });
  }

  /** The room of the direct conversation between {@code a} and {@code b}: {@code dm:} and the two names in order. */
  static String dmRoom(String a, String b) {
    return a.compareTo(b) <= 0 ? "dm:" + a + ":" + b : "dm:" + b + ":" + a;
  }

  /** The other member of direct conversation {@code room} for {@code user}; null when {@code room} is not theirs. */
  static String dmPeer(String room, String user) {
    String[] parts = room.split(":", -1);
    if (parts.length != 3 || !parts[0].equals("dm")) {
      return null;
    }
    return parts[1].equals(user) ? parts[2] : parts[2].equals(user) ? parts[1] : null;
  }

  /**
   * Creates the direct conversation {@code room} of {@code a} and {@code b}, both members; false when it
   * exists already.
   */
  public boolean createDm(String room, String a, String b, String creator) {
    return run(c -> {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rooms (name, is_private, created_by, created_at, kind) VALUES (?, TRUE, ?, ?, 'dm')")) {
        ps.setString(1, room);
        ps.setString(2, creator);
        ps.setLong(3, System.currentTimeMillis());
        ps.executeUpdate();
        addMember(c, room, a);
        addMember(c, room, b);
        c.commit();
        return true;
      } catch (SQLException e) {
        c.rollback();
        if (isDuplicate(e)) {
          return false;
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  /** The rooms {@code user} is a member of. */
  public List<String> memberRooms(String user) {
    return strings("SELECT room FROM memberships WHERE user_name = ? ORDER BY room", user);
  }

  /** Creates a room with its creator as first member; false when the name is taken. */
  public boolean createRoom(String name, boolean isPrivate, String creator) {
    return insertWithMember("INSERT INTO rooms (name, is_private, created_by, created_at) VALUES (?, ?, ?, ?)",
        new Object[] {name, isPrivate, creator, System.currentTimeMillis()}, name, creator);
  }

  public boolean isMember(String room, String user) {
    return !strings("SELECT user_name FROM memberships WHERE room = ? AND user_name = ?", room, user).isEmpty();
  }

  public void addMember(String room, String user) {
    run(c -> {
      addMember(c, room, user);
      return null;
    });
  }

  public void removeMember(String room, String user) {
    update("DELETE FROM memberships WHERE room = ? AND user_name = ?", room, user);
  }

  public List<String> members(String room) {
    return strings("SELECT user_name FROM memberships WHERE room = ? ORDER BY user_name", room);
  }

  private static void addMember(Connection c, String room, String user) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "MERGE INTO memberships (room, user_name, joined_at) KEY (room, user_name) VALUES (?, ?, ?)")) {
      ps.setString(1, room);
      ps.setString(2, user);
      ps.setLong(3, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }

  // ---- messages

  /**
   * Stores {@code m} unless a message with its id exists: the id is the sender's, so a send that is
   * retried is stored once. Returns the message stored before under that id, or empty when {@code m}
   * is new.
   */
  public Optional<Message> addMessageOnce(Message m) {
    try {
      update("INSERT INTO messages (id, room, sender, text, ts) VALUES (?, ?, ?, ?, ?)",
          m.id(), m.room(), m.sender(), m.text(), m.time());
      return Optional.empty();
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof SQLException sql && isDuplicate(sql)) {
        return Optional.of(message(m.id()).orElseThrow(() -> e));
      }
      throw e;
    }
  }

  public Optional<Message> message(String id) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, room, sender, text, ts FROM messages WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), null))
              : Optional.<Message>empty();
        }
      }
    });
  }

  /**
   * The last {@code limit} messages of a room, oldest first; for {@code viewer}'s own messages the
   * status is the best receipt any other member gave (read, delivered) or sent.
   */
  public List<Message> history(String room, String viewer, int limit) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.room, m.sender, m.text, m.ts,"
          + " CASE WHEN m.sender <> ? THEN NULL"
          + "  WHEN EXISTS (SELECT 1 FROM receipts r WHERE r.message_id = m.id AND r.read_at IS NOT NULL) THEN 'read'"
          + "  WHEN EXISTS (SELECT 1 FROM receipts r WHERE r.message_id = m.id AND r.delivered_at IS NOT NULL) THEN 'delivered'"
          + "  ELSE 'sent' END"
          + " FROM messages m WHERE m.room = ? ORDER BY m.seq DESC LIMIT ?")) {
        ps.setString(1, viewer);
        ps.setString(2, room);
        ps.setInt(3, limit);
        List<Message> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6)));
          }
        }
        Collections.reverse(out);
        return out;
      }
    });
  }

  // ---- receipts

  /** Records that {@code user} received message {@code id}; true when this is new. */
  public boolean markDelivered(String id, String user, long time) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE receipts SET delivered_at = ? WHERE message_id = ? AND user_name = ? AND delivered_at IS NULL")) {
        ps.setLong(1, time);
        ps.setString(2, id);
        ps.setString(3, user);
        if (ps.executeUpdate() == 1) {
          return true;
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO receipts (message_id, user_name, delivered_at) VALUES (?, ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, user);
        ps.setLong(3, time);
        ps.executeUpdate();
        return true;
      } catch (SQLException e) {
        if (isDuplicate(e)) {
          return false; // already delivered
        }
        throw e;
      }
    });
  }

  /**
   * Marks read by {@code user} every message of {@code room} sent by someone else and not yet read
   * by them; returns those receipts (to tell their senders).
   */
  public List<Receipt> markRoomRead(String room, String user, long time) {
    return run(c -> {
      List<Receipt> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.sender FROM messages m WHERE m.room = ? AND m.sender <> ?"
          + " AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.message_id = m.id AND r.user_name = ? AND r.read_at IS NOT NULL)"
          + " ORDER BY m.seq")) {
        ps.setString(1, room);
        ps.setString(2, user);
        ps.setString(3, user);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Receipt(rs.getString(1), room, rs.getString(2), user, "read", time));
          }
        }
      }
      if (out.isEmpty()) {
        return out;
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("MERGE INTO receipts (message_id, user_name, delivered_at, read_at)"
          + " KEY (message_id, user_name) VALUES (?, ?, COALESCE((SELECT delivered_at FROM receipts WHERE message_id = ?"
          + " AND user_name = ?), ?), ?)")) {
        for (Receipt r : out) {
          ps.setString(1, r.id());
          ps.setString(2, user);
          ps.setString(3, r.id());
          ps.setString(4, user);
          ps.setLong(5, time);
          ps.setLong(6, time);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      return out;
    });
  }

  /** The receipts of message {@code id}: user to status (delivered or read). */
  public List<Receipt> receipts(String id) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT r.user_name, r.delivered_at, r.read_at, m.room, m.sender"
          + " FROM receipts r JOIN messages m ON m.id = r.message_id WHERE r.message_id = ? ORDER BY r.user_name")) {
        ps.setString(1, id);
        List<Receipt> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long read = rs.getLong(3);
            boolean wasRead = !rs.wasNull();
            out.add(new Receipt(id, rs.getString(4), rs.getString(5), rs.getString(1),
                wasRead ? "read" : "delivered", wasRead ? read : rs.getLong(2)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public void close() {
    pool.dispose();
  }

  // ---- plumbing

  @FunctionalInterface
  private interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  private <T> T run(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw new IllegalStateException("database: " + e.getMessage(), e);
    }
  }

  private int update(String sql, Object... params) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          ps.setObject(i + 1, params[i]);
        }
        return ps.executeUpdate();
      }
    });
  }

  private List<String> strings(String sql, String... params) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          ps.setString(i + 1, params[i]);
        }
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      }
    });
  }

  /**
   * In one transaction: inserts a row and makes {@code user} a member of {@code room}; false, with
   * nothing written, when the row's key is taken.
   */
  private boolean insertWithMember(String sql, Object[] params, String room, String user) {
    return run(c -> {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          ps.setObject(i + 1, params[i]);
        }
        ps.executeUpdate();
        addMember(c, room, user);
        c.commit();
        return true;
      } catch (SQLException e) {
        c.rollback();
        if (isDuplicate(e)) {
          return false;
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  private static boolean isDuplicate(SQLException e) {
    return "23505".equals(e.getSQLState()); // unique or primary key violation
  }
}
