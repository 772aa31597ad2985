/**
 * The Redis adapter and emitter: Redis pub/sub, wire-compatible with {@code @socket.io/redis-adapter}
 * 8.3 ({@code createAdapter}, the classic format: msgpack {@code [uid, packet, opts]} broadcasts on
 * {@code <key>#<nsp>#} and {@code <key>#<nsp>#<room>#}, JSON or msgpack requests and responses on
 * {@code <key>-request#<nsp>#} and {@code <key>-response#<nsp>#[<uid>#]}) and with
 * {@code @socket.io/redis-emitter} 5.1, so Parley and Node.js servers can form one cluster.
 *
 * <ul>
 *   <li>{@link dev.parley.adapter.redis.RedisAdapter#factory}: the adapter factory of one server.
 *   <li>{@link dev.parley.adapter.redis.RedisAdapterOptions}: key prefix, request timeout, response channel.
 *   <li>{@link dev.parley.adapter.redis.RedisEmitter}: emit to a cluster from a process with no server.
 *   <li>{@link dev.parley.adapter.redis.ShardedRedisAdapter#factory}: Redis 7 sharded pub/sub on one Redis or a
 *       Redis Cluster, wire-compatible with {@code createShardedAdapter} of {@code @socket.io/redis-adapter} 8.3.
 *   <li>{@link dev.parley.adapter.redis.ShardedRedisAdapterOptions}: channel prefix, subscription mode, request timeout.
 *   <li>{@link dev.parley.adapter.redis.RedisStreamsAdapter#factory}: the Redis Streams adapter, wire-compatible
 *       with {@code @socket.io/redis-streams-adapter} 0.3, with connection state recovery on any server.
 *   <li>{@link dev.parley.adapter.redis.RedisStreamsAdapterOptions}: stream name, MAXLEN, session keys, channels.
 * </ul>
 */
package dev.parley.adapter.redis;
