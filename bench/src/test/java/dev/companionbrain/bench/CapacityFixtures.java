package dev.companionbrain.bench;

import dev.companionbrain.bench.CapacityStep.Freshness;
import dev.companionbrain.bench.CapacityStep.Kind;
import dev.companionbrain.bench.CapacityStep.Latency;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Capacity steps with exactly the figures a test names, for the judging, the report and the chart. */
final class CapacityFixtures {
  static final CpuWatch.Cpu CPU = new CpuWatch.Cpu(0.5, 0.9, 1, 30, 0.4, 0.2, 0.1);

  private CapacityFixtures() {}

  /** A 30 s ladder step: every request not answered was a 429 with Retry-After; 200s at {@code p95}/{@code p99}. */
  static CapacityStep step(double rate, long sent, long answered, double p95, double p99) {
    return new CapacityStep(Kind.LADDER, rate, 30, sent, answered, 0.9, new Latency(5, p95, p99), new Latency(5, p95, p99),
        refusals(429, "too_many_requests", sent - answered), 0, 0, 0, 0, List.of(), Freshness.NONE, CPU);
  }

  /** A ladder step at {@code rate} for 30 s that meets the seed's targets (all answered, p95 50, p99 100). */
  static CapacityStep passing(double rate) {
    long sent = Math.round(rate * 30);
    return step(rate, sent, sent, 50, 100);
  }

  /** A ladder step at {@code rate} for 30 s whose p95 misses the seed's targets. */
  static CapacityStep failing(double rate) {
    long sent = Math.round(rate * 30);
    return step(rate, sent, sent, 250, 400);
  }

  static SortedMap<Integer, SortedMap<String, Long>> refusals(int status, String code, long n) {
    SortedMap<Integer, SortedMap<String, Long>> failures = new TreeMap<>();
    if (n > 0) {
      failures.put(status, new TreeMap<>(Map.of(code, n)));
    }
    return failures;
  }

  static CapacityStep withKind(CapacityStep s, Kind kind) {
    return new CapacityStep(kind, s.rate(), s.seconds(), s.sent(), s.answered(), s.cacheShare(), s.answeredMs(),
        s.allMs(), s.failures(), s.retryAfterMissing(), s.stale(), s.maxStaleMs(), s.breakerSkipped(),
        s.breakersOpened(), s.freshness(), s.cpu());
  }

  static CapacityStep withFreshness(CapacityStep s, Freshness f) {
    return new CapacityStep(s.kind(), s.rate(), s.seconds(), s.sent(), s.answered(), s.cacheShare(), s.answeredMs(),
        s.allMs(), s.failures(), s.retryAfterMissing(), s.stale(), s.maxStaleMs(), s.breakerSkipped(),
        s.breakersOpened(), f, s.cpu());
  }

  static CapacityStep withFailures(CapacityStep s, SortedMap<Integer, SortedMap<String, Long>> failures,
      long retryAfterMissing) {
    return new CapacityStep(s.kind(), s.rate(), s.seconds(), s.sent(), s.answered(), s.cacheShare(), s.answeredMs(),
        s.allMs(), failures, retryAfterMissing, s.stale(), s.maxStaleMs(), s.breakerSkipped(), s.breakersOpened(),
        s.freshness(), s.cpu());
  }

  static CapacityStep withBreakers(CapacityStep s, List<String> opened, long skipped) {
    return new CapacityStep(s.kind(), s.rate(), s.seconds(), s.sent(), s.answered(), s.cacheShare(), s.answeredMs(),
        s.allMs(), s.failures(), s.retryAfterMissing(), s.stale(), s.maxStaleMs(), skipped, opened, s.freshness(), s.cpu());
  }

  /** The reference step: the stream, no search load, freshness p95 {@code p95} over {@code seen} of {@code sent}. */
  static CapacityStep reference(double p95, long seen, long sent) {
    return new CapacityStep(Kind.REFERENCE, 0, 30, 0, 0, Double.NaN, new Latency(Double.NaN, Double.NaN, Double.NaN),
        new Latency(Double.NaN, Double.NaN, Double.NaN), new TreeMap<>(), 0, 0, 0, 0, List.of(),
        new Freshness(p95 / 2, p95, seen, sent), CPU);
  }
}
