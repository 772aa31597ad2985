package dev.parley.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fast path's start-up check with Jetty as named modules, the way an application on the module path
 * has it: Jetty's jars from this class path are defined as modules in a {@link ModuleLayer} of their
 * own, and {@link LinkCheck} and {@link FastPathCheck#check(List, ClassLoader, Module)} look at Jetty
 * through that layer's class loader. The fast path's classes link against exported packages only, so
 * they pass; a class that links against a package Jetty does not export fails the check with the reason
 * (which the handler logs at INFO before it takes the public path) before the check initialises it, so
 * no {@code IllegalAccessError} can follow. {@code ModulePathTest} runs a whole application module.
 */
class ModuleLayerCheckTest {
  private static final List<String> FAST = List.of(
      "dev.parley.transport.jetty.NonBlockingHandshaker",
      "dev.parley.transport.jetty.FrameConnection",
      "dev.parley.transport.jetty.FrameWriter",
      "dev.parley.transport.jetty.PooledBuffers");

  @Test
  void theFastPathLinksOnlyAgainstPackagesJettysModulesExport() throws Exception {
    ClassLoader jetty = jettyLayer().findLoader("org.eclipse.jetty.websocket.core.server");
    assertThat(jetty.loadClass("org.eclipse.jetty.server.Server").getModule().isNamed()).isTrue();

    String missing = LinkCheck.missing(FAST, jetty, FastPathCheck.class.getModule());

    assertThat(missing).as("what Jetty's modules do not give Parley").isNull();
  }

  @Test
  void aClassLinkingAgainstAnUnexportedPackageFailsTheCheckBeforeItIsInitialised() {
    ClassLoader jetty = jettyLayer().findLoader("org.eclipse.jetty.websocket.core.server");

    FastPathCheck.Outcome outcome = FastPathCheck.check(
        List.of("dev.parley.transport.jetty.UnexportedJettyProbe"), jetty, FastPathCheck.class.getModule());

    assertThat(outcome.upgrade()).isNull();
    assertThat(outcome.reason()).contains(
        "lacks what it needs: org.eclipse.jetty.websocket.core.server.internal is not exported to Parley's module");
    assertThat(System.getProperty(UnexportedJettyProbe.INITIALISED)).as("the probe was initialised").isNull();
  }

  /** Jetty's and SLF4J's jars from this class path, resolved as named modules in a layer of their own. */
  private static ModuleLayer jettyLayer() {
    List<Path> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (!entry.endsWith(".jar") || !Files.isRegularFile(path)) {
        continue;
      }
      Optional<ModuleReference> module = ModuleFinder.of(path).findAll().stream().findFirst();
      if (module.isPresent() && !module.get().descriptor().isAutomatic()) {
        String name = module.get().descriptor().name();
        if (name.startsWith("org.eclipse.jetty.") || name.equals("org.slf4j")) {
          jars.add(path);
        }
      }
    }
    Configuration configuration = ModuleLayer.boot().configuration().resolve(
        ModuleFinder.of(jars.toArray(Path[]::new)), ModuleFinder.of(), Set.of("org.eclipse.jetty.websocket.core.server"));
    // the layer's loader defines the classes of Jetty's packages itself and asks this class path's
    // loader for the rest (Parley's classes, as an application's module layer would see them)
    return ModuleLayer.boot().defineModulesWithOneLoader(configuration, ModuleLayerCheckTest.class.getClassLoader());
  }
}

/**
 * Stands for a fast-path class that refers to a Jetty package no Jetty module exports (the kind of
 * reference the fast path once made): only {@link ModuleLayerCheckTest} reads its class file.
 */
final class UnexportedJettyProbe implements FastUpgrade {
  /** Set when the class is initialised, which the check must not do (a constant: reading it does not). */
  static final String INITIALISED = "parley.test.unexported-jetty-probe";
  /** The reference the check must refuse. */
  static final Class<?> INTERNAL;

  static {
    System.setProperty(INITIALISED, "true");
    INTERNAL = org.eclipse.jetty.websocket.core.server.internal.HandshakerSelector.class;
  }

  @Override
  public boolean accepts(org.eclipse.jetty.server.Request request, boolean deflate) {
    return false;
  }

  @Override
  public void upgrade(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
      org.eclipse.jetty.util.Callback callback, JettyWebSocketTransport transport) {
    callback.succeeded();
  }
}
