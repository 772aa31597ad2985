package dev.parley;

import dev.parley.adapter.Packet;
import dev.parley.adapter.RestoredSession;
import dev.parley.engine.EnginePacket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CONNECT that asks connection state recovery to restore a socket (its auth carries a private
 * session id and the offset of the last packet it got). The session is looked up in the adapter; if
 * found, the socket is made again with its id and data and registered (from then on deliveries to it
 * are held: {@link RestoreBuffer}), it joins its rooms, and the session is looked up a second time for
 * the packets it missed, so that an event broadcast between the two look-ups is neither lost nor sent
 * twice. Then the connect middleware runs (unless recovery skips it) and the missed packets, the held
 * deliveries and the CONNECT reply go out. Anything that fails (not found, adapter error, id taken,
 * middleware refusal) falls back to a fresh socket or the refusal, as in socket.io.
 *
 * <p>Runs on the client's lane; the adapter's answers come back to it.
 */
final class SocketRestore {
  private static final Logger log = LoggerFactory.getLogger(SocketRestore.class);

  private final Client client;
  private final String name;
  private final Namespace nsp;
  private final Handshake handshake;
  private final ConnectionStateRecovery recovery;
  private final String pid;
  private final String offset;

  SocketRestore(Client client, String name, Namespace nsp, Handshake handshake, ConnectionStateRecovery recovery,
      String pid, String offset) {
    this.client = client;
    this.name = name;
    this.nsp = nsp;
    this.handshake = handshake;
    this.recovery = recovery;
    this.pid = pid;
    this.offset = offset;
  }

  /** Lane only: starts the first look-up; the CONNECT is pending (this object stands for it) meanwhile. */
  void start() {
    client.server().instruments().recoveryAttempted();
    client.pending().put(name, this);
    lookup(this::found);
  }

  private void found(RestoredSession first) {
    if (client.pending().get(name) != this || client.closing()) {
      nsp.connectEnded();
      return;
    }
    if (first == null) {
      client.connectFresh(name, nsp, handshake);
      return;
    }
    Socket socket = new Socket(first.sid(), nsp, client, handshake, first.pid(), true);
    first.data().forEach((k, v) -> {
      if (k != null && v != null) {
        socket.data().put(k, v);
      }
    });
    socket.beginRestore();
    if (!nsp.register(socket)) {
      log.debug("connection {}: socket {} is connected already; not restoring it", client.session().id(), first.sid());
      socket.abortRestore();
      client.connectFresh(name, nsp, handshake);
      return;
    }
    client.pending().put(name, socket);
    nsp.adapter().addAll(socket.id(), first.rooms());
    lookup(second -> {
      if (client.pending().get(name) != socket || client.closing()) {
        abort(socket);
        return;
      }
      List<Packet> missed = (second != null ? second : first).missedPackets();
      if (recovery.skipMiddlewares()) {
        finish(socket, missed, null);
      } else {
        nsp.runMiddlewares(socket, error -> client.lane().execute(() -> finish(socket, missed, error)));
      }
    });
  }

  /** Runs {@code then} on the lane with the restored session, or null (not found, or the adapter failed). */
  private void lookup(Consumer<RestoredSession> then) {
    CompletionStage<Optional<RestoredSession>> stage;
    try {
      stage = nsp.adapter().restoreSession(pid, offset);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((found, error) -> client.lane().execute(() -> {
      if (error != null) {
        log.debug("connection {}: session restore failed: {}", client.session().id(), error.toString());
      }
      then.accept(error == null && found != null ? found.orElse(null) : null);
    }));
  }

  private void finish(Socket socket, List<Packet> missed, ConnectError error) {
    int answers = client.pending().remove(name, socket);
    if (answers == 0 || client.closing()) {
      abort(socket);
      return;
    }
    if (error != null) {
      abort(socket);
      client.refuse(name, handshake, ConnectRefusal.MIDDLEWARE, error.getMessage(), error.data(), answers);
      return;
    }
    client.accept(name, socket, () -> {
      List<EnginePacket> ok = client.server().wire().connectOk(name, socket.id(), socket.pid());
      socket.completeRestore(missed, ok);
      client.answer(answers - 1, ok);
    });
    client.server().instruments().recovered();
  }

  /** Undoes a restore that did not complete: unregisters the socket and its rooms (once). */
  static void abort(Socket socket) {
    if (socket.abortRestore()) {
      socket.namespace().adapter().delAll(socket.id());
      socket.namespace().remove(socket);
    }
  }
}
