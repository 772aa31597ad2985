package dev.parley.examples.chat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
  /** A stored user. */
  public record User(String name, byte[] salt, byte[] hash, int iterations, long lastSeen) {}

  /** A room as the list shows it to one user. */
  public record Room(String name, boolean isPrivate, String createdBy, boolean member) {}

  /** A stored message; {@code status} is the sender's view (sent, delivered, read) when known. */
  public record Message(String id, String room, String sender, String text, long time, String status) {}

  /** A receipt: {@code user} received ({@code delivered}) or read the message {@code id}. */
  public record Receipt(String id, String room, String sender, String user, String status, long time) {}

  private final JdbcConnectionPool pool;

  private ChatStore(JdbcConnectionPool pool) {
    this.pool = pool;
  }

  /**
   * Opens (creating if needed) the database file {@code path} (H2 adds {@code .mv.db}); with
   * {@code shared}, other processes may open the same file ({@code AUTO_SERVER=TRUE}).
   */
  public static ChatStore open(Path path, boolean shared) {
    if (shared && System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1"); // the auto-server port stays on this machine
    }
    String url = "jdbc:h2:file:" + path.toAbsolutePath() + (shared ? ";AUTO_SERVER=TRUE" : "");
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "chat", "");
    pool.setMaxConnections(32);
    ChatStore store = new ChatStore(pool);
    store.createSchema();
    return store;
  }

  private void createSchema() {
    run(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS users (name VARCHAR(32) PRIMARY KEY, salt VARBINARY(32) NOT NULL,"
            + " hash VARBINARY(64) NOT NULL, iterations INT NOT NULL, created_at BIGINT NOT NULL,"
            + " last_seen BIGINT NOT NULL DEFAULT 0)");
        s.execute("CREATE TABLE IF NOT EXISTS rooms (name VARCHAR(32) PRIMARY KEY, is_private BOOLEAN NOT NULL,"
            + " created_by VARCHAR(32), created_at BIGINT NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS memberships (room VARCHAR(32) NOT NULL, user_name VARCHAR(32) NOT NULL,"
            + " joined_at BIGINT NOT NULL, PRIMARY KEY (room, user_name))");
        s.execute("CREATE TABLE IF NOT EXISTS messages (seq BIGINT AUTO_INCREMENT PRIMARY KEY,"
            + " id VARCHAR(36) NOT NULL UNIQUE, room VARCHAR(32) NOT NULL, sender VARCHAR(32) NOT NULL,"
            + " text VARCHAR(2000) NOT NULL, ts BIGINT NOT NULL)");
        s.execute("CREATE INDEX IF NOT EXISTS messages_room ON messages (room, seq)");
        s.execute("CREATE TABLE IF NOT EXISTS receipts (message_id VARCHAR(36) NOT NULL, user_name VARCHAR(32) NOT NULL,"
            + " delivered_at BIGINT, read_at BIGINT, PRIMARY KEY (message_id, user_name))");
        s.execute("MERGE INTO rooms (name, is_private, created_by, created_at) KEY (name)"
            + " VALUES ('general', FALSE, NULL, 0)");
      }
      return null;
    });
  }

  // ---- users

  public Optional<User> user(String name) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, salt, hash, iterations, last_seen FROM users WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new User(rs.getString(1), rs.getBytes(2), rs.getBytes(3), rs.getInt(4), rs.getLong(5)))
              : Optional.<User>empty();
        }
      }
    });
  }

  /** Creates the user and makes it a member of {@code general}; false when the name is taken. */
  public boolean createUser(String name, byte[] salt, byte[] hash, int iterations) {
    return insertWithMember("INSERT INTO users (name, salt, hash, iterations, created_at) VALUES (?, ?, ?, ?, ?)",
        new Object[] {name, salt, hash, iterations, System.currentTimeMillis()}, "general", name);
  }

  public void setLastSeen(String name, long time) {
    update("UPDATE users SET last_seen = ? WHERE name = ?", time, name);
  }

  // ---- rooms

  public Optional<Room> room(String name, String forUser) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT r.name, r.is_private, r.created_by,"
          + " EXISTS (SELECT 1 FROM memberships m WHERE m.room = r.name AND m.user_name = ?) FROM rooms r WHERE r.name = ?")) {
        ps.setString(1, forUser);
        ps.setString(2, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new Room(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getBoolean(4)))
              : Optional.<Room>empty();
        }
      }
    });
  }

  /** The public rooms and the private rooms {@code user} belongs to, by name. */
  public List<Room> visibleRooms(String user) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT r.name, r.is_private, r.created_by, m.user_name IS NOT NULL"
          + " FROM rooms r LEFT JOIN memberships m ON m.room = r.name AND m.user_name = ?"
          + " WHERE NOT r.is_private OR m.user_name IS NOT NULL ORDER BY r.name")) {
        ps.setString(1, user);
        List<Room> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Room(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getBoolean(4)));
          }
        }
        return out;
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

  public void addMessage(Message m) {
    update("INSERT INTO messages (id, room, sender, text, ts) VALUES (?, ?, ?, ?, ?)",
        m.id(), m.room(), m.sender(), m.text(), m.time());
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
