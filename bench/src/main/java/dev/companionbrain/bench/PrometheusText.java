package dev.companionbrain.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text exposition (the query service's {@code /metrics}): its samples, each a
 * name, labels and a value, summed over the label sets a caller picks. Comments and unreadable lines are
 * left out; a metric absent from the scrape sums to 0, so that a service without a metric reads as
 * "did nothing" and the report says "-" where the counts are 0.
 */
final class PrometheusText {
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = samples;
  }

  static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      Sample s = sample(line.strip());
      if (s != null) {
        samples.add(s);
      }
    }
    return new PrometheusText(List.copyOf(samples));
  }

  /** The scrapes of several instances as one: every sum adds theirs up. */
  static PrometheusText merged(List<PrometheusText> scrapes) {
    List<Sample> all = new ArrayList<>();
    scrapes.forEach(scrape -> all.addAll(scrape.samples));
    return new PrometheusText(List.copyOf(all));
  }

  /** A scrape with nothing in it: what a service that could not be reached exposes. */
  static PrometheusText empty() {
    return new PrometheusText(List.of());
  }

  /**
   * The sum of the samples named {@code name} whose labels hold every pair of {@code labels}
   * ({@code "k", "v", ...}); 0 when none.
   */
  double sum(String name, String... labels) {
    double sum = 0;
    for (Sample s : samples) {
      if (s.name().equals(name) && holds(s.labels(), labels) && !Double.isNaN(s.value())) {
        sum += s.value();
      }
    }
    return sum;
  }

  /** The samples named {@code name}, in the scrape's order. */
  List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** {@link #sum} in {@code after} minus in {@code before}: what happened between two scrapes. */
  static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  private static boolean holds(Map<String, String> have, String[] want) {
    for (int i = 0; i + 1 < want.length; i += 2) {
      if (!want[i + 1].equals(have.get(want[i]))) {
        return false;
      }
    }
    return true;
  }

  /** {@code name{k="v",...} value [timestamp]} or {@code name value}; null for comments and anything else. */
  private static Sample sample(String line) {
    if (line.isEmpty() || line.startsWith("#")) {
      return null;
    }
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    if (space < 0) {
      return null;
    }
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    int rest;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (i < line.length() && line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          return null;
        }
        String key = line.substring(i, eq).strip();
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\' && j + 1 < line.length()) {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
        }
        if (j >= line.length()) {
          return null;
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        }
      }
      if (i >= line.length()) {
        return null;
      }
      rest = i + 1;
    } else {
      name = line.substring(0, space);
      rest = space;
    }
    String[] fields = line.substring(rest).strip().split("\\s+");
    try {
      return new Sample(name, Map.copyOf(labels), Double.parseDouble(fields[0]));
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException unreadable) {
      return null;
    }
  }
}
