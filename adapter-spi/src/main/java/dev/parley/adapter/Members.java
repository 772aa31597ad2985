package dev.parley.adapter;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Membership sets of the in-memory adapter (a room's socket ids, a socket's rooms) that stay cheap
 * while small. Every connection is in a room of its own, so most sets hold one element; a
 * concurrent key set costs some 200 bytes even then, an immutable {@code Set.of} about 24.
 *
 * <p>A set of up to {@link #SMALL} elements is immutable: adding or removing makes a new one. A larger
 * one is a concurrent key set changed in place, so joining a big room does not copy it. Either way a
 * set is only ever changed, or replaced, by these methods called inside the {@code compute} function
 * of the {@link ConcurrentHashMap} entry that holds it: the entry's lock orders the writers, and once
 * a set has been replaced nobody changes it again. Readers take the set from the map without a lock
 * and iterate it: an immutable set is a snapshot; a large one is weakly consistent, as a concurrent
 * set always was.
 */
final class Members {
  /** The most elements an immutable set holds; one more and it becomes a concurrent set. */
  static final int SMALL = 8;
  /** A concurrent set that shrinks to this size becomes immutable again (not at SMALL: no flapping). */
  static final int SHRINK = SMALL / 2;

  private Members() {}

  /**
   * The set with {@code element} added: {@code set} itself when it had it already or is a large set
   * (then changed in place), else a new set. {@code set} may be null (no set yet). Entry lock held.
   */
  static Set<String> with(Set<String> set, String element) {
    if (set == null || set.isEmpty()) {
      return Set.of(element);
    }
    if (set.contains(element)) {
      return set;
    }
    if (isLarge(set)) {
      set.add(element);
      return set;
    }
    int n = set.size();
    if (n >= SMALL) {
      Set<String> large = ConcurrentHashMap.newKeySet(2 * SMALL);
      large.addAll(set);
      large.add(element);
      return large;
    }
    String[] elements = set.toArray(new String[n + 1]);
    elements[n] = element;
    return Set.of(elements);
  }

  /**
   * The set without {@code element}: {@code set} itself when it did not have it or is a large set
   * that stays large (changed in place), else a new set, the empty set when none is left. Entry
   * lock held.
   */
  static Set<String> without(Set<String> set, String element) {
    if (!set.contains(element)) {
      return set;
    }
    if (isLarge(set)) {
      set.remove(element);
      return set.size() <= SHRINK ? Set.copyOf(set) : set;
    }
    int n = set.size();
    if (n == 1) {
      return Set.of();
    }
    String[] elements = new String[n - 1];
    int i = 0;
    for (String e : set) {
      if (!e.equals(element)) {
        elements[i++] = e;
      }
    }
    return Set.of(elements);
  }

  /** True for a set changed in place (a concurrent key set); false for an immutable one. */
  static boolean isLarge(Set<String> set) {
    return set instanceof ConcurrentHashMap.KeySetView;
  }
}
