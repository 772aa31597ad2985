package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.adapter.Payload;
import java.util.List;

/**
 * Core's {@link Payload}: the JSON array of an event ({@code [event, ...args]}) or of a client's ack
 * ({@code [...args]}), as it was built or decoded; converted to plain values only when an adapter
 * sends it to another server. An event this server emits carries the {@link DeliveryTally} that
 * counts its local recipients (null otherwise); the tally travels with the payload because the
 * payload is what the adapter hands back to {@link Namespace#encode}.
 */
record JsonPayload(JsonNode array, DeliveryTally tally) implements Payload {
  /** A payload that counts nothing: a decoded ack, or an event not emitted here. */
  JsonPayload(JsonNode array) {
    this(array, null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<Object> toPlain() {
    return (List<Object>) Wire.toPlain(array);
  }
}
