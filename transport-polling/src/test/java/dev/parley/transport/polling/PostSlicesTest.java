package dev.parley.transport.polling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.engine.EnginePacket;
import dev.parley.engine.Transport;
import dev.parley.engine.protocol.EngineCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 7: a POST body is handed to the session in slices of about
 * {@link PollingTransport#SLICE_CHARS} characters, one task each, so one client's burst (56,000 small
 * events in one POST) does not hold the thread that read it; the POST is answered after the last
 * slice, and while the handlers are behind, the next slice waits.
 */
class PostSlicesTest {
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private final List<String> received = new ArrayList<>();
  /** Packets handed over by each task that ran. */
  private final List<Integer> perTask = new ArrayList<>();
  private boolean backlogged;
  private Runnable resume;

  private final PollingTransport polling = new PollingTransport(1_000_000);

  PostSlicesTest() {
    polling.bind(new Transport.Listener() {
      @Override
      public void onPacket(EnginePacket packet) {
        received.add(packet.text());
      }

      @Override
      public boolean inputBacklogged() {
        return backlogged;
      }

      @Override
      public boolean pauseInput(Runnable r) {
        if (!backlogged) {
          return false;
        }
        resume = r;
        return true;
      }

      @Override
      public void onDrain() {}

      @Override
      public void onClose() {}

      @Override
      public void onParseError(String detail) {
        received.add("parse error: " + detail);
      }

      @Override
      public void onError(String detail, Throwable cause) {
        received.add("error: " + detail);
      }
    }, tasks::add);
  }

  /** Runs queued tasks one at a time (a task may queue more), recording what each handed over. */
  private void runTasks() {
    Runnable t;
    while ((t = tasks.poll()) != null) {
      int before = received.size();
      t.run();
      perTask.add(received.size() - before);
    }
  }

  private static String burst(int events) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < events; i++) {
      if (i > 0) {
        body.append(EngineCodec.SEPARATOR);
      }
      body.append("42[\"echo\",").append(i % 10).append(']');
    }
    return body.toString();
  }

  @Test
  void aBurstOf56000EventsIsHandedOverInSlicesEachATaskOfItsOwnAndAnsweredAfterTheLast() {
    String body = burst(56_000);
    FakeExchange post = FakeExchange.post("EIO=4&transport=polling&sid=x", body);

    polling.onRequest(post);
    runTasks();

    assertThat(received).hasSize(56_000);
    assertThat(received.get(0)).isEqualTo("2[\"echo\",0]");
    assertThat(received.get(55_999)).isEqualTo("2[\"echo\",9]");
    int slices = (body.length() + PollingTransport.SLICE_CHARS - 1) / PollingTransport.SLICE_CHARS;
    assertThat(perTask.stream().filter(n -> n > 0).count()).as("tasks that handed packets over").isEqualTo(slices);
    // a slice is SLICE_CHARS, rounded up to the end of its last packet: 12-13 characters each here
    assertThat(perTask.stream().mapToInt(Integer::intValue).max().getAsInt())
        .isLessThanOrEqualTo(PollingTransport.SLICE_CHARS / 12 + 1);
    assertThat(post.status()).isEqualTo(200);
    assertThat(post.respondCalls()).isEqualTo(1);
  }

  @Test
  void thePostIsAnsweredOnlyOnceEverySliceIsHandedOver() {
    FakeExchange post = FakeExchange.post("EIO=4&transport=polling&sid=x", burst(2_000));
    polling.onRequest(post);

    tasks.poll().run(); // onPost: reads the body
    tasks.poll().run(); // the body: the first slice
    assertThat(received).isNotEmpty().hasSizeLessThan(2_000);
    assertThat(post.responded()).isFalse();
    assertThat(tasks).hasSize(1); // the rest, queued behind what the session queues meanwhile

    runTasks();
    assertThat(received).hasSize(2_000);
    assertThat(post.status()).isEqualTo(200);
  }

  @Test
  void whileTheHandlersAreBehindTheNextSliceWaits() {
    FakeExchange post = FakeExchange.post("EIO=4&transport=polling&sid=x", burst(2_000));
    polling.onRequest(post);
    backlogged = true;

    runTasks();
    int afterFirst = received.size();
    assertThat(afterFirst).isLessThan(2_000);
    assertThat(resume).as("paused").isNotNull();
    assertThat(post.responded()).isFalse();

    backlogged = false;
    resume.run();
    runTasks();
    assertThat(received).hasSize(2_000);
    assertThat(post.status()).isEqualTo(200);
  }

  @Test
  void anInvalidPacketInALaterSliceEndsThePostWithTheParseError() {
    String body = burst(2_000) + EngineCodec.SEPARATOR + "x";
    FakeExchange post = FakeExchange.post("EIO=4&transport=polling&sid=x", body);
    polling.onRequest(post);

    runTasks();

    assertThat(received).hasSize(2_001);
    assertThat(received.get(2_000)).startsWith("parse error");
    assertThat(post.status()).isEqualTo(400);
  }

  @Test
  void aTransportClosedBetweenSlicesAnswersThePostAndHandsNothingMore() {
    FakeExchange post = FakeExchange.post("EIO=4&transport=polling&sid=x", burst(2_000));
    polling.onRequest(post);
    tasks.poll().run();
    tasks.poll().run();
    int handed = received.size();

    polling.close(false);
    runTasks();

    assertThat(received).hasSize(handed);
    assertThat(post.status()).isEqualTo(200);
    assertThat(post.respondCalls()).isEqualTo(1);
  }
}
