package dev.parley.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the Java in the docs compiled: every {@code ```java} block of {@code README.md} and
 * {@code docs/*.md} must follow a {@code <!-- snippet: File.java#name -->} marker and equal, line for
 * line, the region {@code tag::name[]} .. {@code end::name[]} of that file in this package, main or
 * test sources (which the build compiles), or in the Spring Boot example's package of
 * {@code examples-spring-boot} (which its module compiles), or follow {@code <!-- not-compiled: reason -->} for code that is not Parley's.
 */
class DocsSnippetsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SOURCES = Path.of("src/main/java/dev/parley/examples/docs");
  /** Examples that are themselves tests (docs/testing.md) live with the tests. */
  private static final Path TEST_SOURCES = Path.of("src/test/java/dev/parley/examples/docs");
  /** The Spring Boot example (docs/spring-boot.md), a module of its own. */
  private static final Path SPRING_SOURCES = Path.of("../examples-spring-boot/src/main/java/dev/parley/examples/spring");
  private static final Pattern MARKER = Pattern.compile("<!-- (snippet: (\\S+)#(\\S+)|not-compiled: .+) -->");

  @Test
  void everyJavaBlockInTheDocsIsCompiledCode() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    int checked = 0;
    List<String> problems = new ArrayList<>();
    for (Path page : pages) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).strip().equals("```java")) {
          continue;
        }
        int end = i + 1;
        while (end < lines.size() && !lines.get(end).strip().equals("```")) {
          end++;
        }
        List<String> block = lines.subList(i + 1, end);
        String where = ROOT.relativize(page) + ":" + (i + 1);
        Matcher m = i > 0 ? MARKER.matcher(lines.get(i - 1).strip()) : null;
        if (m == null || !m.matches()) {
          problems.add(where + ": java block without a snippet marker on the line before");
        } else if (m.group(2) != null) {
          Path source = Files.exists(SOURCES.resolve(m.group(2))) ? SOURCES.resolve(m.group(2))
              : Files.exists(SPRING_SOURCES.resolve(m.group(2))) ? SPRING_SOURCES.resolve(m.group(2))
              : TEST_SOURCES.resolve(m.group(2));
          List<String> region = region(source, m.group(3));
          if (region == null) {
            problems.add(where + ": no region " + m.group(3) + " in " + m.group(2));
          } else if (!region.equals(block)) {
            problems.add(where + ": differs from " + m.group(2) + "#" + m.group(3)
                + "\n--- source\n" + String.join("\n", region) + "\n--- doc\n" + String.join("\n", block));
          }
          checked++;
        }
        i = end;
      }
    }
    assertThat(problems).as("doc snippets").isEmpty();
    assertThat(checked).as("compiled snippets found").isGreaterThan(15);
  }

  /** The lines between the tag markers, without the common indentation; null when absent. */
  static List<String> region(Path file, String name) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    List<String> lines = Files.readAllLines(file);
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      String s = lines.get(i).strip();
      if (s.equals("// tag::" + name + "[]")) {
        start = i + 1;
      } else if (s.equals("// end::" + name + "[]") && start >= 0) {
        List<String> body = lines.subList(start, i);
        int indent = body.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String l : body) {
          out.add(l.isBlank() ? "" : l.substring(indent));
        }
        return out;
      }
    }
    return null;
  }
}
