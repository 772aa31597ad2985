package dev.parley.adapter.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the Redis Streams adapter, named and defaulted as in {@code @socket.io/redis-streams-adapter}
 * 0.3: the stream name ({@code "socket.io"}) and how many streams the namespaces are spread over (1),
 * the approximate {@code MAXLEN} the stream is trimmed to (10,000 entries), how many entries one
 * {@code XREAD} returns (100) and how long it blocks (5 s), the key prefix of persisted sessions
 * ({@code "sio:session:"}), the prefix of the pub/sub channels that carry requests and responses
 * ({@code "socket.io"}), and how long a cluster request waits for the other servers (5 s).
 *
 * <p>Every server of a cluster, Parley or Node.js, must use the same stream name, stream count,
 * session key prefix and channel prefix. {@code maxLen} bounds how far back a reconnecting client can
 * be recovered: an offset trimmed from the stream cannot be restored.
 *
 * <pre>{@code
 * RedisStreamsAdapterOptions options = RedisStreamsAdapterOptions.DEFAULT
 *     .withStreamName("myapp")
 *     .withMaxLen(100_000);
 * }</pre>
 */
public record RedisStreamsAdapterOptions(
    String streamName,
    int streamCount,
    long maxLen,
    int readCount,
    Duration blockTime,
    String sessionKeyPrefix,
    String channelPrefix,
    Duration requestsTimeout) {

  /** The defaults of {@code @socket.io/redis-streams-adapter}. */
  public static final RedisStreamsAdapterOptions DEFAULT = new RedisStreamsAdapterOptions(
      "socket.io", 1, 10_000, 100, Duration.ofSeconds(5), "sio:session:", "socket.io", Duration.ofSeconds(5));

  public RedisStreamsAdapterOptions {
    Objects.requireNonNull(streamName, "streamName == null");
    Objects.requireNonNull(blockTime, "blockTime == null");
    Objects.requireNonNull(sessionKeyPrefix, "sessionKeyPrefix == null");
    Objects.requireNonNull(channelPrefix, "channelPrefix == null");
    Objects.requireNonNull(requestsTimeout, "requestsTimeout == null");
    if (streamCount < 1) {
      throw new IllegalArgumentException("streamCount < 1: " + streamCount);
    }
    if (maxLen < 1) {
      throw new IllegalArgumentException("maxLen < 1: " + maxLen);
    }
    if (readCount < 1) {
      throw new IllegalArgumentException("readCount < 1: " + readCount);
    }
    if (blockTime.isNegative() || blockTime.isZero()) {
      throw new IllegalArgumentException("blockTime <= 0");
    }
    if (requestsTimeout.isNegative() || requestsTimeout.isZero()) {
      throw new IllegalArgumentException("requestsTimeout <= 0");
    }
  }

  /** These options with stream name {@code v}. */
  public RedisStreamsAdapterOptions withStreamName(String v) {
    return new RedisStreamsAdapterOptions(v, streamCount, maxLen, readCount, blockTime, sessionKeyPrefix, channelPrefix, requestsTimeout);
  }

  /** Spreads the namespaces over {@code v} streams named {@code <streamName>-<i>}, as Node does. */
  public RedisStreamsAdapterOptions withStreamCount(int v) {
    return new RedisStreamsAdapterOptions(streamName, v, maxLen, readCount, blockTime, sessionKeyPrefix, channelPrefix, requestsTimeout);
  }

  /** These options trimming the stream to about {@code v} entries. */
  public RedisStreamsAdapterOptions withMaxLen(long v) {
    return new RedisStreamsAdapterOptions(streamName, streamCount, v, readCount, blockTime, sessionKeyPrefix, channelPrefix, requestsTimeout);
  }

  /** These options reading {@code v} entries per {@code XREAD}. */
  public RedisStreamsAdapterOptions withReadCount(int v) {
    return new RedisStreamsAdapterOptions(streamName, streamCount, maxLen, v, blockTime, sessionKeyPrefix, channelPrefix, requestsTimeout);
  }

  /** These options blocking each {@code XREAD} for {@code v}. */
  public RedisStreamsAdapterOptions withBlockTime(Duration v) {
    return new RedisStreamsAdapterOptions(streamName, streamCount, maxLen, readCount, v, sessionKeyPrefix, channelPrefix, requestsTimeout);
  }

  /** These options with session key prefix {@code v}. */
  public RedisStreamsAdapterOptions withSessionKeyPrefix(String v) {
    return new RedisStreamsAdapterOptions(streamName, streamCount, maxLen, readCount, blockTime, v, channelPrefix, requestsTimeout);
  }

  /** These options with pub/sub channel prefix {@code v}. */
  public RedisStreamsAdapterOptions withChannelPrefix(String v) {
    return new RedisStreamsAdapterOptions(streamName, streamCount, maxLen, readCount, blockTime, sessionKeyPrefix, v, requestsTimeout);
  }

  /** These options with a request timeout of {@code v}. */
  public RedisStreamsAdapterOptions withRequestsTimeout(Duration v) {
    return new RedisStreamsAdapterOptions(streamName, streamCount, maxLen, readCount, blockTime, sessionKeyPrefix, channelPrefix, v);
  }

  /** The stream a namespace's messages go to: Node's {@code hashCode(nsp) % streamCount} when there are several. */
  String streamFor(String namespace) {
    if (streamCount == 1) {
      return streamName;
    }
    int hash = 0;
    for (int i = 0; i < namespace.length(); i++) {
      hash = hash * 31 + namespace.charAt(i); // JS: UTF-16 units, 32-bit wrap-around, as here
    }
    return streamName + "-" + (hash % streamCount); // negative for a negative hash, as in Node
  }
}
