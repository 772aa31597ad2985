package dev.parley.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.AckTimeoutException;
import dev.parley.Args;
import dev.parley.BroadcastOperator;
import dev.parley.RemoteSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One server of the cluster as the scenarios drive it: a Parley node or the Node.js server, with the
 * operations of issue 4 item 3 on namespace "/". A target is (rooms, except); empty lists mean all /
 * nothing. Socket details are JSON {id, rooms, data, auth}.
 */
interface Member extends AutoCloseable {
  /** The answers of a broadcast with acks (first argument of each), or the timeout error. */
  record AckResult(List<JsonNode> answers, String error) {}

  String label();

  String url();

  void emit(List<String> rooms, List<String> except, String event, Object... args) throws Exception;

  List<JsonNode> fetch(List<String> rooms, List<String> except) throws Exception;

  /** fetchSockets of {@code socketId}, then emit (args = [event, ...]), join, leave (one room) or disconnect on the handle. */
  void remote(String socketId, String action, List<Object> args, boolean close) throws Exception;

  void socketsJoin(List<String> rooms, List<String> except, String room) throws Exception;

  void socketsLeave(List<String> rooms, List<String> except, String room) throws Exception;

  void disconnectSockets(List<String> rooms, List<String> except, boolean close) throws Exception;

  /** The rooms of one of this server's own sockets, or null. */
  Set<String> rooms(String socketId) throws Exception;

  /** The server-side disconnect reason of one of this server's sockets, or null. */
  String disconnectReason(String socketId) throws Exception;

  void serverSideEmit(String event, Object... args) throws Exception;

  List<JsonNode> serverSideEmitWithAck(String event, Object arg) throws Exception;

  /** The server-side "hello" events this server heard, as text. */
  List<String> heard() throws Exception;

  AckResult emitWithAck(List<String> rooms, Duration timeout, String event, Object arg) throws Exception;

  @Override
  void close();

  // ------------------------------------------------------------------ implementations

  static Member parley(ParleyNode n) {
    return new Member() {
      BroadcastOperator target(List<String> rooms, List<String> except) {
        return n.io.to(rooms.toArray(String[]::new)).except(except.toArray(String[]::new));
      }

      @Override
      public String label() {
        return n.label;
      }

      @Override
      public String url() {
        return n.url();
      }

      @Override
      public void emit(List<String> rooms, List<String> except, String event, Object... args) {
        target(rooms, except).emit(event, args);
      }

      @Override
      public List<JsonNode> fetch(List<String> rooms, List<String> except) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (RemoteSocket r : target(rooms, except).fetchSockets().get(10, TimeUnit.SECONDS)) {
          ObjectNode d = Clients.MAPPER.createObjectNode();
          d.put("id", r.id());
          d.set("rooms", Clients.MAPPER.valueToTree(r.rooms()));
          d.set("data", Clients.MAPPER.valueToTree(r.data()));
          d.set("auth", Clients.MAPPER.valueToTree(r.handshake().get("auth")));
          d.put("local", r.isLocal());
          out.add(d);
        }
        return out;
      }

      @Override
      public void remote(String socketId, String action, List<Object> args, boolean close) throws Exception {
        List<RemoteSocket> found = n.io.in(socketId).fetchSockets().get(10, TimeUnit.SECONDS);
        if (found.size() != 1) {
          throw new AssertionError("fetchSockets of " + socketId + " on " + n + " gave " + found);
        }
        RemoteSocket r = found.get(0);
        switch (action) {
          case "emit" -> r.emit((String) args.get(0), args.subList(1, args.size()).toArray());
          case "join" -> r.join(args.stream().map(String::valueOf).toArray(String[]::new));
          case "leave" -> r.leave((String) args.get(0));
          case "disconnect" -> r.disconnect(close);
          default -> throw new IllegalArgumentException(action);
        }
      }

      @Override
      public void socketsJoin(List<String> rooms, List<String> except, String room) {
        target(rooms, except).socketsJoin(room);
      }

      @Override
      public void socketsLeave(List<String> rooms, List<String> except, String room) {
        target(rooms, except).socketsLeave(room);
      }

      @Override
      public void disconnectSockets(List<String> rooms, List<String> except, boolean close) {
        target(rooms, except).disconnectSockets(close);
      }

      @Override
      public Set<String> rooms(String socketId) {
        return n.rooms(socketId);
      }

      @Override
      public String disconnectReason(String socketId) {
        return n.disconnects.get(socketId);
      }

      @Override
      public void serverSideEmit(String event, Object... args) {
        n.io.serverSideEmit(event, args);
      }

      @Override
      public List<JsonNode> serverSideEmitWithAck(String event, Object arg) throws Exception {
        return n.io.serverSideEmitWithAck(event, arg).get(10, TimeUnit.SECONDS).stream().map(a -> a.get(0)).toList();
      }

      @Override
      public List<String> heard() {
        return n.serverSide;
      }

      @Override
      public AckResult emitWithAck(List<String> rooms, Duration timeout, String event, Object arg) throws Exception {
        try {
          List<Args> answers = n.io.to(rooms.toArray(String[]::new)).timeout(timeout).emitWithAck(event, arg)
              .get(10, TimeUnit.SECONDS);
          return new AckResult(answers.stream().map(a -> a.get(0)).toList(), null);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AckTimeoutException t) {
            return new AckResult(t.partialResponses().stream().map(a -> a.get(0)).toList(), t.getMessage());
          }
          throw e;
        }
      }

