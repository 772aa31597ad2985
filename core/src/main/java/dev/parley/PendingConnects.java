package dev.parley;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaces a client's CONNECT is being handled for (middleware running, or a session being
 * restored), with what stands for each: the socket being connected, or a restore token while the
 * session is looked up. Client lane only.
 *
 * <p>A CONNECT that arrives for a namespace whose CONNECT is still pending (the official client sends
 * one when {@code socket.connect()} is called twice; a hostile one sends {@code 40\x1e40}) joins the
 * pending one: it is counted here, and gets the same answer when the first completes. The reference
 * server answers each CONNECT too (with a second socket it then keeps as well); Parley keeps one.
 *
 * <p>Nearly every connection joins one namespace and then has nothing pending, so an empty table is
 * the shared empty map: no table is kept for the connection's life.
 */
final class PendingConnects {
  /** What stands for one pending namespace, and how many more CONNECTs wait for its answer. */
  private static final class Entry {
    Object target;
    int repeats;

    Entry(Object target) {
      this.target = target;
    }
  }

  private Map<String, Entry> entries = Map.of();

  boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** The socket or token pending for {@code name}, or null. */
  Object get(String name) {
    Entry e = entries.get(name);
    return e == null ? null : e.target;
  }

  /**
   * Makes {@code target} stand for {@code name}: a new entry, or the next step of a pending one (a
   * restore token replaced by its socket), which keeps the CONNECTs counted for it.
   */
  void put(String name, Object target) {
    Entry e = entries.get(name);
    if (e != null) {
      e.target = target;
      return;
    }
    if (entries.isEmpty()) {
      entries = new HashMap<>(4);
    }
    entries.put(name, new Entry(target));
  }

  /** Counts one more CONNECT for a pending namespace; false if none is pending. */
  boolean repeat(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      return false;
    }
    e.repeats++;
    return true;
  }

  /**
   * Ends the entry of {@code name} if {@code target} stands for it. Returns how many answers are owed
   * (1 plus the CONNECTs that joined it), or 0 when {@code target} no longer stands for the name (the
   * connection closed meanwhile, or a later step replaced it).
   */
  int remove(String name, Object target) {
    Entry e = entries.get(name);
    if (target == null || e == null || e.target != target) {
      return 0;
    }
    if (entries.size() == 1) {
      entries = Map.of();
    } else {
      entries.remove(name);
    }
    return 1 + e.repeats;
  }

  /** Ends every entry (the connection is going away) and returns what stood for them. */
  List<Object> clear() {
    if (entries.isEmpty()) {
      return List.of();
    }
    List<Object> targets = new ArrayList<>(entries.size());
    for (Entry e : entries.values()) {
      targets.add(e.target);
    }
    entries = Map.of();
    return targets;
  }
}
