package dev.parley.adapter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** {@link Payload#ofPlain}: plain values in an unmodifiable list (nulls allowed). */
final class PlainPayload implements Payload {
  private final List<Object> values;

  PlainPayload(List<?> values) {
    this.values = Collections.unmodifiableList(new ArrayList<>(Objects.requireNonNull(values, "values == null")));
  }

  @Override
  public List<Object> toPlain() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlainPayload p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "Payload" + values;
  }
}
