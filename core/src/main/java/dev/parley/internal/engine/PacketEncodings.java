package dev.parley.internal.engine;

import dev.parley.engine.EnginePacket;
import java.util.Objects;

/**
 * The cached wire encodings of an {@link EnginePacket}, for the codec in
 * {@code dev.parley.engine.protocol}. {@code EnginePacket} is API (the Engine.IO layer's listeners
 * receive and send it) and lives in {@code dev.parley.engine}; the codec is not API and lives in a
 * package exported only to Parley's transport modules, so it reaches the packet's package-private
 * caches through this table, which {@code EnginePacket} installs when its class is initialised
 * (before any packet exists, so before any call here).
 *
 * <p>Not API: this package is not exported to applications.
 *
 * <pre>{@code
 * byte[] frame = PacketEncodings.utf8(packet); // "4hello" as UTF-8, encoded once per packet
 * }</pre>
 */
public final class PacketEncodings {
  private static volatile Access access;

  private PacketEncodings() {}

  /** The text encoding ({@code <digit><payload>}) of a text packet, computed once per packet. */
  public static String text(EnginePacket packet) {
    return access.text(packet);
  }

  /** The UTF-8 bytes of {@link #text}, computed once per packet and shared: never change them. */
  public static byte[] utf8(EnginePacket packet) {
    return access.utf8(packet);
  }

  /**
   * Called once, by {@code EnginePacket}'s class initialiser.
   *
   * @throws IllegalStateException when called again
   */
  public static synchronized void install(Access implementation) {
    Objects.requireNonNull(implementation, "implementation == null");
    if (access != null) {
      throw new IllegalStateException("already installed");
    }
    access = implementation;
  }

  /** What {@code EnginePacket} implements; see the static methods of the same names. */
  public interface Access {
    /** See {@link PacketEncodings#text}. */
    String text(EnginePacket packet);

    /** See {@link PacketEncodings#utf8}. */
    byte[] utf8(EnginePacket packet);
  }
}
