package dev.companionbrain.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * What share of a Zipf mix the cache can answer under the staleness rule when computing costs
 * nothing: a window computed at generation g is served until the next generation is {@code bound}
 * old, a request within the bound refreshes it at once, the {@code warmed} most popular windows are
 * made current at every generation at once, and every other request is a miss. The ceiling that
 * {@code ./brain bench cache} sets its measured share against, for the generation interval
 * measured in the same run. Monte Carlo over Poisson arrivals, seeded.
 */
final class StalenessModel {
  private StalenessModel() {}

  /**
   * @param queries distinct requests in the mix
   * @param zipf the Zipf exponent of their popularity
   * @param rate requests per second
   * @param generationSeconds seconds between index generations (0 or less: none)
   * @param boundSeconds the staleness bound
   * @param warmed how many of the most popular windows warming keeps current
   */
  static double share(int queries, double zipf, double rate, double generationSeconds, double boundSeconds, int warmed,
      double seconds, long seed) {
    Random random = new Random(seed);
    ZipfSampler sampler = new ZipfSampler(queries, zipf);
    Map<Integer, Long> computedAt = new HashMap<>(); // window -> its generation
    long hits = 0;
    long total = 0;
    double t = 0;
    while ((t += -Math.log(1 - random.nextDouble()) / rate) < seconds) {
      int q = sampler.sample(random);
      long generation = generationSeconds > 0 ? (long) (t / generationSeconds) : 0;
      total++;
      if (q < warmed) {
        hits++;
        continue;
      }
      Long at = computedAt.get(q);
      if (at != null && (at >= generation || t - (at + 1) * generationSeconds <= boundSeconds)) {
        hits++;
      }
      computedAt.put(q, generation); // computed now, or refreshed by this stale hit
    }
    return total == 0 ? 0 : hits / (double) total;
  }
}
