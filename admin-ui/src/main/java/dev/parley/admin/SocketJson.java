package dev.parley.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.Args;
import dev.parley.Handshake;
import dev.parley.RemoteSocket;
import dev.parley.Socket;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The admin UI's JSON shapes, as the reference's {@code serialize} writes them: a socket entry
 * (from a local {@link Socket} or a {@link RemoteSocket} of any server), its data without the
 * {@code _admin} key, event arrays and timestamps.
 */
final class SocketJson {
  /** The key of socket data where the reference keeps what other servers need: clientId, transport. */
  static final String ADMIN_KEY = "_admin";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  /** JavaScript's {@code Date.prototype.toString()}: "Sat Dec 05 2026 20:09:29 GMT+0000 (Coordinated Universal Time)". */
  private static final DateTimeFormatter JS_DATE =
      DateTimeFormatter.ofPattern("EEE MMM dd yyyy HH:mm:ss 'GMT'xx", Locale.ENGLISH);

  private final ObjectMapper mapper;

  SocketJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** A timestamp as a JavaScript {@code Date} goes on the wire: ISO-8601 in UTC with milliseconds. */
  static String timestamp(long epochMillis) {
    return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
  }

  /** The first 12 characters of the Engine.IO session id: enough to group sockets, too few to hijack. */
  static String clientId(String connectionId) {
    return connectionId.length() > 12 ? connectionId.substring(0, 12) : connectionId;
  }

  /** What a socket's data holds under {@code _admin}: its client id and current transport. */
  static Map<String, Object> adminData(Socket socket) {
    Map<String, Object> admin = new LinkedHashMap<>();
    admin.put("clientId", clientId(socket.connectionId()));
    admin.put("transport", socket.transport());
    return admin;
  }

  /** The socket entry of a socket of this server. */
  ObjectNode serialize(Socket socket) {
    Handshake h = socket.handshake();
    ObjectNode hs = F.objectNode();
    ObjectNode headers = F.objectNode();
    h.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
    ObjectNode query = F.objectNode();
    h.query().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
    hs.put("address", address(headers, h.address()));
    hs.set("headers", headers);
    hs.set("query", query);
    hs.put("issued", h.time().toEpochMilli());
    hs.put("secure", h.secure());
    hs.put("time", jsDate(h.time()));
    hs.put("url", h.url());
    hs.put("xdomain", h.header("Origin") != null);
    Set<String> rooms = new LinkedHashSet<>();
    rooms.add(socket.id());
    rooms.addAll(socket.rooms());
    return entry(socket.id(), clientId(socket.connectionId()), socket.transport(), socket.namespace().name(),
        data(socket.data()), hs, rooms);
  }

  /** The socket entry of a fetched socket, of this server or another (Parley or Node). */
  ObjectNode serialize(RemoteSocket socket, String nsp) {
    Map<String, Object> hsIn = socket.handshake();
    ObjectNode hs = F.objectNode();
    JsonNode headers = tree(hsIn.get("headers"));
    if (!headers.isObject()) {
      headers = F.objectNode();
    }
    Object address = hsIn.get("address");
    hs.put("address", address((ObjectNode) headers, address == null ? null : address.toString()));
    hs.set("headers", headers);
    hs.set("query", tree(hsIn.get("query")));
    hs.set("issued", tree(hsIn.get("issued")));
    hs.set("secure", tree(hsIn.get("secure")));
    hs.set("time", tree(hsIn.get("time")));
    hs.set("url", tree(hsIn.get("url")));
    hs.set("xdomain", tree(hsIn.get("xdomain")));
    String clientId = null;
    String transport = null;
    Object admin = socket.data() == null ? null : socket.data().get(ADMIN_KEY);
    if (admin instanceof Map<?, ?> m) {
      clientId = m.get("clientId") == null ? null : m.get("clientId").toString();
      transport = m.get("transport") == null ? null : m.get("transport").toString();
    }
    return entry(socket.id(), clientId, transport, nsp, data(socket.data()), hs, socket.rooms());
  }

  /** A socket's data without {@code _admin}, as the page shows it. */
  ObjectNode data(Map<String, Object> data) {
    ObjectNode out = F.objectNode();
    if (data == null) {
      return out;
    }
    for (Map.Entry<String, Object> e : data.entrySet()) {
      if (!ADMIN_KEY.equals(e.getKey())) {
        out.set(e.getKey(), tree(e.getValue()));
      }
    }
    return out;
  }

  /** {@code [event, ...args]}, the third argument of {@code event_received} and {@code event_sent}. */
  static ArrayNode eventArray(String event, Args args) {
    ArrayNode a = F.arrayNode(args.size() + 1);
    a.add(event);
    for (JsonNode v : args.values()) {
      a.add(v);
    }
    return a;
  }

  private JsonNode tree(Object value) {
    if (value == null) {
      return F.nullNode();
    }
    try {
      return mapper.valueToTree(value);
    } catch (IllegalArgumentException e) {
      return F.textNode(String.valueOf(value)); // a value Jackson cannot write: shown as text
    }
  }

  private static ObjectNode entry(String id, String clientId, String transport, String nsp, ObjectNode data,
      ObjectNode handshake, Set<String> rooms) {
    ObjectNode o = F.objectNode();
    o.put("id", id);
    o.put("clientId", clientId);
    o.put("transport", transport);
    o.put("nsp", nsp);
    o.set("data", data);
    o.set("handshake", handshake);
    ArrayNode r = o.putArray("rooms");
    List.copyOf(rooms).forEach(r::add);
    return o;
  }

  /** The reference's address: Cloudflare's or the proxy's header first, else the peer's address. */
  private static String address(ObjectNode headers, String remote) {
    JsonNode cf = headers.get("cf-connecting-ip");
    if (cf != null && !cf.asText().isEmpty()) {
      return cf.asText();
    }
    JsonNode xff = headers.get("x-forwarded-for");
    if (xff != null && !xff.asText().isEmpty()) {
      return xff.asText();
    }
    return remote;
  }

  private static String jsDate(Instant time) {
    ZoneId zone = ZoneId.systemDefault();
    return JS_DATE.format(time.atZone(zone)) + " (" + zone.getDisplayName(TextStyle.FULL, Locale.ENGLISH) + ")";
  }
}
