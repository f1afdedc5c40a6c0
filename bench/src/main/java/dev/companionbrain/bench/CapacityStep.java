package dev.companionbrain.bench;

import java.util.List;
import java.util.SortedMap;
import java.util.function.DoubleUnaryOperator;

/**
 * What one measured step of {@code brain bench capacity} measured, fixed once its answers are in: the
 * requests sent and answered 200 over its seconds (the offered rate and the goodput), the cache share of
 * the 200s, the latencies of the 200s and of every answer, the failures by status and error code (status
 * 0: no answer), 429s lacking {@code Retry-After}, stale answers, breakers that opened, the probes'
 * freshness and where the CPU went.
 *
 * @param rate the rate the step was paced at (0 for the reference step, which sends no searches)
 * @param failures the non-200 answers by status (0: no answer), then error code ("" when none was named)
 * @param breakersOpened the service's breakers that opened during the step ({@link BreakerStates#opened})
 */
record CapacityStep(Kind kind, double rate, double seconds, long sent, long answered, double cacheShare, Latency answeredMs,
    Latency allMs, SortedMap<Integer, SortedMap<String, Long>> failures, long retryAfterMissing, long stale, long maxStaleMs,
    long breakerSkipped, List<String> breakersOpened, Freshness freshness, CpuWatch.Cpu cpu) {

  /** What a step is in its pass. */
  enum Kind {
    /** documents streamed, no search load: the freshness reference */
    REFERENCE,
    /** one rate of {@code --rates} */
    LADDER,
    /** the extra step at a multiple of the knee */
    BEYOND
  }

  /** p50, p95 and p99 in ms (NaN with no answers). */
  record Latency(double p50, double p95, double p99) {
    static Latency of(DoubleUnaryOperator percentileMs) {
      return new Latency(percentileMs.applyAsDouble(50), percentileMs.applyAsDouble(95), percentileMs.applyAsDouble(99));
    }
  }

  /** The probes produced in the step: freshness p50 and p95 in ms over those seen, how many were seen and sent. */
  record Freshness(double p50, double p95, long seen, long sent) {
    static final Freshness NONE = new Freshness(Double.NaN, Double.NaN, 0, 0);

    long unseen() {
      return sent - seen;
    }
  }

  /** The step as its figures say, now. */
  static CapacityStep of(Kind kind, double rate, double seconds, CacheFigures f, List<String> breakersOpened,
      CpuWatch.Cpu cpu) {
    return new CapacityStep(kind, rate, seconds, f.sentCount(), f.answered(), f.cacheShare(), Latency.of(f::answeredMs),
        Latency.of(f::allMs), f.failuresByCode(), f.retryAfterMissing(), f.staleAnswers(), f.maxStaleMs(),
        f.breakerSkipped(), List.copyOf(breakersOpened),
        new Freshness(f.freshnessMs(50), f.freshnessMs(95), f.probes() - f.probesUnseen(), f.probes()), cpu);
  }

  /** Requests sent per second. */
  double offered() {
    return sent / seconds;
  }

  /** 200 answers per second. */
  double goodput() {
    return answered / seconds;
  }

  /** Requests not answered 200: refused, failed, or never answered. */
  long notAnswered() {
    return sent - answered;
  }

  /** Failures with this status (0: no answer), whatever their error code. */
  long failed(int status) {
    SortedMap<String, Long> codes = failures.get(status);
    return codes == null ? 0 : codes.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Share of the 200 answers with {@code stale_ms} > 0 (NaN with none). */
  double staleShare() {
    return answered == 0 ? Double.NaN : (double) stale / answered;
  }
}
