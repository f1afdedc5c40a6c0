package dev.companionbrain.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one measured period of a mix measured (a scenario of {@code brain bench cache}, a step of
 * {@code brain bench capacity}): the answers by cache level, their latencies (microseconds, from the
 * intended send time), answers served stale and past the staleness bound, the failures by status and
 * error code, 429s without {@code Retry-After}, and the probes' freshness (milliseconds from produce to
 * the first answer holding the probe document). Thread-safe: answers arrive on the HTTP clients' threads.
 */
final class CacheFigures {
  /**
   * What the mix read of one response. {@code status} 0 means no answer (timeout, connection error,
   * a 200 whose body was not JSON); {@code errorCode} is the {@code error.code} of a JSON error body
   * (null otherwise); {@code cache} and {@code staleMs} are a 200's fields (null and 0 when absent);
   * {@code breakerSkipped}: the 200 lists a retriever skipped because its circuit breaker was open.
   */
  record Reply(int status, String errorCode, boolean retryAfter, String cache, long staleMs, boolean breakerSkipped) {
    static final Reply NONE = new Reply(0, null, false, null, 0, false);
  }

  private final long staleBoundMs;
  private final Histogram all = new Histogram(60_000_000L, 3);
  private final Histogram ok200 = new Histogram(60_000_000L, 3);
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
  private long stale;
  private long retryAfterMissing;
  private long breakerSkipped;
  /** the failures by status, then by error code ("" when the body named none) */
  private final TreeMap<Integer, TreeMap<String, Long>> failedByCode = new TreeMap<>();

  CacheFigures(long staleBoundMs) {
    this.staleBoundMs = staleBoundMs;
  }

  synchronized void sent() {
    sent++;
  }

  /**
   * One answer of the mix whose headers and error body were not read: {@code status} 0 means no answer;
   * {@code cache} is the response's field (null when absent), {@code staleMs} its {@code stale_ms} (0
   * when absent). A 429 given here is not counted as lacking {@code Retry-After}.
   */
  synchronized void answer(int status, String cache, long staleMs, long latencyMicros) {
    answer(new Reply(status, null, true, cache, staleMs, false), latencyMicros);
  }

  /** One answer of the mix, as {@link Reply} says. */
  synchronized void answer(Reply reply, long latencyMicros) {
    all.recordValue(clamp(latencyMicros, all));
    int status = reply.status();
    if (status != 200) {
      failed++;
      failedByCode.computeIfAbsent(status, s -> new TreeMap<>())
          .merge(reply.errorCode() == null ? "" : reply.errorCode(), 1L, Long::sum);
      if (status == 429 && !reply.retryAfter()) {
        retryAfterMissing++;
      }
      return;
    }
    ok++;
    ok200.recordValue(clamp(latencyMicros, ok200));
    long staleMs = reply.staleMs();
    String cache = reply.cache();
    if (staleMs > 0) {
      stale++;
    }
    if (reply.breakerSkipped()) {
      breakerSkipped++;
    }
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
    failedByCode.forEach((status, codes) -> parts.add((status == 0 ? "none" : status.toString()) + " x"
        + codes.values().stream().mapToLong(Long::longValue).sum()));
    return String.join(", ", parts);
  }

  /**
   * The failures by status (0: no answer), then by error code ("" when the body named none), sorted:
   * a copy.
   */
  synchronized SortedMap<Integer, SortedMap<String, Long>> failuresByCode() {
    SortedMap<Integer, SortedMap<String, Long>> copy = new TreeMap<>();
    failedByCode.forEach((status, codes) -> copy.put(status, Collections.unmodifiableSortedMap(
        new TreeMap<>(codes))));
    return Collections.unmodifiableSortedMap(copy);
  }

  /** 429 answers without a {@code Retry-After} header. */
  synchronized long retryAfterMissing() {
    return retryAfterMissing;
  }

  /** 200 answers with {@code stale_ms} > 0: served from a window whose generation had been superseded. */
  synchronized long staleAnswers() {
    return stale;
  }

  /** 200 answers that skipped a retriever because its circuit breaker was open. */
  synchronized long breakerSkipped() {
    return breakerSkipped;
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

  /** Percentile in ms of the 200 answers' latency; NaN with none. */
  synchronized double answeredMs(double percentile) {
    return ms(ok200, percentile, 1000.0);
  }

  /** Percentile in ms of every answer's latency (failures included); NaN with none. */
  synchronized double allMs(double percentile) {
    return ms(all, percentile, 1000.0);
  }

  /** Percentile in ms of the answers served from L1 or L2; NaN with none. */
  synchronized double cachedMs(double percentile) {
    return ms(cached, percentile, 1000.0);
  }

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

  /** Percentile in ms of the probes' freshness, over the probes seen; NaN with none. */
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
