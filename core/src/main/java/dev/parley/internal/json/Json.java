package dev.parley.internal.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Core's one way to write and read JSON text: the fast paths for the common shapes, and Jackson for
 * everything else, decided here and nowhere else. The Engine.IO layer writes its few fixed shapes
 * with {@link #quote}; the Socket.IO codec writes and reads packet data with {@link #write} and
 * {@link #read}. (adapter-redis keeps a small codec of its own: it has no Jackson.)
 *
 * <ul>
 *   <li>{@link SimpleJson} writes data made of arrays, strings, whole numbers, booleans and nulls
 *       exactly as Jackson's default generator does, without a generator per packet;
 *   <li>{@link SimpleJsonReader} reads such arrays into the tree Jackson's {@code readTree} makes,
 *       without a parser per packet;
 *   <li>anything else, and any mapper configured to write or read differently, goes to Jackson.
 * </ul>
 * The fast paths were measured (docs/performance.md, session 6: 0.95x and 0.89x the CPU per echo
 * ack together with one read less) and are tested against Jackson's own output and trees.
 *
 * <p>Not API: this package is not exported (see its package-info).
 *
 * <pre>{@code
 * StringBuilder sb = new StringBuilder("42");
 * Json.write(sb, args, mapper);                       // ["chat",{"text":"hi"}]
 * JsonNode data = Json.read(text, 2, mapper.reader()); // the tree again
 * String body = "{\"message\":" + Json.quote(message) + "}";
 * }</pre>
 */
public final class Json {
  private Json() {}

  /** {@code s} as a JSON string, quoted and escaped as Jackson writes it. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    SimpleJson.appendString(sb, s);
    return sb.toString();
  }

  /** Appends {@code node}'s JSON to {@code sb}, as {@code mapper} would write it. */
  public static void write(StringBuilder sb, JsonNode node, ObjectMapper mapper) {
    if (SimpleJson.append(sb, node, mapper)) {
      return;
    }
    try {
      sb.append(mapper.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The tree of {@code s} from {@code from} to its end, as {@code reader.readTree} reads it; Jackson's
   * errors for what is not JSON. May return {@code null} or a missing node where {@code readTree} does.
   */
  public static JsonNode read(String s, int from, ObjectReader reader) throws IOException {
    JsonNode tree = SimpleJsonReader.read(s, from, reader);
    return tree != null ? tree : reader.readTree(s.substring(from));
  }
}
