package dev.parley.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every figure of a run: scenario -> metric -> server -> one value per round, in insertion order. */
final class Results {
  static final class Metric {
    final String scenario;
    final String name;
    final String unit;
    final boolean lowerIsBetter;
    final Map<String, List<Double>> values = new LinkedHashMap<>();

    Metric(String scenario, String name, String unit, boolean lowerIsBetter) {
      this.scenario = scenario;
      this.name = name;
      this.unit = unit;
      this.lowerIsBetter = lowerIsBetter;
    }
  }

  final Map<String, Metric> metrics = new LinkedHashMap<>();

  synchronized void add(String scenario, String name, String unit, boolean lowerIsBetter, String server, double value) {
    Metric m = metrics.computeIfAbsent(scenario + "\u0000" + name, k -> new Metric(scenario, name, unit, lowerIsBetter));
    m.values.computeIfAbsent(server, k -> new ArrayList<>()).add(value);
  }

  static double median(List<Double> vs) {
    List<Double> s = new ArrayList<>();
    for (Double v : vs) {
      if (!v.isNaN()) {
        s.add(v);
      }
    }
    if (s.isEmpty()) {
      return Double.NaN;
    }
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static double min(List<Double> vs) {
    return vs.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> vs) {
    return vs.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
