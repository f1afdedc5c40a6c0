package dev.companionbrain.query;

/** Fixed-point decimals written without {@code Double.toString}, which is slow on Java 17 and on every request path. */
final class Decimals {
  private static final long[] SCALE = {1, 10, 100, 1000, 10_000};

  private Decimals() {}

  /**
   * Appends {@code value} rounded half up to {@code places} (0 to 4) decimals, trailing zeros dropped,
   * as a JSON number: 12.5, 0.25, 3.
   */
  static StringBuilder append(StringBuilder out, double value, int places) {
    long scale = SCALE[places];
    long scaled = Math.round(Math.abs(value) * scale);
    if (value < 0 && scaled != 0) {
      out.append('-');
    }
    out.append(scaled / scale);
    long fraction = scaled % scale;
    if (fraction != 0) {
      int digits = places;
      while (fraction % 10 == 0) {
        fraction /= 10;
        digits--;
      }
      out.append('.');
      for (long p = SCALE[digits - 1]; p > fraction && p > 1; p /= 10) {
        out.append('0');
      }
      out.append(fraction);
    }
    return out;
  }
}
