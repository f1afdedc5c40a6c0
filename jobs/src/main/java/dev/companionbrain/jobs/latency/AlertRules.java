package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.telemetry.LatencyAlert;
import dev.companionbrain.core.telemetry.LatencyStats;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Alerts on a window whose p95 or error rate is over its threshold (windows with too few requests are ignored). */
final class AlertRules implements FlatMapFunction<LatencyStats, LatencyAlert> {
  private final double p95ThresholdMs;
  private final double errorRateThreshold;
  private final long minCount;

  AlertRules(double p95ThresholdMs, double errorRateThreshold, long minCount) {
    this.p95ThresholdMs = p95ThresholdMs;
    this.errorRateThreshold = errorRateThreshold;
    this.minCount = minCount;
  }

  @Override
  public void flatMap(LatencyStats s, Collector<LatencyAlert> out) {
    if (s.count < minCount) {
      return;
    }
    if (s.p95Ms > p95ThresholdMs) {
      out.collect(LatencyAlert.of(s, "p95_latency", s.p95Ms, p95ThresholdMs));
    }
    if (s.errorRate > errorRateThreshold) {
      out.collect(LatencyAlert.of(s, "error_rate", s.errorRate, errorRateThreshold));
    }
  }
}
