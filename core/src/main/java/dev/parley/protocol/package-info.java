/**
 * Not API. The Socket.IO v5 codec: {@link dev.parley.protocol.SioPacket}, the encoder that sends
 * binary values as attachments after the header, and {@link dev.parley.protocol.SioDecoder}, stateful
 * per connection. Only the Socket.IO layer in {@code dev.parley} uses it; {@code dev.parley.core}'s
 * module descriptor does not export this package (on the class path its classes are public, and
 * still not API).
 */
package dev.parley.protocol;
