package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.adapter.Payload;
import java.util.List;

/**
 * Core's {@link Payload}: the JSON array of an event ({@code [event, ...args]}) or of a client's ack
 * ({@code [...args]}), as it was built or decoded; converted to plain values only when an adapter
 * sends it to another server.
 */
record JsonPayload(JsonNode array) implements Payload {
  @Override
  @SuppressWarnings("unchecked")
  public List<Object> toPlain() {
    return (List<Object>) Wire.toPlain(array);
  }
}
