/**
 * Parley's Redis adapters: {@link dev.parley.adapter.redis.RedisAdapter} (Redis pub/sub, wire-compatible
 * with {@code @socket.io/redis-adapter}), {@link dev.parley.adapter.redis.RedisStreamsAdapter} (Redis
 * streams, as {@code @socket.io/redis-streams-adapter}) and {@link dev.parley.adapter.redis.RedisEmitter}.
 * The Lettuce client is part of their signatures, so a module that requires this one reads it too.
 * msgpack-core has no module name of its own: its jar's name gives the automatic module
 * {@code msgpack.core}. Netty's modules are required for Lettuce, which as an automatic module cannot
 * require them itself.
 *
 * <pre>{@code
 * module my.app {
 *   requires dev.parley.transport.jetty;
 *   requires dev.parley.adapter.redis; // reads lettuce.core
 * }
 * }</pre>
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // lettuce.core, msgpack.core: said above
module dev.parley.adapter.redis {
  requires transitive dev.parley.adapter;
  requires transitive lettuce.core;
  requires msgpack.core;
  requires org.slf4j;
  // Lettuce is an automatic module, which cannot name what it needs; Netty's jars are named modules,
  // which the module system resolves only when some module requires them. These two bring in the
  // Netty Lettuce runs on (handler: transport, codec, buffer, resolver, common; the DNS resolver).
  requires io.netty.handler;
  requires io.netty.resolver.dns;

  exports dev.parley.adapter.redis;
}
