package dev.parley.examples.docs;

import dev.parley.Args;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The code of {@code docs/emit-cheatsheet.md}, compiled with the project ({@code DocsSnippetsTest}
 * checks that each tagged region appears verbatim in the page).
 *
 * <pre>{@code
 * CheatsheetSnippets.all(io, socket); // never called: it only has to compile
 * }</pre>
 */
@SuppressWarnings("unused")
final class CheatsheetSnippets {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CheatsheetSnippets.class);

  private CheatsheetSnippets() {}

  static void all(SocketIoServer io, Socket socket) {
    // tag::cheatsheet-basic[]
    // to this client only
    socket.emit("hello", "can you hear me?", 1, 2, "abc");

    // to every client in the namespace except this one
    socket.broadcast().emit("broadcast", "hello friends!");

    // to every client in room "game" except this one
    socket.to("game").emit("nice game", "let's play a game");

    // to every client in room "game1" and/or "game2" except this one (each client once)
    socket.to("game1").to("game2").emit("nice game", "let's play a game (too)");

    // to every client in room "game", this one included
    io.in("game").emit("big-announcement", "the game will start soon");

    // to every client of namespace "/myNamespace"
    io.of("/myNamespace").emit("bigger-announcement", "the tournament will start soon");

    // to room "room" of namespace "/myNamespace", this one included
    io.of("/myNamespace").to("room").emit("event", "message");

    // to one socket by its id (every socket is in a room named after its id)
    String socketId = socket.id();
    io.to(socketId).emit("hey", "I just met you");

    // to every connected client, in the main namespace
    io.emit("an event sent to all connected clients");

    // to every client except those in room "room1"
    io.except("room1").emit("an event", "for all but room1");

    // to every client in "room1" except those also in "room2"
    io.to("room1").except("room2").emit("an event", "for room1 only");
    // end::cheatsheet-basic[]
  }

  static void acks(SocketIoServer io, Socket socket) {
    // tag::cheatsheet-acks[]
    // with an acknowledgement from the client
    socket.emitWithAck("question", "do you think so?")
        .thenAccept(answer -> log.info("the client says {}", answer.get(0).asText()));

    // with a timeout: fails with AckTimeoutException when the client does not answer in time
    socket.timeout(Duration.ofSeconds(5)).emitWithAck("question", "still there?")
        .exceptionally(error -> {
          log.info("no answer: {}", error.toString());
          return null;
        });

    // a broadcast with acknowledgements: one answer per client that answered in time
    io.timeout(Duration.ofSeconds(5)).emitWithAck("poll", "ready?")
        .whenComplete((List<Args> answers, Throwable error) -> {
          if (error != null) {
            log.info("some clients did not answer: {}", error.toString());
          } else {
            log.info("{} answers", answers.size());
          }
        });

    // answering a client's acknowledgement
    socket.on("ping", (args, ack) -> ack.send("pong", Map.of("at", System.currentTimeMillis())));
    // end::cheatsheet-acks[]
  }

  static void flags(SocketIoServer io, Socket socket) {
    // tag::cheatsheet-flags[]
    // dropped if the client cannot take it now (Node's socket.volatile.emit)
    socket.unreliable().emit("cursor", 120, 48);
    io.unreliable().emit("tick", System.nanoTime());

    // only to clients connected to this node, not to other nodes of a cluster
    io.local().emit("node-local", "hi");

    // binary: byte[] or ByteBuffer anywhere in the arguments is sent as binary
    socket.emit("file", Map.of("name", "a.txt", "data", "hello".getBytes(StandardCharsets.UTF_8)));

    // to the other servers of a cluster (not to clients)
    io.serverSideEmit("cache:invalidate", "user:42");
    // end::cheatsheet-flags[]
  }
}
