package dev.parley;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dynamic namespaces of one server: the parents (patterns) in the order they were declared, the
 * parent of each child, how many children exist (at most {@code maxDynamicNamespaces}), and, with
 * {@code cleanupEmptyChildNamespaces}, the removal of a child once it is left without sockets, as
 * Node's option of that name does. Thread-safe.
 */
final class DynamicNamespaces {
  private static final Logger log = LoggerFactory.getLogger(DynamicNamespaces.class);

  private final SocketIoServer server;
  /** The server's namespaces by name; children are added and removed here. */
  private final Map<String, Namespace> namespaces;
  private final Function<String, Namespace> factory;
  private final int max;
  private final boolean cleanup;
  private final CopyOnWriteArrayList<ParentNamespace> parents = new CopyOnWriteArrayList<>();
  private final Map<Namespace, ParentNamespace> parentOf = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();

  DynamicNamespaces(SocketIoServer server, Map<String, Namespace> namespaces, Function<String, Namespace> factory,
      int max, boolean cleanup) {
    this.server = server;
    this.namespaces = namespaces;
    this.factory = factory;
    this.max = max;
    this.cleanup = cleanup;
  }

  ParentNamespace add(Predicate<String> predicate) {
    ParentNamespace parent = new ParentNamespace(predicate);
    parents.add(parent);
    return parent;
  }

  /**
   * The child namespace {@code name} (which no namespace has now), created for the first parent whose
   * pattern matches; null when none matches.
   *
   * @throws LimitExceededException when {@code maxDynamicNamespaces} children exist already
   */
  Namespace create(String name) {
    for (ParentNamespace parent : parents) {
      boolean matches;
      try {
        matches = parent.matches(name);
      } catch (Throwable e) {
        server.reportError(null, "namespace matcher", e);
        continue;
      }
      if (!matches) {
        continue;
      }
      boolean[] full = {false};
      Namespace child = namespaces.computeIfAbsent(name, k -> {
        if (count.incrementAndGet() > max) {
          count.decrementAndGet();
          full[0] = true;
          return null;
        }
        Namespace n = factory.apply(k);
        // before the child is published: a CONNECT that finds it must run the parent's middleware
        parentOf.put(n, parent);
        parent.addChild(n);
        if (cleanup) {
          n.removeWhenEmpty(this);
        }
        return n;
      });
      if (full[0]) {
        server.rateLimitedLog().warn("dynamic namespace limit",
            "dynamic namespaces: " + max + " exist, the limit (maxDynamicNamespaces); refusing to create " + dev.parley.internal.engine.LogText.clip(name),
            null);
        throw new LimitExceededException("at most " + max + " dynamic namespaces (maxDynamicNamespaces)");
      }
      return child;
    }
    return null;
  }

  /** The parent a child was created for, or null for a namespace that is not a child. */
  ParentNamespace parentOf(Namespace nsp) {
    return parentOf.get(nsp);
  }

  /**
   * Removes a child that has just been left without sockets (cleanupEmptyChildNamespaces): from the
   * server and its parent, and closes its adapter. Does nothing if a socket arrived meanwhile.
   */
  void removeIfEmpty(Namespace child) {
    if (!child.retireIfEmpty()) {
      return;
    }
    namespaces.remove(child.name(), child);
    ParentNamespace parent = parentOf.remove(child);
    if (parent != null) {
      parent.removeChild(child);
    }
    count.decrementAndGet();
    try {
      child.adapter().close();
    } catch (RuntimeException e) {
      log.warn("adapter of {} did not close cleanly", child.name(), e);
    }
    log.debug("namespace {} removed: its last socket left", child.name());
  }

  /** How many children exist now. */
  int count() {
    return count.get();
  }

  List<ParentNamespace> parents() {
    return new ArrayList<>(parents);
  }
}
