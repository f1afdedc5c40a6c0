package dev.companionbrain.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {
  @Test
  void statsSurviveTheRoundTripInSnakeCase() throws Exception {
    LatencyStats s = new LatencyStats();
    s.endpoint = "search";
    s.mode = "hybrid";
    s.windowStart = 10_000;
    s.windowEnd = 20_000;
    s.count = 42;
    s.p50Ms = 1.5;
    s.p95Ms = 9.25;
    s.p99Ms = 30;
    s.maxMs = 41;
    s.errorRate = 0.02;
    s.cacheHitRate = 0.9;
    byte[] json = s.toJson();
    assertThat(new ObjectMapper().readTree(json).fieldNames()).toIterable().containsExactlyInAnyOrder("endpoint", "mode",
        "window_start", "window_end", "count", "p50_ms", "p95_ms", "p99_ms", "max_ms", "error_rate", "cache_hit_rate");
    assertThat(LatencyStats.fromJson(json)).usingRecursiveComparison().isEqualTo(s);
  }

  @Test
  void anAlertSurvivesTheRoundTripInSnakeCase() throws Exception {
    LatencyStats s = new LatencyStats();
    s.endpoint = "search";
    s.mode = "text";
    s.windowEnd = 5;
    s.count = 30;
    LatencyAlert alert = LatencyAlert.of(s, "p95_latency", 812.5, 500);
    byte[] json = alert.toJson();
    assertThat(new ObjectMapper().readTree(json).fieldNames()).toIterable().containsExactlyInAnyOrder("endpoint", "mode",
        "window_end", "kind", "value", "threshold", "count");
    assertThat(LatencyAlert.fromJson(json)).usingRecursiveComparison().isEqualTo(alert);
  }
}
