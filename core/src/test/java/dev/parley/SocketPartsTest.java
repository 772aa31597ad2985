package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.adapter.Packet;
import dev.parley.adapter.Payload;
import dev.parley.engine.EnginePacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The package-private parts behind {@link Socket} and the instrumentation, each on its own: the
 * listener table, the restore buffer's replay order, the delivery tally's thread rule, and
 * {@link DisconnectReason}'s names.
 */
class SocketPartsTest {
  private static final EventHandler A = (args, ack) -> {};
  private static final EventHandler B = (args, ack) -> {};
  private static final EventHandler C = (args, ack) -> {};

  // ------------------------------------------------------------------ SocketListeners

  @Test
  void listenersKeepOneHandlerPlainAndSeveralInOrder() {
    SocketListeners l = SocketListeners.NONE.withHandler("x", A);
    assertThat(l.handlersOf("x")).isSameAs(A);
    assertThat(l.handlersOf("y")).isNull();

    SocketListeners more = l.withHandler("x", B).withHandler("y", C).withHandler("x", C);
    assertThat((EventHandler[]) more.handlersOf("x")).containsExactly(A, B, C);
    assertThat(more.handlersOf("y")).isSameAs(C);
    assertThat(l.handlersOf("x")).as("the earlier value is unchanged").isSameAs(A);
    assertThat(SocketListeners.NONE.handlersOf("x")).isNull();
  }

  @Test
  void listenersRemoveEveryHandlerOfOneEventOnly() {
    SocketListeners l = SocketListeners.NONE.withHandler("a", A).withHandler("b", B).withHandler("a", C)
        .withHandler("c", C);
    SocketListeners without = l.withoutHandlers("a");
    assertThat(without.handlersOf("a")).isNull();
    assertThat(without.handlersOf("b")).isSameAs(B);
    assertThat(without.handlersOf("c")).isSameAs(C);
    assertThat(without.withoutHandlers("nothing")).isSameAs(without);
  }

  @Test
  void anyListenersArePrependedAppendedAndRemovedOneOrAll() {
    AnyEventListener first = (e, a) -> {};
    AnyEventListener second = (e, a) -> {};
    AnyEventListener third = (e, a) -> {};
    SocketListeners l = SocketListeners.NONE.withIncoming(second, false).withIncoming(third, false)
        .withIncoming(first, true);
    assertThat(l.incoming()).containsExactly(first, second, third);
    assertThat(l.withoutIncoming(second).incoming()).containsExactly(first, third);
    assertThat(l.withoutIncoming(null).incoming()).isEmpty();
    assertThatThrownBy(() -> l.incoming().add(first)).isInstanceOf(UnsupportedOperationException.class);

    SocketListeners out = SocketListeners.NONE.withOutgoing(first).withOutgoing(second);
    assertThat(out.outgoing()).containsExactly(first, second);
    assertThat(out.withoutOutgoing(first).outgoing()).containsExactly(second);
    assertThat(out.incoming()).isEmpty();
  }

  @Test
  void theOtherListenerListsAreKeptApart() {
    Consumer<DisconnectReason> d1 = r -> {};
    Consumer<DisconnectReason> d2 = r -> {};
    Consumer<Exception> e1 = e -> {};
    PacketMiddleware m1 = (event, args, next) -> next.proceed();
    SocketListeners l = SocketListeners.NONE.withDisconnecting(d1).withDisconnect(d2).withError(e1)
        .withMiddleware(m1).withHandler("x", A);
    assertThat(l.disconnecting()).containsExactly(d1);
    assertThat(l.disconnect()).containsExactly(d2);
    assertThat(l.errors()).containsExactly(e1);
    assertThat(l.middlewares()).containsExactly(m1);
    assertThat(l.handlersOf("x")).isSameAs(A);
  }

  // ------------------------------------------------------------------ RestoreBuffer

