package dev.parley.adapter;

import java.util.Objects;

/**
 * A Socket.IO packet as the adapter sees it: the type digit, the namespace, the data, which is opaque
 * here (core's representation; an adapter passes it back to {@link AdapterContext#encode}), and the
 * ack id ({@code -1} for none). A broadcast expecting acks carries one id for all recipients.
 *
 * <pre>{@code
 * Packet event = new Packet(2, "/chat", data, -1);
 * }</pre>
 */
public record Packet(int type, String nsp, Object data, long id) {
  public Packet {
    Objects.requireNonNull(nsp, "nsp == null");
  }
}
