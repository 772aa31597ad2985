package dev.parley.adapter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the servers of a cluster say to each other, independent of any wire format: the messages of
 * socket.io-adapter's {@code ClusterAdapter} as Java records. A {@link ClusterAdapter} publishes them
 * and handles them; a backend only turns them into bytes and back (its wire dialect).
 *
 * <p>Messages published to every server are the records that are not a {@link Response}. A
 * {@link Response} goes to the one server whose request it answers. {@code requestId}s are opaque
 * strings the requester chose.
 *
 * <pre>{@code
 * ClusterMessage m = new ClusterMessage.SocketsJoin(options, Set.of("room2"));
 * byte[] wire = myDialect.encode(adapter.uid(), m);   // in the backend's doPublish
 * }</pre>
 */
public sealed interface ClusterMessage {
  /** An event to deliver to the targeted sockets, without acks. */
  record Broadcast(Packet packet, BroadcastOptions options) implements ClusterMessage {
    public Broadcast {
      Objects.requireNonNull(packet, "packet == null");
      Objects.requireNonNull(options, "options == null");
    }
  }

  /** An event to deliver expecting acks: answer with a count, then one {@link BroadcastAck} per ack. */
  record BroadcastWithAck(String requestId, Packet packet, BroadcastOptions options) implements ClusterMessage {
    public BroadcastWithAck {
      Objects.requireNonNull(requestId, "requestId == null");
      Objects.requireNonNull(packet, "packet == null");
      Objects.requireNonNull(options, "options == null");
    }
  }

  /** Makes the targeted sockets join {@code rooms}. */
  record SocketsJoin(BroadcastOptions options, Set<String> rooms) implements ClusterMessage {
    public SocketsJoin {
      Objects.requireNonNull(options, "options == null");
      rooms = Set.copyOf(rooms);
    }
  }

  /** Makes the targeted sockets leave {@code rooms}. */
  record SocketsLeave(BroadcastOptions options, Set<String> rooms) implements ClusterMessage {
    public SocketsLeave {
      Objects.requireNonNull(options, "options == null");
      rooms = Set.copyOf(rooms);
    }
  }

  /** Disconnects the targeted sockets (their whole connections when {@code close}). */
  record DisconnectSockets(BroadcastOptions options, boolean close) implements ClusterMessage {
    public DisconnectSockets {
      Objects.requireNonNull(options, "options == null");
    }
  }

  /** Asks for the details of the targeted sockets: answer with a {@link FetchSocketsResponse}. */
  record FetchSockets(String requestId, BroadcastOptions options) implements ClusterMessage {
    public FetchSockets {
      Objects.requireNonNull(requestId, "requestId == null");
      Objects.requireNonNull(options, "options == null");
    }
  }

  /** Asks for every room: answer with an {@link AllRoomsResponse}. Not every wire format has it. */
  record AllRooms(String requestId) implements ClusterMessage {
    public AllRooms {
      Objects.requireNonNull(requestId, "requestId == null");
    }
  }

  /**
   * An event for the namespace's server-side listeners; {@code packet} is {@code [event, ...args]} as
   * plain values. With a {@code requestId} the sender waits for one {@link ServerSideEmitResponse};
   * with none (null) it expects no answer.
   */
  record ServerSideEmit(String requestId, List<Object> packet) implements ClusterMessage {
    public ServerSideEmit {
      packet = Collections.unmodifiableList(new ArrayList<>(packet));
    }
  }

  /** A server started: every other server answers with a {@link Heartbeat} ({@link ClusterAdapterWithHeartbeat}). */
  record InitialHeartbeat() implements ClusterMessage {}

  /** A server is alive ({@link ClusterAdapterWithHeartbeat}). */
  record Heartbeat() implements ClusterMessage {}

  /** A server's adapter closed ({@link ClusterAdapterWithHeartbeat}). */
  record AdapterClose() implements ClusterMessage {}

  /** An answer to one server's request. */
  sealed interface Response extends ClusterMessage {
    /** The id of the request this answers. */
    String requestId();
  }

  /** The details of the answering server's targeted sockets. */
  record FetchSocketsResponse(String requestId, List<AdapterContext.SocketDetails> sockets) implements Response {
    public FetchSocketsResponse {
      Objects.requireNonNull(requestId, "requestId == null");
      sockets = List.copyOf(sockets);
    }
  }

  /** The answering server's rooms, socket-id rooms included. */
  record AllRoomsResponse(String requestId, List<String> rooms) implements Response {
    public AllRoomsResponse {
      Objects.requireNonNull(requestId, "requestId == null");
      rooms = List.copyOf(rooms);
    }
  }

  /** The first answer of the answering server's listeners, a plain value (may be null). */
  record ServerSideEmitResponse(String requestId, Object answer) implements Response {
    public ServerSideEmitResponse {
      Objects.requireNonNull(requestId, "requestId == null");
    }
  }

  /** How many of the answering server's sockets a {@link BroadcastWithAck} reached. */
  record BroadcastClientCount(String requestId, int clientCount) implements Response {
    public BroadcastClientCount {
      Objects.requireNonNull(requestId, "requestId == null");
    }
  }

  /**
   * One client's ack to a {@link BroadcastWithAck}: its arguments as plain values. Only the first
   * argument crosses the wire, as in Node, so the list holds at most one (none when the client acked
   * without arguments and the wire format can say so).
   */
  record BroadcastAck(String requestId, List<Object> arguments) implements Response {
    public BroadcastAck {
      Objects.requireNonNull(requestId, "requestId == null");
      arguments = Collections.unmodifiableList(new ArrayList<>(arguments));
    }
  }
}
