/**
 * Not API. Engine operations for Parley's own layers ({@link dev.parley.internal.engine.EngineInternals}):
 * the Socket.IO layer in {@code parley-core} and the transport modules. The module descriptor (issue
 * 17) exports this package only to {@code dev.parley.transport.polling} (and any later Parley host
 * module that needs it), never to applications.
 */
package dev.parley.internal.engine;
