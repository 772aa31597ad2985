package dev.parley.internal.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Random;

/**
 * Random event arguments within the JSON fast paths ({@link SimpleJson}, {@link SimpleJsonReader}):
 * strings of any UTF-16 units, ints, shorts, longs of at most 18 digits, booleans, nulls and nested
 * arrays up to four deep.
 *
 * <pre>{@code
 * ArrayNode args = JsonNodeFactory.instance.arrayNode();
 * RandomArgs.fill(args, new Random(42), 0);
 * }</pre>
 */
final class RandomArgs {
  private RandomArgs() {}

  static void fill(ArrayNode into, Random random, int depth) {
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(depth < 4 ? 7 : 6)) {
        case 0 -> {
          char[] cs = new char[random.nextInt(20)];
          for (int k = 0; k < cs.length; k++) {
            cs[k] = (char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000));
          }
          into.add(new String(cs));
        }
        case 1 -> into.add(random.nextInt());
        case 2 -> into.add(random.nextLong() % 1_000_000_000_000_000_000L);
        case 3 -> into.add(random.nextBoolean());
        case 4 -> into.addNull();
        case 5 -> into.add((short) random.nextInt());
        default -> fill(into.addArray(), random, depth + 1);
      }
    }
  }
}
