package dev.companionbrain.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one scenario of {@code brain bench cache} measured: the mix's answers by cache level, their
 * latencies (microseconds, from the intended send time), answers served past the staleness bound,
 * failures, and the probes' freshness (milliseconds from produce to the first answer holding the
 * probe document). Thread-safe: answers arrive on the HTTP client's threads.
 */
final class CacheFigures {
  private final long staleBoundMs;
  private final Histogram all = new Histogram(60_000_000L, 3);
  private final Histogram cached = new Histogram(60_000_000L, 3);
  private final Histogram freshness = new Histogram(600_000L, 3);
  /** The service's trivial endpoint, paced beside the mix: the floor under the cached answers' latency. */
  private final Histogram floor = new Histogram(60_000_000L, 3);
  private long sent;
  private long ok;
  private long l1;
  private long l2;
  private long miss;
  private long bypass;
  private long unlabelled;
  private long failed;
  private long pastBound;
  private long maxStaleMs;
  private long probes;
  private long probesUnseen;
  private final java.util.TreeMap<Integer, Long> failedByStatus = new java.util.TreeMap<>();

  CacheFigures(long staleBoundMs) {
    this.staleBoundMs = staleBoundMs;
  }

  synchronized void sent() {
    sent++;
  }

  /**
   * One answer of the mix. {@code status} 0 means no answer (timeout or connection error); {@code cache}
   * is the response's field (null when absent), {@code staleMs} its {@code stale_ms} (0 when absent).
   */
  synchronized void answer(int status, String cache, long staleMs, long latencyMicros) {
    all.recordValue(clamp(latencyMicros, all));
    if (status != 200) {
      failed++;
      failedByStatus.merge(status, 1L, Long::sum);
      return;
    }
    ok++;
    if (staleMs > staleBoundMs) {
      pastBound++;
    }
    maxStaleMs = Math.max(maxStaleMs, staleMs);
    String level = cache == null ? "" : cache;
    switch (level) {
      case "l1" -> l1++;
      case "l2" -> l2++;
      case "miss" -> miss++;
      case "bypass" -> bypass++;
      default -> unlabelled++;
    }
    if (level.equals("l1") || level.equals("l2")) {
      cached.recordValue(clamp(latencyMicros, cached));
    }
  }

  synchronized void probeSeen(long freshnessMs) {
    probes++;
    freshness.recordValue(clamp(freshnessMs, freshness));
  }

  synchronized void probeUnseen() {
    probes++;
    probesUnseen++;
  }

  private static long clamp(long v, Histogram h) {
    return Math.max(0, Math.min(v, h.getHighestTrackableValue()));
  }

  synchronized long sentCount() {
    return sent;
  }

  synchronized long answered() {
    return ok;
  }

  /** Answers that were not 200, or never came. */
  synchronized long failures() {
    return failed;
  }

  /** The failures by status, 0 for no answer: {@code "429 x12, none x3"}; empty with none. */
  synchronized String failuresByStatus() {
    List<String> parts = new ArrayList<>();
    failedByStatus.forEach((status, n) -> parts.add((status == 0 ? "none" : status.toString()) + " x" + n));
    return String.join(", ", parts);
  }

  synchronized long pastBound() {
    return pastBound;
  }

  synchronized long maxStaleMs() {
    return maxStaleMs;
  }

  /** Share of the 200 answers served from L1 or L2 (NaN with none). */
  synchronized double cacheShare() {
    return ok == 0 ? Double.NaN : (double) (l1 + l2) / ok;
  }

  synchronized double share(String level) {
    if (ok == 0) {
      return Double.NaN;
    }
    long n = switch (level) {
      case "l1" -> l1;
      case "l2" -> l2;
      case "miss" -> miss;
      case "bypass" -> bypass;
      default -> unlabelled;
    };
    return (double) n / ok;
  }

  /** Percentile in ms of every answer's latency (failures included); NaN with none. */
  synchronized double allMs(double percentile) {
    return ms(all, percentile, 1000.0);
  }

  /** Percentile in ms of the answers served from L1 or L2; NaN with none. */
  synchronized double cachedMs(double percentile) {
    return ms(cached, percentile, 1000.0);
  }

  /** Percentile in ms of the probes' freshness, over the probes seen; NaN with none. */
  private long firstGeneration = Long.MAX_VALUE;
  private long lastGeneration = Long.MIN_VALUE;

  /** The generation an answer was computed at (the answers' spread tells how often generations came). */
  synchronized void generationSeen(long generation) {
    firstGeneration = Math.min(firstGeneration, generation);
    lastGeneration = Math.max(lastGeneration, generation);
  }

  /** Generations that came while the answers were recorded (0 when none or not known). */
  synchronized long generations() {
    return lastGeneration < firstGeneration ? 0 : lastGeneration - firstGeneration;
  }

  synchronized void floorAnswer(long latencyMicros) {
    floor.recordValue(clamp(latencyMicros, floor));
  }

  synchronized double floorMs(double percentile) {
    return floor.getTotalCount() == 0 ? Double.NaN : floor.getValueAtPercentile(percentile) / 1000.0;
  }

  synchronized double freshnessMs(double percentile) {
    return ms(freshness, percentile, 1.0);
  }

  synchronized long probes() {
    return probes;
  }

  synchronized long probesUnseen() {
    return probesUnseen;
  }

  private static double ms(Histogram h, double percentile, double perMs) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / perMs;
  }
}
