package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static dev.parley.it.sio.SioJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parley.Ack;
import dev.parley.AckTimeoutException;
import dev.parley.Args;
import dev.parley.Socket;
import dev.parley.SocketDisconnectedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Acknowledgements both ways with both official clients over each transport mode. */
class SioAckTest extends SioTestBase {

  private static Args get(CompletableFuture<Args> future) throws Exception {
    return future.get(EventLog.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aClientEmitWithAckIsAnsweredByAckSendAndOnlyTheFirstSendCounts(ClientKind kind, TransportMode mode) {
    List<Ack> acks = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> s.on("save", (args, ack) -> {
      acks.add(ack);
      ack.send(Map.of("saved", args.get(0).asText()), 7);
      ack.send("ignored");
    }));
    ClientSocket client = clients.connect(kind, mode, "/");

    assertThat(client.emitWithAck("save", "doc-1").await()).containsExactly(json("{saved: 'doc-1'}"), json("7"));
    assertThat(client.emitWithAck("save", "doc-2").await()).containsExactly(json("{saved: 'doc-2'}"), json("7"));
    assertThat(acks).hasSize(2).doesNotContain(Ack.NONE);
    assertThat(client.events().matching(e -> e.is("ack"))).hasSize(2);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anAckMayBeSentLaterFromAnotherThreadAndAnEventWithoutAckGetsAckNone(ClientKind kind, TransportMode mode) {
    List<Ack> withoutAck = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> {
      s.on("slow", (args, ack) -> CompletableFuture.runAsync(() -> ack.send("later", args.get(0))));
      s.on("fire-and-forget", (args, ack) -> {
        withoutAck.add(ack);
        ack.send("nobody listens");
        server.note("forgot", s, args.get(0).asText());
      });
    });
    ClientSocket client = clients.connect(kind, mode, "/");

    client.emit("fire-and-forget", "x");
    assertThat(client.emitWithAck("slow", 5).await()).containsExactly(json("'later'"), json("5"));
    server.events().awaitFirst(e -> e.is("forgot"), "fire-and-forget handled");
    assertThat(withoutAck).containsExactly(Ack.NONE);
    assertThat(client.events().matching(e -> e.is("ack"))).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aServerEmitWithAckIsAnsweredByTheClientAsFutureAndAsCallback(ClientKind kind, TransportMode mode)
      throws Exception {
    ClientSocket client = clients.connect(kind, mode, "/");
    client.autoAck("question", AutoAck.reply("yes", 42));
    client.autoAck(AutoAck.echo());
    client.autoAck("manual", AutoAck.never());
    Socket socket = server.socket(client.id());

    Args answer = get(socket.emitWithAck("question", "are you there?"));
    assertThat(answer.values()).containsExactly(json("'yes'"), json("42"));
    ClientEvent question = client.awaitEvent("question");
    assertThat(question.hasAck()).isTrue();
    assertThat(question.args()).containsExactly(json("'are you there?'"));

    List<Object> callbacks = new CopyOnWriteArrayList<>();
    CompletableFuture<Args> viaCallback = new CompletableFuture<>();
    socket.emitWithAck("echo-me", (error, response) -> {
      callbacks.add(error != null ? error : response);
      viaCallback.complete(response);
    }, "x", Map.of("n", 1), List.of(true, false));
    assertThat(get(viaCallback).values()).containsExactly(json("'x'"), json("{n: 1}"), json("[true, false]"));

    // answered by hand, later
    CompletableFuture<Args> manual = socket.emitWithAck("manual", 1);
    ClientEvent asked = client.awaitEvent("manual");
    assertThat(manual).isNotDone();
    client.answer(asked.callId(), "by hand", Map.of("ok", true));
    assertThat(get(manual).values()).containsExactly(json("'by hand'"), json("{ok: true}"));
    assertThat(callbacks).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anAckTimeoutFailsExactlyOnceWithAckTimeoutExceptionAndALateAnswerIsIgnored(ClientKind kind,
      TransportMode mode) throws Exception {
    ClientSocket client = clients.connect(kind, mode, "/"); // never answers by default
    Socket socket = server.socket(client.id());
    socket.on("round-trip", (args, ack) -> ack.send("done"));

    List<Throwable> callbackErrors = new CopyOnWriteArrayList<>();
    List<Args> callbackAnswers = new CopyOnWriteArrayList<>();
    socket.timeout(Duration.ofMillis(300)).emitWithAck("silence", (error, response) -> {
      if (error != null) {
        callbackErrors.add(error);
      } else {
        callbackAnswers.add(response);
      }
    }, "callback");
    CompletableFuture<Args> future = socket.timeout(Duration.ofMillis(300)).emitWithAck("silence", "future");

    ExecutionException failed = catchThrowableOfType(ExecutionException.class, () -> get(future));
    assertThat(failed.getCause()).isInstanceOf(AckTimeoutException.class).hasMessage("operation has timed out");
    assertThat(((AckTimeoutException) failed.getCause()).partialResponses()).isEmpty();
    EventLog.until("the callback has failed", () -> !callbackErrors.isEmpty());

    // the client answers after the timeout: both answers must be ignored
    List<ClientEvent> asked = client.awaitEvents("silence", 2);
    client.answer(asked.get(0).callId(), "too late");
    client.answer(asked.get(1).callId(), "too late");
    client.events().awaitCount(e -> e.is("answered"), 2, "late answers sent");
    assertThat(client.emitWithAck("round-trip").await()).containsExactly(json("'done'")); // after the late answers
    assertThat(callbackErrors).hasSize(1).allSatisfy(e -> assertThat(e).isInstanceOf(AckTimeoutException.class));
    assertThat(callbackAnswers).isEmpty();
    assertThat(server.events().matching(e -> e.is("error"))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aPendingAckFailsWithSocketDisconnectedExceptionWhenTheClientDisconnects(ClientKind kind,
      TransportMode mode) throws Exception {
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());
    CompletableFuture<Args> future = socket.emitWithAck("never-answered", 1);
    AtomicReference<Throwable> callbackError = new AtomicReference<>();
    socket.emitWithAck("never-answered", (error, response) -> callbackError.set(error), 2);
    client.awaitEvents("never-answered", 2);

    client.disconnect();

    ExecutionException failed = catchThrowableOfType(ExecutionException.class, () -> get(future));
    assertThat(failed.getCause()).isInstanceOf(SocketDisconnectedException.class);
    EventLog.until("the callback has failed", () -> callbackError.get() != null);
    assertThat(callbackError.get()).isInstanceOf(SocketDisconnectedException.class);
    assertThat(server.awaitDisconnect(socket.id())).isEqualTo("client namespace disconnect");

    // once disconnected, emitWithAck fails at once, on the calling thread
    AtomicReference<Thread> failedOn = new AtomicReference<>();
    socket.emitWithAck("too-late", (error, response) -> {
      if (error instanceof SocketDisconnectedException) {
        failedOn.set(Thread.currentThread());
      }
    });
    assertThat(failedOn.get()).isSameAs(Thread.currentThread());
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aClientSideAckTimeoutFiresWhenTheServerNeverAnswers(ClientKind kind, TransportMode mode) {
    server.io().onConnection(s -> s.on("ignored", (args, ack) -> server.note("ignored", s, null)));
    ClientSocket client = clients.connect(kind, mode, "/");

    String error = client.emitWithAck(Duration.ofMillis(300), "ignored", "hello?").awaitError();

    assertThat(error).isEqualTo("operation has timed out");
    server.events().awaitFirst(e -> e.is("ignored"), "the event reached the server");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void acksWorkInACustomNamespaceNextToTheMainOne(ClientKind kind, TransportMode mode) throws Exception {
    server.io().onConnection(s -> s.on("which", (args, ack) -> ack.send("main")));
    server.of("/other").onConnection(s -> s.on("which", (args, ack) -> ack.send("other")));
    ClientSocket main = clients.connect(kind, mode, "/");
    ClientSocket other = main.socket("/other", null);
    other.awaitConnect();
    main.autoAck(AutoAck.reply("from main"));
    other.autoAck(AutoAck.reply("from other"));

    PendingAck a = other.emitWithAck("which");
    PendingAck b = main.emitWithAck("which");
    assertThat(a.await()).containsExactly(json("'other'"));
    assertThat(b.await()).containsExactly(json("'main'"));
    Args fromOther = get(server.socket(other.id()).emitWithAck("who"));
    Args fromMain = get(server.socket(main.id()).emitWithAck("who"));
    assertThat(fromOther.get(0).asText()).isEqualTo("from other");
    assertThat(fromMain.get(0).asText()).isEqualTo("from main");
  }

}
