package dev.parley.it.sio;

import dev.parley.it.EventLog;

import static dev.parley.it.sio.SioJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.AnyEventListener;
import dev.parley.Args;
import dev.parley.Socket;
import dev.parley.SocketIoException;
import dev.parley.it.sio.SioServer.ServerEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events both ways with both official clients over each transport mode: JSON of every type, typed
 * handlers, any-listeners, reserved names, per-packet middleware, handler exceptions.
 */
class SioEventsTest extends SioTestBase {
  record Point(int x, int y, String label, List<String> tags) {}

  /** One argument of each JSON shape; 1.0 is left out on purpose (the Java client's org.json writes it as 1). */
  private static Object[] everyType() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("a", Map.of("b", Arrays.asList(1, "two", Map.of("c", false))));
    nested.put("nothing", null);
    nested.put("empty", Map.of());
    return new Object[] {
        "text", "", "unicode é ü 中文 😀 \"quoted\" back\\slash </script> tab\t newline\n", 0, -17, Integer.MAX_VALUE,
        1234567890123L, 1.5, -0.25, true, false, null, nested, List.of(), Map.of(),
        Arrays.asList(1, "x", null, List.of(List.of()), Map.of("k", "v"))};
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void eventsCarryJsonOfEveryTypeBothWays(ClientKind kind, TransportMode mode) {
    List<Args> received = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> s.on("types", (args, ack) -> {
      received.add(args);
      s.emit("types-back", args.values().toArray());
    }));
    ClientSocket client = clients.connect(kind, mode, "/");
    ArrayNode expected = SioJson.array(everyType());

    client.emit("types", everyType());

    List<JsonNode> back = client.awaitEvent("types-back").args();
    assertThat(received).hasSize(1);
    assertThat(received.get(0).values()).containsExactlyElementsOf(expected);
    assertThat(back).containsExactlyElementsOf(expected);

