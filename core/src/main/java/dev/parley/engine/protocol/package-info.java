/**
 * Not API. The Engine.IO v4 codec: {@link dev.parley.engine.protocol.EngineCodec} turns
 * {@link dev.parley.engine.EnginePacket}s into WebSocket frames and long-polling payloads and back.
 * The engine and Parley's transports use it; {@code dev.parley.core}'s module descriptor exports this
 * package only to {@code dev.parley.transport.polling} and {@code dev.parley.transport.jetty}.
 */
package dev.parley.engine.protocol;
