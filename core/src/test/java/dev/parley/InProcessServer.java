package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineRequest;
import dev.parley.engine.EngineSession;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@link SocketIoServer} driven in-process over fake transports, on the test thread, with a
 * hand-driven clock: every step a test takes has run to its end when the call returns. For the tests
 * of the API layer's parts and of its instrumentation.
 */
final class InProcessServer implements AutoCloseable {
  static final Pattern CONNECT_OK = Pattern.compile("40(/[^,]*,)?\\{\"sid\":\"([^\"]+)\"(,\"pid\":\"[^\"]+\")?\\}");

  final ManualScheduler scheduler = new ManualScheduler();
  final SocketIoServer io;
  /** Every socket that connected to "/", in order. */
  final List<Socket> sockets = new ArrayList<>();
  /** What the error handler received: "socketId:event". */
  final List<String> errors = new ArrayList<>();

  InProcessServer(Consumer<SocketIoServer.Builder> configure) {
    SocketIoServer.Builder b = SocketIoServer.builder()
        .executor(new DirectExecutorService())
        .scheduler(scheduler)
        .connectTimeout(Duration.ofSeconds(5))
        .errorHandler((socket, event, error) -> errors.add((socket == null ? "-" : socket.id()) + ":" + event));
    configure.accept(b);
    io = b.build();
    io.onConnection(sockets::add);
  }

  InProcessServer() {
    this(b -> {});
  }

  /** A new connection over a fake WebSocket (or polling) transport, not joined to any namespace yet. */
  Conn open(FakeTransport transport) {
    String kind = transport.kind().wireName();
    EngineSession s = io.engine().handshake(transport,
        EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=" + kind).build());
    return new Conn(transport, s);
  }

  Conn open() {
    return open(FakeTransport.webSocket());
  }

  /** A new connection joined to "/": its socket is {@link #last()}. */
  Conn connect() {
    Conn c = open();
    c.send("40");
    assertThat(c.last()).matches(CONNECT_OK);
    return c;
  }

  Socket last() {
    return sockets.get(sockets.size() - 1);
  }

  @Override
  public void close() {
    io.close();
  }

  /** One client connection: its fake transport and engine session. */
  static final class Conn {
    final FakeTransport transport;
    final EngineSession session;

    Conn(FakeTransport transport, EngineSession session) {
      this.transport = transport;
      this.session = session;
    }

    /** The client sends an Engine.IO text packet, e.g. {@code 42["hello"]}. */
    void send(String engineText) {
      transport.receive(engineText);
    }

    List<String> wire() {
      return transport.wire();
    }

    String last() {
      List<String> w = wire();
      return w.get(w.size() - 1);
    }

    /** Frames after the Engine.IO open packet. */
    List<String> frames() {
      List<String> w = wire();
      return w.subList(1, w.size());
    }

    /** The socket id of the last CONNECT reply. */
    String sid() {
      Matcher m = CONNECT_OK.matcher(last());
      assertThat(m.matches()).as(last()).isTrue();
      return m.group(2);
    }
  }
}
