package dev.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.FakeTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link BroadcastFlusher}: a broadcast's writes after its loop, a few on the caller, many split over
 * the pool, fewer tasks while earlier ones run; and one flusher per server, sharing nothing. The pool
 * here is a list of tasks the test runs when it chooses; the flusher assumes two cores.
 */
class BroadcastFlusherTest extends SessionTestBase {
  private final List<Runnable> pool = new ArrayList<>();

  private final EngineSession.NonBlockingListener nonBlocking = new EngineSession.NonBlockingListener() {
    @Override
    public void onMessage(EngineSession session, EnginePacket packet) {}

    @Override
    public void onClose(EngineSession session, String reason) {}
  };

  BroadcastFlusherTest() {
    server = serverWithPool(pool);
  }

  private EngineServer serverWithPool(List<Runnable> tasks) {
    return withListener(EngineServer.builder().options(options().build()).executor(executor).scheduler(scheduler)
        .flushPool(tasks::add, 2).build());
  }

  /** {@code n} open WebSocket sessions of {@code on} with a non-blocking listener; their transports added to {@code transports}. */
  private List<EngineSession> nonBlockingWebSockets(EngineServer on, int n, List<FakeTransport> transports) {
    List<EngineSession> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FakeTransport ws = FakeTransport.webSocket();
      EngineSession s = openWebSocket(on, ws);
      s.setListener(nonBlocking);
      transports.add(ws);
      sessions.add(s);
    }
    return sessions;
  }

  private static void sendTogether(EngineServer on, Runnable sends) {
    on.broadcasts().sendTogether(sends);
  }

  /** Runs every task handed to {@code tasks} so far, and those they add. */
  private static void runAll(List<Runnable> tasks) {
    while (!tasks.isEmpty()) {
      new ArrayList<>(tasks).forEach(t -> {
        tasks.remove(t);
        t.run();
      });
    }
  }

  @Test
  void sendTogetherWritesAfterTheLoopOnTheCallerForAFewSessions() {
    List<FakeTransport> transports = new ArrayList<>();
    List<EngineSession> sessions = nonBlockingWebSockets(server, 3, transports);

    sendTogether(server, () -> {
      for (EngineSession s : sessions) {
        s.send("x");
      }
      assertThat(transports).allSatisfy(t -> assertThat(t.wire()).as("not during the loop").isEmpty());
    });

    assertThat(pool).as("a few sessions are flushed by the caller").isEmpty();
    assertThat(transports).allSatisfy(t -> assertThat(t.wire()).containsExactly("4x"));
  }

  @Test
  void sendTogetherHandsABigRoomToThePoolAndASecondPacketJoinsAPendingFlush() {
    List<FakeTransport> transports = new ArrayList<>();
    List<EngineSession> sessions = nonBlockingWebSockets(server, 100, transports);

    sendTogether(server, () -> sessions.forEach(s -> s.send("x")));
    assertThat(pool).isNotEmpty();
    assertThat(transports).allSatisfy(t -> assertThat(t.wire()).as("the pool has not run yet").isEmpty());
    sendTogether(server, () -> sessions.forEach(s -> s.send("y")));
    runAll(pool);

    assertThat(transports).allSatisfy(t -> {
      assertThat(t.wire()).containsExactly("4x", "4y");
      assertThat(t.batches()).as("both packets in one write").hasSize(1);
    });
  }

  @Test
  void aBroadcastWhileEarlierFlushTasksRunGetsOneTaskSoItsWritesTrailTheQueues() {
    List<FakeTransport> transports = new ArrayList<>();
    List<EngineSession> first = nonBlockingWebSockets(server, 600, transports);
    List<EngineSession> second = nonBlockingWebSockets(server, 600, transports);
    try {
      sendTogether(server, () -> first.forEach(s -> s.send("x")));
      int idleSplit = pool.size();
      assertThat(idleSplit).as("nothing in flight: 600 sessions over several tasks").isGreaterThan(1);

      sendTogether(server, () -> second.forEach(s -> s.send("y")));
      assertThat(pool.size() - idleSplit).as("the first broadcast's tasks still pending: one task").isEqualTo(1);
    } finally {
      runAll(pool); // also returns the in-flight count to zero
    }

    assertThat(server.broadcasts().tasksInFlight()).isZero();
    assertThat(transports.subList(0, 600)).allSatisfy(t -> assertThat(t.wire()).containsExactly("4x"));
    assertThat(transports.subList(600, 1200)).allSatisfy(t -> assertThat(t.wire()).containsExactly("4y"));
  }

  @Test
  void aBlockingListenerIsNeverFlushedInline() {
    FakeTransport ws = FakeTransport.webSocket();
    EngineSession session = openWebSocket(ws); // the RecordingListener: a plain Listener

    sendTogether(server, () -> session.send("x"));

    assertThat(pool).as("not deferred to the broadcast's pool either").isEmpty();
    assertThat(ws.wire()).containsExactly("4x"); // flushed on its own executor (direct in this test)
  }

  @Test
  void nestedCallsJoinTheOutermostOne() {
    List<FakeTransport> transports = new ArrayList<>();
    List<EngineSession> sessions = nonBlockingWebSockets(server, 2, transports);

    sendTogether(server, () -> {
      sessions.get(0).send("a");
      sendTogether(server, () -> sessions.get(1).send("b"));
      assertThat(transports).allSatisfy(t -> assertThat(t.wire()).as("the inner call flushes nothing").isEmpty());
    });

    assertThat(transports.get(0).wire()).containsExactly("4a");
    assertThat(transports.get(1).wire()).containsExactly("4b");
  }

  // ------------------------------------------------------------------ one flusher per server

  @Test
  void aSessionOfAnotherServerIsNotHeldBackByThisServersBroadcast() {
    List<Runnable> otherPool = new ArrayList<>();
    EngineServer other = serverWithPool(otherPool);
    List<FakeTransport> mine = new ArrayList<>();
    List<FakeTransport> theirs = new ArrayList<>();
    List<EngineSession> here = nonBlockingWebSockets(server, 100, mine);
    List<EngineSession> there = nonBlockingWebSockets(other, 1, theirs);

    sendTogether(server, () -> {
      here.forEach(s -> s.send("mine"));
      there.get(0).send("theirs"); // e.g. a handler of one server emitting on another inside a broadcast
      assertThat(theirs.get(0).wire()).as("the other server's session writes at once").containsExactly("4theirs");
    });

    assertThat(otherPool).isEmpty();
    assertThat(pool).as("this broadcast's sessions only").isNotEmpty();
    runAll(pool);
    assertThat(mine).allSatisfy(t -> assertThat(t.wire()).containsExactly("4mine"));
    assertThat(theirs.get(0).wire()).containsExactly("4theirs");
  }

  @Test
  void flushTasksInFlightOnOneServerDoNotThrottleAnother() {
    List<Runnable> otherPool = new ArrayList<>();
    EngineServer other = serverWithPool(otherPool);
    List<FakeTransport> transports = new ArrayList<>();
    List<EngineSession> busy = nonBlockingWebSockets(server, 600, transports);
    List<EngineSession> idle = nonBlockingWebSockets(other, 600, transports);
    try {
      sendTogether(server, () -> busy.forEach(s -> s.send("x")));
      assertThat(server.broadcasts().tasksInFlight()).as("this server's tasks wait in its pool").isGreaterThan(1);

      sendTogether(other, () -> idle.forEach(s -> s.send("y")));

      assertThat(otherPool.size()).as("the other server gets the split of an idle server").isEqualTo(pool.size());
      assertThat(other.broadcasts().tasksInFlight()).isEqualTo(otherPool.size());
    } finally {
      runAll(pool);
      runAll(otherPool);
    }
    assertThat(transports.subList(0, 600)).allSatisfy(t -> assertThat(t.wire()).containsExactly("4x"));
    assertThat(transports.subList(600, 1200)).allSatisfy(t -> assertThat(t.wire()).containsExactly("4y"));
  }
}
