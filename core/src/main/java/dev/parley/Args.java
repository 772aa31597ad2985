package dev.parley;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Objects;

/**
 * The arguments of an event or an acknowledgement, as JSON trees (binary values are
 * {@code BinaryNode}s), with typed access through Jackson.
 *
 * <pre>{@code
 * socket.on("move", (args, ack) -> {
 *   int x = args.get(0).asInt();
 *   Position p = args.get(1, Position.class);
 *   byte[] blob = args.bytes(2);
 * });
 * }</pre>
 */
public final class Args {
  private final List<JsonNode> values;
  private final ObjectMapper mapper;

  Args(List<JsonNode> values, ObjectMapper mapper) {
    this.values = List.copyOf(values);
    this.mapper = mapper;
  }

  /** The number of arguments. */
  public int size() {
    return values.size();
  }

  /** True when there are no arguments. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** Argument {@code i} as a JSON tree; a missing argument is Jackson's {@code MissingNode}. */
  public JsonNode get(int i) {
    return i >= 0 && i < values.size() ? values.get(i)
        : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /**
   * Argument {@code i} converted to {@code type} with the server's {@link ObjectMapper}.
   *
   * @throws InvalidArgumentException when the argument does not convert
   */
  public <T> T get(int i, Class<T> type) {
    Objects.requireNonNull(type, "type == null");
    JsonNode node = get(i);
    if (node.isMissingNode()) {
      return null;
    }
    if (type == byte[].class && node.isBinary()) {
      return type.cast(bytes(i));
    }
    try {
      return mapper.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidArgumentException(i, type,
          e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage(), e);
    }
  }

  /** Argument {@code i} as bytes, or {@code null} when it is not binary. */
  public byte[] bytes(int i) {
    JsonNode node = get(i);
    try {
      return node.isBinary() ? node.binaryValue() : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** All arguments as JSON trees. */
  public List<JsonNode> values() {
    return values;
  }

  @Override
  public String toString() {
    return values.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Args && ((Args) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }
}
