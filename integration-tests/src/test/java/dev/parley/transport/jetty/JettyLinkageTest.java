package dev.parley.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every class of {@code transport-jetty}, public path and fast path, links against the Jetty on the
 * class path: each Jetty class, method and field their class files refer to exists with the exact type
 * they were compiled against ({@link LinkCheck}, the check the fast path runs at start-up). Compiled
 * against {@code jetty.version}, checked on whatever Jetty the build put here: with
 * {@code -Pjetty-oldest} that is the oldest Jetty Parley supports, so a {@code NoSuchMethodError} in
 * a branch no other test reaches shows here. (In this package to reach the package-private check.)
 */
class JettyLinkageTest {
  @Test
  void everyClassLinksAgainstThisJetty() throws Exception {
    List<String> classes = transportJettyClasses();
    assertThat(classes).contains(ParleyHandler.class.getName(), "dev.parley.transport.jetty.FrameConnection");

    String missing = LinkCheck.missing(classes, ParleyHandler.class.getClassLoader(), ParleyHandler.class.getModule());

    assertThat(missing).as("what Jetty %s lacks", org.eclipse.jetty.util.Jetty.VERSION).isNull();
  }

  @Test
  void theFastPathCheckPassesOnThisJetty() {
    FastPathCheck.Outcome outcome = FastPathCheck.check();
    assertThat(outcome.upgrade()).as(outcome.reason()).isNotNull();
  }

  /** The top-level classes of the module (LinkCheck follows their nested ones). */
  private static List<String> transportJettyClasses() throws URISyntaxException, java.io.IOException {
    Path root = Path.of(ParleyHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        return files.map(p -> root.relativize(p).toString().replace('\\', '/'))
            .filter(n -> n.endsWith(".class") && !n.contains("$"))
            .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
            .collect(Collectors.toList());
      }
    }
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(root.toFile())) {
      return jar.stream().map(java.util.jar.JarEntry::getName)
          .filter(n -> n.endsWith(".class") && !n.contains("$") && !n.endsWith("module-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
          .collect(Collectors.toList());
    }
  }
}
