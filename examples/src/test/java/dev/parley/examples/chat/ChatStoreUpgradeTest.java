package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database written by the chat's first version opens, keeps its rooms and messages, and takes direct messages. */
class ChatStoreUpgradeTest {
  @TempDir
  Path dir;

  @Test
  void theFirstVersionsDatabaseIsUpgraded() throws Exception {
    Path db = dir.resolve("old");
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + db.toAbsolutePath(), "chat", "");
        Statement s = c.createStatement()) {
      // the first version's schema, as it created it
      s.execute("CREATE TABLE users (name VARCHAR(32) PRIMARY KEY, salt VARBINARY(32) NOT NULL,"
          + " hash VARBINARY(64) NOT NULL, iterations INT NOT NULL, created_at BIGINT NOT NULL,"
          + " last_seen BIGINT NOT NULL DEFAULT 0)");
      s.execute("CREATE TABLE rooms (name VARCHAR(32) PRIMARY KEY, is_private BOOLEAN NOT NULL,"
          + " created_by VARCHAR(32), created_at BIGINT NOT NULL)");
      s.execute("CREATE TABLE memberships (room VARCHAR(32) NOT NULL, user_name VARCHAR(32) NOT NULL,"
          + " joined_at BIGINT NOT NULL, PRIMARY KEY (room, user_name))");
      s.execute("CREATE TABLE messages (seq BIGINT AUTO_INCREMENT PRIMARY KEY,"
          + " id VARCHAR(36) NOT NULL UNIQUE, room VARCHAR(32) NOT NULL, sender VARCHAR(32) NOT NULL,"
          + " text VARCHAR(2000) NOT NULL, ts BIGINT NOT NULL)");
      s.execute("INSERT INTO users VALUES ('old-user', X'00', X'00', 1, 0, 42)");
      s.execute("INSERT INTO rooms VALUES ('general', FALSE, NULL, 0)");
      s.execute("INSERT INTO memberships VALUES ('general', 'old-user', 0)");
      s.execute("INSERT INTO messages (id, room, sender, text, ts) VALUES ('m-1', 'general', 'old-user', 'hi', 1)");
    }
    try (ChatStore store = ChatStore.open(db, false)) {
      assertThat(store.user("old-user")).hasValueSatisfying(u -> {
        assertThat(u.password()).isNull(); // no password: a login fails, the name stays taken
        assertThat(u.lastSeen()).isEqualTo(42);
      });
      assertThat(store.history("general", "someone", 10)).extracting(ChatStore.Message::text).containsExactly("hi");
      assertThat(store.createUser("a-rather-long-name-of-32-letters", "$argon2id$x")).isTrue();
      String dm = ChatStore.dmRoom("a-rather-long-name-of-32-letters", "old-user");
      assertThat(store.createDm(dm, "old-user", "a-rather-long-name-of-32-letters", "old-user")).isTrue();
      assertThat(store.visibleRooms("old-user")).extracting(ChatStore.Room::name).contains("general", dm);
    }
    try (ChatStore again = ChatStore.open(db, false)) { // and opens again as it is now
      assertThat(again.people(10)).extracting(ChatStore.Person::name).contains("old-user");
    }
  }
}
