package dev.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One Socket.IO packet: type, namespace, optional ack id and JSON data. Binary values inside the data
 * are Jackson {@code BinaryNode}s; the codec turns them into placeholders and attachments on the wire.
 * Immutable (the data tree must not be changed once the packet is built).
 *
 * <pre>{@code
 * SioPacket event = SioPacket.event("/", mapper.readTree("[\"hello\",1]"), 12);
 * String wire = SioEncoder.encode(event, mapper).get(0).text(); // 212["hello",1]
 * }</pre>
 */
public final class SioPacket {
  /** Marks "no ack id". */
  public static final long NO_ID = -1;

  private final SioPacketType type;
  private final String nsp;
  private final long id;
  private final JsonNode data;

  public SioPacket(SioPacketType type, String nsp, long id, JsonNode data) {
    this.type = Objects.requireNonNull(type, "type == null");
    this.nsp = Objects.requireNonNull(nsp, "nsp == null");
    this.id = id;
    this.data = data;
  }

  public static SioPacket event(String nsp, JsonNode array, long id) {
    return new SioPacket(SioPacketType.EVENT, nsp, id, array);
  }

  public static SioPacket ack(String nsp, JsonNode array, long id) {
    return new SioPacket(SioPacketType.ACK, nsp, id, array);
  }

  public SioPacketType type() {
    return type;
  }

  /** The namespace, {@code "/"} for the main one. */
  public String nsp() {
    return nsp;
  }

  /** The ack id, or {@link #NO_ID}. */
  public long id() {
    return id;
  }

  public boolean hasId() {
    return id >= 0;
  }

  /** The JSON payload, or {@code null} when the packet has none. */
  public JsonNode data() {
    return data;
  }

  @Override
  public String toString() {
    return "SioPacket{" + type + ", " + nsp + (hasId() ? ", id=" + id : "") + ", " + data + "}";
  }
}
