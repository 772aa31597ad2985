package dev.parley.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Field handles for the engine's lock-free fields, without a static-initialiser try block in each
 * class: a missing field is a build mistake, reported as the class's initialisation error.
 *
 * <pre>{@code
 * private static final VarHandle CORKS =
 *     VarHandles.field(MethodHandles.lookup(), EngineSession.class, "corks", int.class);
 * }</pre>
 */
final class VarHandles {
  private VarHandles() {}

  /** The handle of {@code owner.name} of type {@code type}, found through {@code lookup} (the owner's own). */
  static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
    try {
      return lookup.findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