    // straight from Java values on the server, including a record and no arguments at all
    Socket socket = server.socket(client.id());
    socket.emit("from-java", new Point(3, -4, "p", List.of("a", "b")), Map.of("list", List.of(1, 2)), 'c');
    socket.emit("no-args");
    assertThat(client.awaitEvent("from-java").args()).containsExactly(
        json("{x: 3, y: -4, label: 'p', tags: ['a', 'b']}"), json("{list: [1, 2]}"), json("'c'"));
    assertThat(client.awaitEvent("no-args").args()).isEmpty();
    assertThat(client.awaitEvent("no-args").hasAck()).isFalse();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void eventsToOneClientArriveInOrderBothWays(ClientKind kind, TransportMode mode) {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> s.on("n", (args, ack) -> seen.add(args.get(0).asInt())));
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());

    for (int i = 0; i < 100; i++) {
      client.emit("n", i);
      socket.emit("n", i);
    }

    List<Integer> atClient = client.awaitEvents("n", 100).stream().map(e -> e.arg(0).asInt())
        .collect(Collectors.toList());
    EventLog.until("the server has all 100", () -> seen.size() == 100, () -> "seen " + seen);
    List<Integer> inOrder = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      inOrder.add(i);
    }
    assertThat(atClient).isEqualTo(inOrder);
    assertThat(seen).isEqualTo(inOrder);
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void aTypedHandlerReceivesARecordAndABadPayloadReachesTheErrorHandlerAndItsAck(ClientKind kind, TransportMode mode) {
    List<Point> points = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> s.on("point", Point.class, (p, ack) -> {
      points.add(p);
      ack.send(new Point(p.x() + 1, p.y() + 1, p.label().toUpperCase(), p.tags()));
    }));
    ClientSocket client = clients.connect(kind, mode, "/");

    List<JsonNode> answer = client.emitWithAck("point", Map.of("x", 1, "y", 2, "label", "p", "tags", List.of("t"))).await();

    assertThat(points).containsExactly(new Point(1, 2, "p", List.of("t")));
    assertThat(answer).containsExactly(json("{x: 2, y: 3, label: 'P', tags: ['t']}"));

    client.emit("point", "not a point");
    ServerEvent error = server.awaitErrors(1).get(0);
    assertThat(error.detail()).isEqualTo("point");
    assertThat(error.socketId()).isEqualTo(client.id());
    assertThat(error.error()).isInstanceOf(SocketIoException.class).hasMessageContaining("Point");
    // with an ack, the client is told which argument did not fit, not left waiting
    assertThat(client.emitWithAck("point", List.of(1, 2)).await())
        .containsExactly(json("{error: 'invalid argument', argument: 0, message: 'argument 0 is not a Point'}"));
    assertThat(client.emitWithAck("point", Map.of("x", 0, "y", 0, "label", "q", "tags", List.of())).await())
        .containsExactly(json("{x: 1, y: 1, label: 'Q', tags: []}"));
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anyListenersRunInOrderBeforeTheHandlersAndOutgoingListenersSeeEmits(ClientKind kind, TransportMode mode) {
    List<String> order = new CopyOnWriteArrayList<>();
    List<String> outgoing = new CopyOnWriteArrayList<>();
    AnyEventListener c = (event, args) -> order.add("C " + event);
    server.io().onConnection(s -> {
      s.on("x", (args, ack) -> order.add("handler " + args.get(0).asText()));
      s.onAny((event, args) -> order.add("A " + event));
      s.prependAny((event, args) -> order.add("B " + event));
      s.onAny(c);
      s.onAnyOutgoing((event, args) -> outgoing.add(event + " " + args.values()));
      s.on("remove-c", (args, ack) -> {
        s.offAny(c);
        ack.send();
      });
    });
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());

    client.emit("x", "1");
    EventLog.until("the handler ran", () -> order.contains("handler 1"), order::toString);
    assertThat(order).containsExactly("B x", "A x", "C x", "handler 1");

    client.emitWithAck("remove-c").await();
    order.clear();
    client.emit("x", "2");
    EventLog.until("the handler ran", () -> order.contains("handler 2"), order::toString);
    assertThat(order).containsExactly("B x", "A x", "handler 2");

    client.autoAck(AutoAck.echo());
    socket.emit("out", 1, "two");
    socket.emitWithAck("out-ack", List.of(3));
    server.io().emit("broadcast", "not seen by onAnyOutgoing");
    client.awaitEvent("broadcast");
    client.awaitEvent("out-ack");
    assertThat(outgoing).containsExactly("out [1, \"two\"]", "out-ack [[3]]");
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void emittingAReservedEventNameThrowsAndSendsNothing(ClientKind kind, TransportMode mode) {
    ClientSocket client = clients.connect(kind, mode, "/");
    Socket socket = server.socket(client.id());
    socket.join("room");

    for (String reserved : List.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
        "removeListener")) {
      assertThatThrownBy(() -> socket.emit(reserved, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(reserved);
      assertThatThrownBy(() -> socket.emitWithAck(reserved)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> socket.emitWithAck(reserved, (e, r) -> {})).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> socket.timeout(Duration.ofSeconds(1)).emitWithAck(reserved))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> server.io().emit(reserved)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> server.io().to("room").emit(reserved)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> socket.broadcast().emit(reserved)).isInstanceOf(IllegalArgumentException.class);
    }
    Args args = captureArgs(client, socket);
    assertThatThrownBy(() -> socket.emit("forward", args)).as("an Args object as an argument")
        .isInstanceOf(IllegalArgumentException.class);

    socket.emit("fine", "still connected");
    assertThat(client.awaitEvent("fine").arg(0).asText()).isEqualTo("still connected");
    assertThat(client.events().matching(e -> e.is("event"))).hasSize(1);
    assertThat(client.events().matching(e -> e.is("disconnect"))).isEmpty();
  }

  /** An Args object as a handler receives it. */
  private static Args captureArgs(ClientSocket client, Socket socket) {
    CompletableFuture<Args> captured = new CompletableFuture<>();
    socket.on("capture", (args, ack) -> {
      captured.complete(args);
      ack.send();
    });
    client.emitWithAck("capture", 1, 2).await();
    return captured.join();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void packetMiddlewareCanRejectAnEventSoItsHandlerIsSkippedAndOnErrorSeesTheError(ClientKind kind,
      TransportMode mode) {
    List<String> handled = new CopyOnWriteArrayList<>();
    List<Exception> errors = new CopyOnWriteArrayList<>();
    List<String> seenByMiddleware = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> {
      s.use((event, args, next) -> {
        seenByMiddleware.add("first " + event);
        if (event.startsWith("admin:")) {
          next.reject(new SocketIoException("not allowed: " + event));
        } else {
          next.proceed();
        }
      });
      // a second middleware that lets events through later, from another thread
      s.use((event, args, next) -> {
        seenByMiddleware.add("second " + event);
        CompletableFuture.runAsync(next::proceed);
      });
      s.onError(errors::add);
      s.on("admin:drop", (args, ack) -> handled.add("admin:drop"));
      s.on("normal", (args, ack) -> {
        handled.add("normal " + args.get(0).asText());
        ack.send("ok");
      });
    });
    ClientSocket client = clients.connect(kind, mode, "/");

    client.emit("admin:drop", "secret");
    PendingAck rejectedWithAck = client.emitWithAck(Duration.ofMillis(500), "admin:drop", "again");
    assertThat(client.emitWithAck("normal", "1").await()).containsExactly(json("'ok'"));

    EventLog.until("both rejections reached onError", () -> errors.size() == 2);
    assertThat(errors).allSatisfy(e -> assertThat(e).isInstanceOf(SocketIoException.class)
        .hasMessage("not allowed: admin:drop"));
    assertThat(handled).containsExactly("normal 1");
    assertThat(seenByMiddleware).containsExactly("first admin:drop", "first admin:drop", "first normal",
        "second normal");
    assertThat(rejectedWithAck.awaitError()).as("nothing is sent to the client").isEqualTo("operation has timed out");
    assertThat(server.events().matching(e -> e.is("error"))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anExceptionInAHandlerReachesTheErrorHandlerAndTheConnectionStaysUp(ClientKind kind, TransportMode mode) {
    List<String> later = new CopyOnWriteArrayList<>();
    server.io().onConnection(s -> {
      s.on("boom", (args, ack) -> {
        throw new IllegalStateException("kaboom " + args.get(0).asText());
      });
      s.on("boom", (args, ack) -> later.add("second handler still ran"));
      s.on("checked", (args, ack) -> {
        throw new IOException("checked too");
      });
      s.on("after", (args, ack) -> ack.send("still here"));
    });
    ClientSocket client = clients.connect(kind, mode, "/");

    client.emit("boom", "1");
    client.emit("checked");
    assertThat(client.emitWithAck("after").await()).containsExactly(json("'still here'"));

    List<ServerEvent> errors = server.awaitErrors(2);
    assertThat(errors.get(0).socketId()).isEqualTo(client.id());
    assertThat(errors.get(0).detail()).isEqualTo("boom");
    assertThat(errors.get(0).error()).isInstanceOf(IllegalStateException.class).hasMessage("kaboom 1");
    assertThat(errors.get(1).socketId()).isEqualTo(client.id());
    assertThat(errors.get(1).detail()).isEqualTo("checked");
    assertThat(errors.get(1).error()).isInstanceOf(IOException.class).hasMessage("checked too");
    assertThat(later).containsExactly("second handler still ran");
    assertThat(server.socket(client.id()).connected()).isTrue();
    assertThat(client.events().matching(e -> e.is("disconnect"))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(Matrix.ALL)
  void anExceptionInAnAnyListenerIsReportedAndTheHandlersStillRun(ClientKind kind, TransportMode mode) {
    server.io().onConnection(s -> {
      s.onAny((event, args) -> {
        throw new IllegalArgumentException("any failed on " + event);
      });
      s.on("work", (args, ack) -> ack.send("done"));
    });
    ClientSocket client = clients.connect(kind, mode, "/");

    assertThat(client.emitWithAck("work").await()).containsExactly(json("'done'"));

    ServerEvent error = server.awaitErrors(1).get(0);
    assertThat(error.detail()).isEqualTo("work");
    assertThat(error.error()).hasMessage("any failed on work");
  }
}
