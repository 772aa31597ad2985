package dev.parley;

import dev.parley.adapter.EncodedPacket;
import dev.parley.engine.protocol.EnginePacket;
import java.util.List;

/**
 * Core's {@link EncodedPacket}: the Engine.IO frames of one packet, encoded once for every recipient,
 * and the connection state recovery offset they carry (null for none), by which a restoring socket
 * skips a live delivery it was already replayed.
 */
record EncodedFrames(List<EnginePacket> frames, String offset) implements EncodedPacket {}