  private static EncodedFrames frames(String text, String offset) {
    return new EncodedFrames(List.of(EnginePacket.message(text)), offset,
        JsonNodeFactory.instance.arrayNode().add(text), null);
  }

  @Test
  void theReplayWritesMissedThenHeldNotAmongThemThenTheConnectReply() {
    RestoreBuffer buffer = new RestoreBuffer();
    buffer.hold(frames("live-2", "o2"));               // also among the missed: skipped
    buffer.hold(frames("live-3", "o3"));
    buffer.hold(frames("volatile", null));             // no offset: never among the missed
    List<Packet> missed = List.of(
        Packet.event("/", Payload.ofPlain(List.of("missed-1"))).withOffset("o1"),
        Packet.event("/", Payload.ofPlain(List.of("missed-2"))).withOffset("o2"));
    List<String> written = new ArrayList<>();

    buffer.replay(missed, p -> frames(String.valueOf(p.data().toPlain().get(0)).replace("missed-2", "live-2"),
        p.offset()), List.of(EnginePacket.message("40")), batch -> written.add(batch.get(0).text()));

    assertThat(written).containsExactly("missed-1", "live-2", "live-3", "volatile", "40");
  }

  // ------------------------------------------------------------------ DeliveryTally

  @Test
  void aTallyCountsOnTheOwnersThreadUntilClosedAndNowhereElse() throws Exception {
    DeliveryTally tally = new DeliveryTally();
    assertThat(tally.add()).as("not opened: no owner").isFalse();
    tally.open();
    assertThat(tally.add()).isTrue();
    assertThat(tally.add()).isTrue();
    AtomicBoolean elsewhere = new AtomicBoolean(true);
    Thread other = new Thread(() -> elsewhere.set(tally.add()));
    other.start();
    other.join();
    assertThat(elsewhere).as("another thread").isFalse();
    assertThat(tally.close()).isEqualTo(2);
    assertThat(tally.add()).as("after the close").isFalse();
    assertThat(DeliveryTally.SINGLE_EMIT.add()).isFalse();
  }

  // ------------------------------------------------------------------ DisconnectReason

  @Test
  void disconnectReasonsCarrySocketIoNames() {
    assertThat(Arrays.stream(DisconnectReason.values()).map(DisconnectReason::wireName)).containsExactly(
        "client namespace disconnect", "server namespace disconnect", "server shutting down", "ping timeout",
        "transport close", "transport error", "parse error", "forced close", "slow consumer");
    for (DisconnectReason r : DisconnectReason.values()) {
      assertThat(DisconnectReason.fromWireName(r.wireName())).isSameAs(r);
      assertThat(r.toString()).isEqualTo(r.wireName());
    }
    assertThatThrownBy(() -> DisconnectReason.fromWireName("forced server close"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("forced server close");
  }

  @Test
  void theRecoverableReasonsAreSocketIosWhichParleyProduces() {
    assertThat(ConnectionStateRecovery.RECOVERABLE_REASONS).containsExactlyInAnyOrder(
        DisconnectReason.TRANSPORT_ERROR, DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.FORCED_CLOSE,
        DisconnectReason.PING_TIMEOUT, DisconnectReason.SERVER_SHUTTING_DOWN);
    assertThatThrownBy(() -> ConnectionStateRecovery.RECOVERABLE_REASONS.add(DisconnectReason.PARSE_ERROR))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void everyReasonTheEngineGivesMapsToItsConstant() {
    // the reasons EngineSession.Listener.onClose documents, and the slow-consumer close
    for (String engine : Set.of("transport close", "transport error", "ping timeout", "parse error", "forced close",
        "server shutting down", "slow consumer")) {
      assertThat(DisconnectReason.ofEngineReason(engine).wireName()).isEqualTo(engine);
    }
    assertThat(DisconnectReason.ofEngineReason("something new")).isEqualTo(DisconnectReason.TRANSPORT_ERROR);
  }
}
