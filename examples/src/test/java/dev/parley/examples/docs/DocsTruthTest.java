package dev.parley.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps what the docs name true. In {@code README.md}, {@code CONTRIBUTING.md} and {@code docs/*.md},
 * outside code blocks:
 *
 * <ul>
 *   <li>every relative link points to a file that exists, and its {@code #anchor} to a heading of it;
 *   <li>every path in backquotes that starts with a folder of this repository exists (build output under
 *       {@code target/} and {@code node_modules/} aside), and every bare {@code Name.md} is a page here;
 *   <li>every {@code `Type`}, {@code `Type.member`} or {@code `Type.member(...)`} names a Parley type
 *       and one of its members, or a type of the JDK or of a library on the examples' classpath, or a
 *       name the page declares as someone else's in a {@code <!-- not-parley: A, B -->} comment;
 *   <li>every builder-style {@code `.option(...)`} is a public method of some Parley class.
 * </ul>
 *
 * <p>It also checks that the BOM lists every published module and that {@code docs/README.md} lists
 * every page. {@link DocsSnippetsTest} keeps the Java blocks compiled.
 */
class DocsTruthTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** Modules that are never published (docs/releasing.md). */
  private static final Set<String> UNPUBLISHED = Set.of("examples", "integration-tests", "benchmarks");

  private static final Pattern FENCE = Pattern.compile("(?s)```.*?```");
  private static final Pattern TICKED = Pattern.compile("`([^`\\n]+)`");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern NOT_PARLEY = Pattern.compile("<!-- not-parley: ([^>]*) -->");
  private static final Pattern TYPE_REF =
      Pattern.compile("([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?:[.#]([A-Za-z_][A-Za-z0-9_]*))?(\\(.*\\))?");
  private static final Pattern OPTION_REF = Pattern.compile("\\.([a-z][A-Za-z0-9]*)\\(.*\\)");
  private static final Pattern PATH_REF = Pattern.compile("[\\w.-]+(/[\\w.*-]+)+/?");

  /** Parley's types by simple name (nested ones too), from the main and test sources of every module. */
  private static final Map<String, List<String>> PARLEY_TYPES = new HashMap<>();
  /** The source file of each of Parley's top-level types. */
  private static final Map<String, Path> SOURCES = new HashMap<>();
  private static final Map<String, Boolean> METHODS = new HashMap<>();
  /** Simple names of every class of the JDK and of the test classpath. */
  private static final Set<String> KNOWN_TYPES = new HashSet<>();
  private static final Set<String> TOP_FOLDERS = new HashSet<>();

  @BeforeAll
  static void index() throws IOException {
    try (Stream<Path> top = Files.list(ROOT)) {
      top.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".")).forEach(TOP_FOLDERS::add);
    }
    for (String folder : TOP_FOLDERS) {
      for (String set : List.of("src/main/java", "src/test/java")) {
        Path sources = ROOT.resolve(folder).resolve(set);
        if (Files.isDirectory(sources)) {
          try (Stream<Path> all = Files.walk(sources)) {
            all.filter(p -> p.toString().endsWith(".java")).forEach(p -> indexSource(sources, p));
          }
        }
      }
    }
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        try (JarFile jar = new JarFile(entry)) {
          jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).forEach(DocsTruthTest::addKnown);
        }
      }
    }
    for (ModuleReference module : ModuleFinder.ofSystem().findAll()) {
      try (ModuleReader reader = module.open()) {
        reader.list().filter(n -> n.endsWith(".class")).forEach(DocsTruthTest::addKnown);
      }
    }
  }

  private static void indexSource(Path sources, Path file) {
    String relative = sources.relativize(file).toString();
    String fqcn = relative.substring(0, relative.length() - ".java".length()).replace('/', '.');
    SOURCES.put(fqcn, file);
    PARLEY_TYPES.computeIfAbsent(fqcn.substring(fqcn.lastIndexOf('.') + 1), k -> new ArrayList<>()).add(fqcn);
    try {
      Matcher nested = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)")
          .matcher(Files.readString(file));
      while (nested.find()) {
        PARLEY_TYPES.computeIfAbsent(nested.group(1), k -> new ArrayList<>()).add(fqcn + "$" + nested.group(1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void addKnown(String entry) {
    String name = entry.substring(entry.lastIndexOf('/') + 1, entry.length() - ".class".length());
    for (String part : name.split("\\$")) {
      KNOWN_TYPES.add(part);
    }
  }

  @Test
  void whatTheDocsNameExists() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path page : pages()) {
      String text = Files.readString(page);
      String prose = FENCE.matcher(text).replaceAll("");
      String where = ROOT.relativize(page).toString();
      Set<String> foreign = new HashSet<>();
      Matcher np = NOT_PARLEY.matcher(text);
      while (np.find()) {
        for (String n : np.group(1).split(",")) {
          foreign.add(n.strip());
        }
      }
      Matcher link = LINK.matcher(prose);
      while (link.find()) {
        checkLink(page, link.group(1), where, problems);
      }
      Matcher ticked = TICKED.matcher(prose);
      while (ticked.find()) {
        checkTicked(ticked.group(1).strip(), foreign, where, problems);
      }
    }
    assertThat(problems).as("names in the docs that do not exist").isEmpty();
  }

  @Test
  void theLoggingMapNamesLoggersThatExist() throws IOException {
    String page = Files.readString(ROOT.resolve("docs/logging.md"));
    Matcher logger = Pattern.compile("`(dev\\.parley(?:\\.[a-z]+)*(?:\\.[A-Z]\\w*)?)`").matcher(page);
    List<String> problems = new ArrayList<>();
    int seen = 0;
    while (logger.find()) {
      String name = logger.group(1);
      seen++;
      boolean isClass = SOURCES.containsKey(name);
      boolean isPackage = SOURCES.keySet().stream().anyMatch(c -> c.startsWith(name + "."));
      boolean isNamedLogger = !isClass && !isPackage && mainSourcesMention("getLogger(\"" + name + "\")");
      if (!isClass && !isPackage && !isNamedLogger) {
        problems.add("docs/logging.md: `" + name + "` is no class, package or named logger of Parley");
      }
    }
    assertThat(seen).as("logger names in docs/logging.md").isGreaterThan(10);
    assertThat(problems).isEmpty();
  }

  private static boolean mainSourcesMention(String text) {
    return SOURCES.values().stream().filter(f -> f.toString().contains("/src/main/")).anyMatch(f -> {
      try {
        return Files.readString(f).contains(text);
      } catch (IOException e) {
        return false;
      }
    });
  }

  @Test
  void theBomListsEveryPublishedModule() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
    List<String> missing = new ArrayList<>();
    int published = 0;
    while (module.find()) {
      String folder = module.group(1);
      if (folder.equals("bom") || UNPUBLISHED.contains(folder)) {
        continue;
      }
      String pom = Files.readString(ROOT.resolve(folder).resolve("pom.xml"));
      Matcher id = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(pom);
      assertThat(id.find()).as(folder + "/pom.xml artifactId").isTrue();
      published++;
      if (!bom.contains("<artifactId>" + id.group(1) + "</artifactId>")) {
        missing.add(id.group(1));
      }
      assertThat(pom).as(folder + "/pom.xml").contains("<description>");
    }
    assertThat(missing).as("published artifacts missing from bom/pom.xml").isEmpty();
    assertThat(published).as("published modules").isGreaterThanOrEqualTo(5);
  }

  @Test
  void theDocsIndexListsEveryPage() throws IOException {
    String index = Files.readString(ROOT.resolve("docs/README.md"));
    List<String> unlisted;
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      unlisted = docs.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".md") && !n.equals("README.md"))
          .filter(n -> !index.contains("](" + n + ")"))
          .sorted().collect(Collectors.toList());
    }
    assertThat(unlisted).as("pages of docs/ that docs/README.md does not link").isEmpty();
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  private static void checkLink(Path page, String target, String where, List<String> problems) throws IOException {
    if (target.matches("^[a-z]+:.*") ) {
      return;   // http(s), mailto: not checked here
    }
    String file = target;
    String anchor = null;
    int hash = target.indexOf('#');
    if (hash >= 0) {
      file = target.substring(0, hash);
      anchor = target.substring(hash + 1);
    }
    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
    if (!Files.exists(resolved)) {
      problems.add(where + ": link to " + target + ": no such file");
    } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
      problems.add(where + ": link to " + target + ": no such heading");
    }
  }

  /** GitHub's anchors for the headings of a page. */
  static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      }
      if (fenced || !line.startsWith("#")) {
        continue;
      }
      String slug = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }

  private static void checkTicked(String token, Set<String> foreign, String where, List<String> problems) {
    if (PATH_REF.matcher(token).matches()) {
      String first = token.substring(0, token.indexOf('/'));
      if (TOP_FOLDERS.contains(first) && !token.contains("target/") && !token.contains("node_modules")
          && !token.contains("*") && !Files.exists(ROOT.resolve(token))) {
        problems.add(where + ": `" + token + "`: no such file in the repository");
      }
      return;
    }
    if (token.matches("[A-Za-z][\\w-]*\\.md")) {
      if (!Files.exists(ROOT.resolve("docs").resolve(token)) && !Files.exists(ROOT.resolve(token))) {
        problems.add(where + ": `" + token + "`: no such page in docs/ or at the root");
      }
      return;
    }
    Matcher option = OPTION_REF.matcher(token);
    if (option.matches()) {
      if (!anyParleyMethod(option.group(1))) {
        problems.add(where + ": `" + token + "`: no Parley class has a public method " + option.group(1));
      }
      return;
    }
    Matcher ref = TYPE_REF.matcher(token);
    if (!ref.matches() || foreign.contains(ref.group(1))) {
      return;
    }
    String type = ref.group(1);
    String member = ref.group(2);
    List<String> parley = PARLEY_TYPES.get(type);
    if (parley == null) {
      if (!KNOWN_TYPES.contains(type)) {
        problems.add(where + ": `" + token + "`: " + type
            + " is no Parley type and no class of the JDK or the classpath (declare it in <!-- not-parley: -->)");
      }
      return;
    }
    // a name that is also another library's type (Jetty's Connection) may mean that one: members unchecked
    if (member != null && !KNOWN_TYPES.contains(type) && parley.stream().noneMatch(fqcn -> hasMember(fqcn, member))) {
      problems.add(where + ": `" + token + "`: " + type + " has no member " + member);
    }
  }

  private static boolean hasMember(String fqcn, String member) {
    Class<?> type;
    try {
      type = Class.forName(fqcn, false, DocsTruthTest.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return sourceMentions(fqcn, member);   // a module the examples do not depend on
    }
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (declares(c, member)) {
        return true;
      }
    }
    for (Class<?> i : allInterfaces(type, new LinkedHashSet<>())) {
      if (declares(i, member)) {
        return true;
      }
    }
    return false;
  }

  private static boolean declares(Class<?> c, String member) {
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(member)) {
        return true;
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (f.getName().equals(member)) {
        return true;
      }
    }
    for (Class<?> nested : c.getDeclaredClasses()) {
      if (nested.getSimpleName().equals(member)) {
        return true;
      }
    }
    return false;
  }

  private static Set<Class<?>> allInterfaces(Class<?> type, Set<Class<?>> into) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (into.add(i)) {
          allInterfaces(i, into);
        }
      }
    }
    return into;
  }

  /** For types the examples cannot load (tests, modules they do not depend on): the word is in the file. */
  private static boolean sourceMentions(String fqcn, String member) {
    Path file = SOURCES.get(fqcn.replaceFirst("\\$.*", ""));
    try {
      return file != null
          && Pattern.compile("\\b" + Pattern.quote(member) + "\\b").matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean anyParleyMethod(String name) {
    return METHODS.computeIfAbsent(name, DocsTruthTest::findParleyMethod);
  }

  private static boolean findParleyMethod(String name) {
    for (String fqcn : PARLEY_TYPES.values().stream().flatMap(List::stream).collect(Collectors.toList())) {
      if (SOURCES.get(fqcn.replaceFirst("\\$.*", "")).toString().contains("/src/test/java/")) {
        continue;
      }
      try {
        for (Method m : Class.forName(fqcn, false, DocsTruthTest.class.getClassLoader()).getMethods()) {
          if (m.getName().equals(name)) {
            return true;
          }
        }
      } catch (ClassNotFoundException | LinkageError e) {
        if (sourceMentions(fqcn, name)) {
          return true;
        }
      }
    }
    return false;
  }
}
