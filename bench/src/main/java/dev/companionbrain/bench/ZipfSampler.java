package dev.companionbrain.bench;

import java.util.Arrays;
import java.util.Random;

/**
 * Ranks 0..n-1 drawn with Zipf probabilities: rank r (0-based) has weight 1/(r+1)^s. The cumulative
 * distribution is computed once; a draw is one uniform number and a binary search, so the caller's
 * seeded {@link Random} alone decides the sequence.
 */
final class ZipfSampler {
  private final double[] cumulative;

  ZipfSampler(int n, double s) {
    if (n < 1 || s < 0) {
      throw new IllegalArgumentException("need n >= 1 and s >= 0, got n=" + n + ", s=" + s);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int r = 0; r < n; r++) {
      sum += 1 / Math.pow(r + 1, s);
      cumulative[r] = sum;
    }
    for (int r = 0; r < n; r++) {
      cumulative[r] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  int size() {
    return cumulative.length;
  }

  /** The probability of rank {@code r} (0-based). */
  double probability(int r) {
    return r == 0 ? cumulative[0] : cumulative[r] - cumulative[r - 1];
  }

  int sample(Random random) {
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    return i >= 0 ? i : Math.min(-i - 1, cumulative.length - 1);
  }
}
