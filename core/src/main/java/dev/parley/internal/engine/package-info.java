/**
 * Not API. Engine operations for Parley's own layers ({@link dev.parley.internal.engine.EngineInternals},
 * {@link dev.parley.internal.engine.PacketEncodings}): the Socket.IO layer in {@code parley-core} and
 * the transport modules. {@code dev.parley.core}'s module descriptor exports this package only to
 * {@code dev.parley.transport.polling} and {@code dev.parley.transport.jetty}, never to applications.
 */
package dev.parley.internal.engine;
