package dev.parley.it.sio;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Arguments for parameterised tests: {@code @MethodSource(Matrix.ALL)} on a test method taking
 * {@code (ClientKind kind, TransportMode mode)} runs it for both clients over all three transport modes.
 */
final class Matrix {
  /** Both clients x WEBSOCKET, POLLING, UPGRADE. */
  static final String ALL = "dev.parley.it.sio.Matrix#all";
  /** Both clients, one argument {@code ClientKind} (tests that do not depend on the transport). */
  static final String KINDS = "dev.parley.it.sio.Matrix#kinds";

  private Matrix() {}

  static Stream<Arguments> all() {
    return Arrays.stream(ClientKind.values())
        .flatMap(k -> Arrays.stream(TransportMode.values()).map(m -> Arguments.of(k, m)));
  }

  static Stream<Arguments> kinds() {
    return Arrays.stream(ClientKind.values()).map(Arguments::of);
  }
}
