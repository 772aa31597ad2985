package dev.parley.it;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (servers, sockets), closed in reverse order when the test ends, each whatever
 * the others do.
 *
 * <pre>{@code
 * private final Resources resources = new Resources();
 * @AfterEach void cleanUp() { resources.close(); }
 * TestServer server = resources.add(TestServer.start(options));
 * }</pre>
 */
final class Resources implements AutoCloseable {
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Registers {@code resource} to be closed after the test, and returns it. */
  <T extends AutoCloseable> T add(T resource) {
    opened.add(resource);
    return resource;
  }

  @Override
  public void close() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception ignored) {
        // the rest still has to close
      }
    }
    opened.clear();
  }
}
