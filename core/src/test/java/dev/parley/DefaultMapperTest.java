package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.InProcessServer.Conn;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the default mapper makes of dates, optionals, unknown properties and values that are not data. */
class DefaultMapperTest {
  record Meeting(String title, Instant at, LocalDate day, Optional<String> room, Duration length) {}

  record Move(int x, int y) {}

  private final List<Throwable> causes = new ArrayList<>();
  private final InProcessServer server = new InProcessServer(b -> {});

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void javaTimeAndOptionalGoOutAsJavaScriptWritesThem() {
    Conn c = server.connect();
    server.last().emit("meeting", new Meeting("standup", Instant.parse("2026-12-06T09:30:00Z"),
        LocalDate.of(2026, 12, 6), Optional.of("blue"), Duration.ofMinutes(15)),
        OffsetDateTime.of(2026, 12, 6, 10, 0, 0, 0, ZoneOffset.ofHours(1)), Optional.empty());
    assertThat(c.last()).isEqualTo("42[\"meeting\",{\"title\":\"standup\",\"at\":\"2026-12-06T09:30:00Z\","
        + "\"day\":\"2026-12-06\",\"room\":\"blue\",\"length\":\"PT15M\"},\"2026-12-06T10:00:00+01:00\",null]");
  }

  @Test
  void javaTimeAndOptionalComeInFromWhatJavaScriptSends() {
    Conn c = server.connect();
    List<Meeting> got = new ArrayList<>();
    server.last().on("meeting", Meeting.class, (m, ack) -> got.add(m));
    c.send("42[\"meeting\",{\"title\":\"standup\",\"at\":\"2026-12-06T09:30:00.000Z\",\"day\":\"2026-12-06\","
        + "\"room\":null,\"length\":\"PT15M\",\"organiser\":\"ana\"}]"); // a property Meeting does not have
    assertThat(got).containsExactly(new Meeting("standup", Instant.parse("2026-12-06T09:30:00Z"),
        LocalDate.of(2026, 12, 6), Optional.empty(), Duration.ofMinutes(15)));
  }

  @Test
  void anArgumentThatDoesNotConvertAnswersTheAckWithAnErrorTheClientCanActOn() {
    InProcessServer s = new InProcessServer(b -> b.errorHandler((socket, event, error) -> causes.add(error)));
    try {
      Conn c = s.connect();
      s.last().on("move", Move.class, (m, ack) -> ack.send("ok"));
      c.send("425[\"move\",\"not a move\"]");
      assertThat(c.last()).isEqualTo(
          "435[{\"error\":\"invalid argument\",\"argument\":0,\"message\":\"argument 0 is not a Move\"}]");
      assertThat(causes).singleElement().isInstanceOf(InvalidArgumentException.class);
      InvalidArgumentException e = (InvalidArgumentException) causes.get(0);
      assertThat(e.index()).isZero();
      assertThat(e.type()).isEqualTo(Move.class);
      assertThat(e.getMessage()).startsWith("argument 0 is not a Move: "); // the converter's words stay here
      c.send("426[\"move\",{\"x\":1,\"y\":2}]");
      assertThat(c.last()).isEqualTo("436[\"ok\"]");
      assertThat(c.transport.closed()).isFalse();
    } finally {
      s.close();
    }
  }

  @Test
  void aSecondArgumentThatDoesNotConvertIsNamedByItsPosition() {
    Conn c = server.connect();
    server.last().on("place", (args, ack) -> ack.send(args.get(1, Move.class).x()));
    c.send("427[\"place\",\"board\",[1,2,3]]");
    assertThat(c.last()).isEqualTo(
        "437[{\"error\":\"invalid argument\",\"argument\":1,\"message\":\"argument 1 is not a Move\"}]");
  }

  @Test
  void valuesThatAreNotDataAreRefusedWithAClearError() {
    server.connect();
    Socket socket = server.last();
    for (Object notData : List.of(Thread.currentThread(), new CompletableFuture<String>(),
        getClass().getClassLoader(), System.out)) {
      assertThatThrownBy(() -> socket.emit("leak", notData))
          .isInstanceOf(SocketIoException.class)
          .hasMessageContaining("cannot convert " + notData.getClass().getName())
          .hasMessageContaining("is not sent to clients");
    }
  }

  @Test
  void aMapThatContainsItselfIsAClearErrorNotAStackOverflow() {
    server.connect();
    Map<String, Object> self = new HashMap<>();
    self.put("me", self);
    assertThatThrownBy(() -> server.last().emit("loop", self))
        .isInstanceOf(SocketIoException.class)
        .hasMessageContaining("cannot convert java.util.HashMap to JSON");
  }

  @Test
  void aHandlerAnsweringWithAThreadGetsTheInternalErrorNotTheThread() {
    Conn c = server.connect();
    server.last().on("who", (args, ack) -> ack.send(Thread.currentThread()));
    c.send("428[\"who\"]");
    assertThat(c.last()).isEqualTo("438[{\"error\":\"internal server error\"}]");
  }

  @Test
  void theDefaultMapperIsAFreshCopyEachTime() {
    assertThat(SocketIoServer.defaultMapper()).isNotSameAs(SocketIoServer.defaultMapper());
    assertThat(SocketIoServer.defaultMapper().getRegisteredModuleIds())
        .contains("jackson-datatype-jsr310", "com.fasterxml.jackson.datatype.jdk8.Jdk8Module");
  }
}