      @Override
      public void close() {
        n.close();
      }
    };
  }

  static Member node(NodeServer s) {
    return new Member() {
      @Override
      public String label() {
        return "node";
      }

      @Override
      public String url() {
        return s.url();
      }

      @Override
      public void emit(List<String> rooms, List<String> except, String event, Object... args) throws Exception {
        s.call("emit", "rooms", rooms, "except", except, "event", event, "args", List.of(args));
      }

      @Override
      public List<JsonNode> fetch(List<String> rooms, List<String> except) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        s.call("fetch", "rooms", rooms, "except", except).get("sockets").forEach(out::add);
        return out;
      }

      @Override
      public void remote(String socketId, String action, List<Object> args, boolean close) throws Exception {
        s.call("remote", "socket", socketId, "action", action, "args", args, "close", close);
      }

      @Override
      public void socketsJoin(List<String> rooms, List<String> except, String room) throws Exception {
        s.call("socketsJoin", "rooms", rooms, "except", except, "join", room);
      }

      @Override
      public void socketsLeave(List<String> rooms, List<String> except, String room) throws Exception {
        s.call("socketsLeave", "rooms", rooms, "except", except, "leave", room);
      }

      @Override
      public void disconnectSockets(List<String> rooms, List<String> except, boolean close) throws Exception {
        s.call("disconnectSockets", "rooms", rooms, "except", except, "close", close);
      }

      @Override
      public Set<String> rooms(String socketId) throws Exception {
        JsonNode r = s.call("rooms", "socket", socketId).get("rooms");
        if (r == null || r.isNull()) {
          return null;
        }
        Set<String> out = new java.util.HashSet<>();
        r.forEach(x -> out.add(x.asText()));
        return out;
      }

      @Override
      public String disconnectReason(String socketId) throws Exception {
        JsonNode r = s.call("state").path("disconnects").get(socketId);
        return r == null ? null : r.asText();
      }

      @Override
      public void serverSideEmit(String event, Object... args) throws Exception {
        List<Object> all = new ArrayList<>();
        all.add(event);
        all.addAll(List.of(args));
        s.call("serverSideEmit", "args", all);
      }

      @Override
      public List<JsonNode> serverSideEmitWithAck(String event, Object arg) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        s.call("serverSideEmitWithAck", "args", List.of(event, arg)).get("answers").forEach(out::add);
        return out;
      }

      @Override
      public List<String> heard() throws Exception {
        List<String> out = new ArrayList<>();
        s.call("state").get("serverSide").forEach(e -> {
          List<String> parts = new ArrayList<>();
          e.forEach(x -> parts.add(x.isTextual() ? x.asText() : x.toString()));
          out.add(parts.get(0) + " " + parts.subList(1, parts.size()));
        });
        return out;
      }

      @Override
      public AckResult emitWithAck(List<String> rooms, Duration timeout, String event, Object arg) throws Exception {
        JsonNode r = s.call("emitWithAck", "rooms", rooms, "timeout", timeout.toMillis(), "args", List.of(event, arg));
        List<JsonNode> answers = new ArrayList<>();
        if (r.hasNonNull("answers")) {
          r.get("answers").forEach(answers::add);
        }
        return new AckResult(answers, r.hasNonNull("timeoutError") ? r.get("timeoutError").asText() : null);
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }
}
