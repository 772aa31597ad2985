package dev.parley;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A socket's {@link Socket#data()}: a {@link ConcurrentHashMap} that tells the socket when it changes,
 * so that observers hear of it ({@link ServerObserver#onSocketDataChanged}). Every mutating method
 * of the map reports, and so do the views' {@code remove} and an entry's {@code setValue}, which call
 * them; removal through an iterator does not. The report costs one field read when no observer is
 * registered, and nothing is reported before the socket is connected (middleware, restore).
 */
final class SocketData extends ConcurrentHashMap<String, Object> {
  private static final long serialVersionUID = 1L;

  private final transient Socket socket;

  SocketData(Socket socket) {
    this.socket = socket;
  }

  private void changed(String key) {
    if (socket != null) {
      socket.dataChanged(key);
    }
  }

  @Override
  public Object put(String key, Object value) {
    Object old = super.put(key, value);
    changed(key);
    return old;
  }

  @Override
  public Object putIfAbsent(String key, Object value) {
    Object old = super.putIfAbsent(key, value);
    if (old == null) {
      changed(key);
    }
    return old;
  }

  @Override
  public void putAll(Map<? extends String, ?> m) {
    for (Map.Entry<? extends String, ?> e : m.entrySet()) {
      super.put(e.getKey(), e.getValue());
    }
    if (!m.isEmpty()) {
      changed(m.size() == 1 ? m.keySet().iterator().next() : null);
    }
  }

  @Override
  public Object remove(Object key) {
    Object old = super.remove(key);
    if (old != null) {
      changed((String) key);
    }
    return old;
  }

  @Override
  public boolean remove(Object key, Object value) {
    boolean removed = super.remove(key, value);
    if (removed) {
      changed((String) key);
    }
    return removed;
  }

  @Override
  public Object replace(String key, Object value) {
    Object old = super.replace(key, value);
    if (old != null) {
      changed(key);
    }
    return old;
  }

  @Override
  public boolean replace(String key, Object oldValue, Object newValue) {
    boolean replaced = super.replace(key, oldValue, newValue);
    if (replaced) {
      changed(key);
    }
    return replaced;
  }

  @Override
  public void clear() {
    boolean had = !isEmpty();
    super.clear();
    if (had) {
      changed(null);
    }
  }

  @Override
  public Object computeIfAbsent(String key, Function<? super String, ?> mappingFunction) {
    boolean had = containsKey(key);
    Object v = super.computeIfAbsent(key, mappingFunction);
    if (!had && v != null) {
      changed(key);
    }
    return v;
  }

  @Override
  public Object computeIfPresent(String key, BiFunction<? super String, ? super Object, ?> remappingFunction) {
    boolean had = containsKey(key);
    Object v = super.computeIfPresent(key, remappingFunction);
    if (had) {
      changed(key);
    }
    return v;
  }

  @Override
  public Object compute(String key, BiFunction<? super String, ? super Object, ?> remappingFunction) {
    Object v = super.compute(key, remappingFunction);
    changed(key);
    return v;
  }

  @Override
  public Object merge(String key, Object value, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
    Object v = super.merge(key, value, remappingFunction);
    changed(key);
    return v;
  }

  @Override
  public void replaceAll(BiFunction<? super String, ? super Object, ?> function) {
    super.replaceAll(function);
    if (!isEmpty()) {
      changed(null);
    }
  }
}
