package dev.parley.adapter.redis;

import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.ClusterFormat;
import dev.parley.adapter.ClusterMessage;
import dev.parley.adapter.Packet;
import dev.parley.adapter.RestoredSession;
import dev.parley.adapter.SessionToPersist;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection state recovery of {@link RedisStreamsAdapter} for one namespace: sessions persisted in
 * Redis as Node stores them (base64 msgpack {@code {sid, pid, rooms, data}} under
 * {@code <sessionKeyPrefix><pid>}, expiring with the recovery window), and the replay of the
 * broadcasts a session missed from the stream.
 *
 * <pre>{@code
 * StreamSessions sessions = new StreamSessions(context, bus, options, "socket.io");
 * sessions.persist(session);
 * sessions.restore(pid, offset).thenAccept(found -> ...);
 * }</pre>
 */
final class StreamSessions {
  private static final Logger log = LoggerFactory.getLogger(RedisStreamsAdapter.class);
  private static final int RESTORE_PAGE = 1000;

  private final AdapterContext context;
  private final StreamsBus bus;
  private final RedisStreamsAdapterOptions options;
  private final String stream;
  /** Sessions taken from Redis by a first restore call, for the second one (core asks twice). */
  private final Map<String, Taken> taken = new ConcurrentHashMap<>();

  private record Taken(Map<?, ?> session, long expiresAt) {}

  StreamSessions(AdapterContext context, StreamsBus bus, RedisStreamsAdapterOptions options, String stream) {
    this.context = context;
    this.bus = bus;
    this.options = options;
    this.stream = stream;
  }

  /** {@code SET <sessionKeyPrefix><pid> value PX window}, when recovery is on. */
  void persist(SessionToPersist session) {
    long window = context.maxDisconnectionDurationMillis();
    if (window <= 0) {
      return;
    }
    taken.remove(session.pid());
    byte[] value;
    try {
      Map<String, Object> data = new LinkedHashMap<>();
      session.data().forEach((k, v) -> data.put(k, context.toPlain(v)));
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("sid", session.sid());
      s.put("pid", session.pid());
      List<Object> rooms = new ArrayList<>();
      rooms.add(session.sid()); // own id first, as Node
      for (String r : session.rooms()) {
        if (!r.equals(session.sid())) {
          rooms.add(r);
        }
      }
      s.put("rooms", rooms);
      s.put("data", data);
      value = Base64.getEncoder().encode(Msgpack.encode(s));
    } catch (RuntimeException e) {
      log.warn("socket {}: could not encode its session for recovery", session.sid(), e);
      return;
    }
    bus.send(() -> bus.commands().set(options.sessionKeyPrefix() + session.pid(), value, SetArgs.Builder.px(window)));
  }

  /** See {@link RedisStreamsAdapter#restoreSession}. */
  CompletionStage<Optional<RestoredSession>> restore(String pid, String offset) {
    long window = context.maxDisconnectionDurationMillis();
    StreamsBus.Reader reader = bus.reader(stream);
    if (window <= 0 || pid == null || reader == null || !StreamsBus.StreamIds.valid(offset)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    try {
      StreamsBus.StreamIds.parse(offset);
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long now = context.nowMillis();
    taken.values().removeIf(t -> t.expiresAt() < now);
    Taken earlier = taken.remove(pid);
    CompletableFuture<Map<?, ?>> session;
    if (earlier != null) {
      session = CompletableFuture.completedFuture(earlier.session());
    } else {
      session = bus.commands().getdel(options.sessionKeyPrefix() + pid).toCompletableFuture().thenApply(raw -> {
        if (raw == null) {
          return null;
        }
        Map<?, ?> s = Msgpack.decode(Base64.getDecoder().decode(raw)) instanceof Map<?, ?> m ? m : null;
        if (s != null) {
          taken.put(pid, new Taken(s, now + window));
        }
        return s;
      });
    }
    return session.thenCompose(s -> {
      if (s == null || !(s.get("sid") instanceof String sid)) {
        return CompletableFuture.completedFuture(Optional.<RestoredSession>empty());
      }
      Set<String> rooms = new LinkedHashSet<>(ClusterFormat.strings(s.get("rooms")));
      Map<String, Object> data = new LinkedHashMap<>();
      if (s.get("data") instanceof Map<?, ?> d) {
        d.forEach((k, v) -> data.put(String.valueOf(k), v));
      }
      return bus.commands().xrange(stream, Range.create(offset, offset)).toCompletableFuture()
          .thenCompose(found -> {
            if (found.isEmpty()) {
              return CompletableFuture.completedFuture(Optional.<RestoredSession>empty()); // trimmed, or never there
            }
            return reader.reached(offset)
                .orTimeout(options.requestsTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(ignored -> {
                  String upTo;
                  synchronized (reader.lock) {
                    upTo = reader.position();
                  }
                  List<Packet> missed = new ArrayList<>();
                  return replay(StreamsBus.StreamIds.next(offset), upTo, rooms, missed)
                      .thenApply(done -> Optional.of(new RestoredSession(sid, pid, rooms, data, missed)));
                });
          });
    });
  }

  /** Collects, page by page, the missed broadcasts of entries {@code from..upTo} (inclusive). */
  private CompletableFuture<Void> replay(String from, String upTo, Set<String> rooms, List<Packet> missed) {
    if (StreamsBus.StreamIds.compare(StreamsBus.StreamIds.parse(from), StreamsBus.StreamIds.parse(upTo)) > 0) {
      return CompletableFuture.completedFuture(null);
    }
    return bus.commands().xrange(stream, Range.create(from, upTo), Limit.create(0, RESTORE_PAGE)).toCompletableFuture()
        .thenCompose(entries -> {
          for (StreamMessage<String, byte[]> entry : entries) {
            Packet p = missedPacket(entry, rooms);
            if (p != null) {
              missed.add(p);
            }
          }
          if (entries.size() < RESTORE_PAGE) {
            return CompletableFuture.completedFuture(null);
          }
          return replay(StreamsBus.StreamIds.next(entries.get(entries.size() - 1).getId()), upTo, rooms, missed);
        });
  }

  /** The event of a broadcast entry that targeted a socket in {@code rooms}, with the entry id as offset; else null. */
  private Packet missedPacket(StreamMessage<String, byte[]> entry, Set<String> rooms) {
    try {
      if (RedisStreamsAdapter.decodeEntry(entry.getBody(), context.namespace()) instanceof ClusterMessage.Broadcast b
          && !b.options().flags().droppable() && b.options().targets(rooms)) {
        return b.packet().withOffset(entry.getId());
      }
    } catch (RuntimeException e) {
      log.debug("skipped a malformed stream entry {} while restoring", entry.getId(), e);
    }
    return null;
  }
}
