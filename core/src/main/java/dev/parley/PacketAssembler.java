package dev.parley;

import dev.parley.engine.EnginePacket;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioPacket;
import dev.parley.protocol.SioParseException;

/**
 * One connection's Socket.IO decoder, with what it holds for a packet still waiting for attachments
 * bounded twice: by {@code maxPartialPacketBytes} for the connection, and by the server's
 * {@link PartialPacketBudget} for all connections together. Past either, {@link #add} drops what is
 * held and throws, and the caller closes the connection as for any packet it cannot accept. Session
 * lane only. Every connection has one, so it keeps three fields; the limits live in the budget.
 */
final class PacketAssembler {
  private final SioDecoder decoder;
  private final PartialPacketBudget budget;
  /** Bytes taken from the budget: what the decoder holds. */
  private long reserved;

  PacketAssembler(SioDecoder decoder, PartialPacketBudget budget) {
    this.decoder = decoder;
    this.budget = budget;
  }

  /**
   * Feeds one message of {@code connection} (its id, for the log); the complete packet, or null while
   * attachments are still expected.
   */
  SioPacket add(EnginePacket message, String connection) throws SioParseException {
    SioPacket packet;
    try {
      packet = decoder.add(message);
    } catch (SioParseException e) {
      close();
      throw e;
    }
    long held = decoder.heldBytes();
    if (held > reserved) {
      if (held > budget.perConnection()) {
        close();
        throw new SioParseException("a packet waiting for attachments holds " + held
            + " bytes, past maxPartialPacketBytes (" + budget.perConnection() + ")");
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
