package dev.parley;

import dev.parley.engine.protocol.EnginePacket;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioParseException;

/**
 * One connection's Socket.IO decoder, with what it holds for a packet still waiting for attachments
 * bounded twice: by {@code maxPartialPacketBytes} for the connection, and by the server's
 * {@link PartialPacketBudget} for all connections together. Past either, {@link #add} drops what is
 * held and throws, and the caller closes the connection as for any packet it cannot accept. Session
 * lane only.
 */
final class PacketAssembler {
  private final SioDecoder decoder;
  private final long maxHeld;
  private final PartialPacketBudget budget;
  private final String connection;
  /** Bytes taken from the budget: what the decoder holds. */
  private long reserved;

  PacketAssembler(SioDecoder decoder, long maxHeld, PartialPacketBudget budget, String connection) {
    this.decoder = decoder;
    this.maxHeld = maxHeld;
    this.budget = budget;
    this.connection = connection;
  }

  /** Feeds one message; the complete packet, or null while attachments are still expected. */
  SioPacket add(EnginePacket message) throws SioParseException {
    SioPacket packet;
    try {
      packet = decoder.add(message);
    } catch (SioParseException e) {
      close();
      throw e;
    }
    long held = decoder.heldBytes();
    if (held > reserved) {
      if (held > maxHeld) {
        close();
        throw new SioParseException("a packet waiting for attachments holds " + held
            + " bytes, past maxPartialPacketBytes (" + maxHeld + ")");
      }
      if (!budget.tryReserve(held - reserved, connection)) {
        close();
        throw new SioParseException("the server's budget for partial packets (partialPacketBudget, " + budget.limit()
            + " bytes) is used up");
      }
    } else {
      budget.release(reserved - held);
    }
    reserved = held;
    return packet;
  }

  /** Drops what is held and gives it back to the budget (the connection is going away). */
  void close() {
    decoder.reset();
    budget.release(reserved);
    reserved = 0;
  }
}
