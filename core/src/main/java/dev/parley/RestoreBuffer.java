package dev.parley;

import dev.parley.adapter.Packet;
import dev.parley.engine.EnginePacket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Connection state recovery's holding pen for one socket being restored. Between the moment the
 * socket is registered again (so that broadcasts reach it) and its CONNECT reply, live deliveries are
 * held here; the replay then writes the packets it missed while away, the held deliveries that are not
 * among them (the same broadcast can be both, when it came between the adapter's two look-ups), and
 * the CONNECT reply, in that order. The client thus sees every missed and live event once, in order,
 * before it learns it is connected.
 *
 * <p>Not thread-safe: the socket guards it with its lock, and holds the lock through the replay so
 * that no live delivery overtakes it.
 */
final class RestoreBuffer {
  private final List<EncodedFrames> held = new ArrayList<>();

  /** Holds a live delivery until the replay. */
  void hold(EncodedFrames frames) {
    held.add(frames);
  }

  /**
   * Writes the missed packets (encoded by {@code encode}), the held deliveries not already among
   * them (by offset), then {@code connectReply}.
   */
  void replay(List<Packet> missed, Function<Packet, EncodedFrames> encode, List<EnginePacket> connectReply,
      Consumer<List<EnginePacket>> write) {
    Set<String> replayed = new HashSet<>();
    for (Packet p : missed) {
      EncodedFrames frames = encode.apply(p);
      if (frames.offset() != null) {
        replayed.add(frames.offset());
      }
      write.accept(frames.frames());
    }
    for (EncodedFrames frames : held) {
      if (frames.offset() == null || !replayed.contains(frames.offset())) {
        write.accept(frames.frames());
      }
    }
    held.clear();
    write.accept(connectReply);
  }
}
