package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EngineRequest;
import dev.parley.testing.DirectExecutorService;
import dev.parley.testing.FakeTransport;
import dev.parley.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 4: children of dynamic namespaces removed once their last socket leaves
 * ({@code cleanupEmptyChildNamespaces}), and a cap on how many exist ({@code maxDynamicNamespaces}).
 */
class DynamicNamespacesTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private SocketIoServer io;
  private ParentNamespace parent;
  private final List<String> connected = new ArrayList<>();

  @AfterEach
  void tearDown() {
    io.close();
  }

  private void server(Consumer<SocketIoServer.Builder> configure) {
    SocketIoServer.Builder b = SocketIoServer.builder().executor(new DirectExecutorService()).scheduler(scheduler);
    configure.accept(b);
    io = b.build();
    parent = io.of(Pattern.compile("^/dyn-\\d+$"));
    parent.onConnection(s -> connected.add(s.namespace().name()));
  }

  private FakeTransport open() {
    FakeTransport t = FakeTransport.webSocket();
    io.engine().handshake(t, EngineRequest.builder().method("GET").uri("/socket.io/?EIO=4&transport=websocket").build());
    return t;
  }

  private static String last(FakeTransport t) {
    List<String> w = t.wire();
    return w.get(w.size() - 1);
  }

  private List<String> names() {
    return io.namespaces().stream().map(Namespace::name).sorted().toList();
  }

  @Test
  void withoutCleanupChildrenStay() {
    server(b -> {});
    FakeTransport t = open();
    t.receive("40/dyn-1,");
    t.receive("41/dyn-1,");

    assertThat(names()).containsExactly("/", "/dyn-1");
    assertThat(parent.children()).hasSize(1);
  }

  @Test
  void aChildGoesWhenItsLastSocketLeavesAndComesBackNewOnTheNextConnect() {
    server(b -> b.cleanupEmptyChildNamespaces(true));
    FakeTransport a = open();
    FakeTransport b = open();
    a.receive("40/dyn-1,");
    b.receive("40/dyn-1,");
    Namespace first = io.namespaces().stream().filter(n -> n.name().equals("/dyn-1")).findFirst().orElseThrow();
    assertThat(first.sockets()).hasSize(2);

    a.receive("41/dyn-1,");                                  // one leaves: one is left
    assertThat(names()).containsExactly("/", "/dyn-1");
    b.fireClose();                                           // the last goes (its connection closes)
    assertThat(names()).containsExactly("/");
    assertThat(parent.children()).isEmpty();

    a.receive("40/dyn-1,");                                  // asked for again: a new child
    assertThat(last(a)).startsWith("40/dyn-1,{\"sid\"");
    assertThat(names()).containsExactly("/", "/dyn-1");
    assertThat(parent.children()).singleElement().isNotSameAs(first);
    assertThat(connected).containsExactly("/dyn-1", "/dyn-1", "/dyn-1"); // the parent's handler ran for each
  }

  @Test
  void aRefusedConnectLeavesNoChildBehind() {
    server(b -> b.cleanupEmptyChildNamespaces(true));
    parent.use((socket, next) -> next.fail(new ConnectError("no")));
    FakeTransport t = open();
    for (int i = 0; i < 100; i++) {
      t.receive("40/dyn-" + i + ",");
    }
    assertThat(last(t)).isEqualTo("44/dyn-99,{\"message\":\"no\"}");
    assertThat(names()).containsExactly("/");
  }

  @Test
  void aConnectFinishingAfterItsChildWasRemovedJoinsTheChildThatTakesItsName() {
    server(b -> b.cleanupEmptyChildNamespaces(true));
    List<ConnectMiddleware.Next> held = new ArrayList<>();
    parent.use((socket, next) -> {
      if (socket.handshake().auth().path("hold").asBoolean()) {
        held.add(next);
      } else {
        next.proceed();
      }
    });
    FakeTransport a = open();
    FakeTransport b = open();
    a.receive("40/dyn-1,");
    b.receive("40/dyn-1,{\"hold\":true}");                   // B's connect waits in the middleware
    a.receive("41/dyn-1,");                                  // A leaves: the child is empty, and goes
    assertThat(names()).containsExactly("/");

    held.get(0).proceed();                                   // B's middleware finishes afterwards
    assertThat(held).as("the middleware ran again, for the new child").hasSize(2);
    held.get(1).proceed();

    assertThat(last(b)).startsWith("40/dyn-1,{\"sid\"");
    assertThat(names()).containsExactly("/", "/dyn-1");
    assertThat(parent.children()).singleElement().satisfies(n -> assertThat(n.sockets()).hasSize(1));
  }

  @Test
  void pastTheLimitAConnectIsRefusedWithTooManyNamespacesAndTheConnectionStays() {
    server(b -> b.maxDynamicNamespaces(2).cleanupEmptyChildNamespaces(true));
    FakeTransport t = open();
    t.receive("40/dyn-1,");
    t.receive("40/dyn-2,");
    t.receive("40/dyn-3,");

    assertThat(last(t)).isEqualTo("44/dyn-3,{\"message\":\"Too many namespaces\"}");
    assertThat(t.closed()).isFalse();
    assertThat(names()).containsExactly("/", "/dyn-1", "/dyn-2");
    io.of("/static");                                         // io.of(String) is not counted
    t.receive("41/dyn-1,");                                   // one child goes: room for another
    t.receive("40/dyn-3,");
    assertThat(last(t)).startsWith("40/dyn-3,{\"sid\"");
  }
}
