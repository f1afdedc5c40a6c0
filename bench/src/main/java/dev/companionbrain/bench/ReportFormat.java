package dev.companionbrain.bench;

import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The cells of the benchmarks' markdown reports: shares as percentages, figures with a fixed number of
 * decimals ("-" for NaN, a figure not measured), options as they were typed, and a target's verdict.
 */
final class ReportFormat {
  private ReportFormat() {}

  /** {@code 0.123} as {@code "12.3 %"}; "-" for NaN. */
  /**
   * Prints a report and writes it to {@code bench-reports/<name>-<local time>.md} (seconds always
   * written), saying where.
   */
  static java.nio.file.Path publish(String name, CharSequence report) throws java.io.IOException {
    System.out.println(report);
    java.nio.file.Path out = java.nio.file.Path.of("bench-reports");
    java.nio.file.Files.createDirectories(out);
    java.nio.file.Path file = out.resolve(name + "-" + java.time.LocalDateTime.now().format(
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")) + ".md");
    java.nio.file.Files.writeString(file, report);
    System.out.println("report: " + file);
    return file;
  }

  static String pct(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * share);
  }

  /** An option's value as it would be typed: {@code 50} for 50.0, {@code 0.05} otherwise. */
  static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  static String num0(double v) {
    return fixed(v, 0);
  }

  static String num1(double v) {
    return fixed(v, 1);
  }

  static String num2(double v) {
    return fixed(v, 2);
  }

  static String num3(double v) {
    return fixed(v, 3);
  }

  /** A latency's p50 / p95 / p99 in ms, two decimals. */
  static String ms3(DoubleUnaryOperator percentile) {
    return String.join(" / ", num2(percentile.applyAsDouble(50)), num2(percentile.applyAsDouble(95)),
        num2(percentile.applyAsDouble(99)));
  }

  static String verdict(boolean met) {
    return met ? "met" : "NOT met";
  }

  private static String fixed(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
