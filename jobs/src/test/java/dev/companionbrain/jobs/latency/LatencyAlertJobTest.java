package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.telemetry.LatencyAlert;
import dev.companionbrain.core.telemetry.LatencyStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/** The latency pipeline on a MiniCluster with a bounded input: windows, percentiles, rates, alerts. */
class LatencyAlertJobTest {
  private static final long T0 = 1_795_000_000_000L; // a window boundary (multiple of 10 s)

  static byte[] event(String mode, String cache, int status, double tookMs, long timestamp) {
    return ("{\"endpoint\":\"search\",\"mode\":\"" + mode + "\",\"cache\":\"" + cache + "\",\"status\":" + status
        + ",\"took_ms\":" + tookMs + ",\"backends\":{},\"timestamp\":" + timestamp + "}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void windowsPerEndpointAndModeGivePercentilesRatesAndAlerts() throws Exception {
    List<byte[]> input = new ArrayList<>();
    // hybrid, first window: 1..100 ms, half of them cache hits, no errors
    for (int i = 1; i <= 100; i++) {
      input.add(event("hybrid", i % 2 == 0 ? "l1" : "miss", 200, i, T0 + i * 10L));
    }
    // text, first window: 40 requests, 4 of them 503 (10 % errors), all slow (600 ms)
    for (int i = 0; i < 40; i++) {
      input.add(event("text", "miss", i < 4 ? 503 : 200, 600, T0 + 5_000 + i));
    }
    // hybrid, second window: fast; plus one unreadable event that must be skipped
    for (int i = 0; i < 30; i++) {
      input.add(event("hybrid", "l2", 200, 2, T0 + 10_000 + i));
    }
    input.add("{not json".getBytes(StandardCharsets.UTF_8));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    DataStream<byte[]> raw = env.fromData(input);
    LatencyAlertJob.Streams streams = LatencyAlertJob.build(raw, new LatencyAlertJob.Config(
        "unused:9092", "l", "s", "a", "g", Duration.ofSeconds(10), 500, 0.05, 20));
    CloseableIterator<LatencyStats> statsIt = streams.stats().collectAsync();
    CloseableIterator<LatencyAlert> alertsIt = streams.alerts().collectAsync();
    env.execute("latency-test");
    List<LatencyStats> stats = new ArrayList<>();
    statsIt.forEachRemaining(stats::add);
    List<LatencyAlert> alerts = new ArrayList<>();
    alertsIt.forEachRemaining(alerts::add);

    assertThat(stats).hasSize(3);
    LatencyStats hybrid1 = stats.stream().filter(s -> s.mode.equals("hybrid") && s.windowStart == T0).findFirst().orElseThrow();
    assertThat(hybrid1.count).isEqualTo(100);
    assertThat(hybrid1.p50Ms).isCloseTo(50, within(0.1));
    assertThat(hybrid1.p95Ms).isCloseTo(95, within(0.1));
    assertThat(hybrid1.p99Ms).isCloseTo(99, within(0.1));
    assertThat(hybrid1.cacheHitRate).isEqualTo(0.5);
    assertThat(hybrid1.errorRate).isZero();
    assertThat(hybrid1.windowEnd - hybrid1.windowStart).isEqualTo(10_000);
    LatencyStats text = stats.stream().filter(s -> s.mode.equals("text")).findFirst().orElseThrow();
    assertThat(text.errorRate).isEqualTo(0.1);
    LatencyStats hybrid2 = stats.stream().filter(s -> s.mode.equals("hybrid") && s.windowStart == T0 + 10_000).findFirst().orElseThrow();
    assertThat(hybrid2.cacheHitRate).isEqualTo(1.0);

    assertThat(alerts).extracting(a -> a.mode + ":" + a.kind)
        .containsExactlyInAnyOrder("text:p95_latency", "text:error_rate");
  }

  @Test
  void unreadableEventsAreNotEvents() {
    assertThat(LatencySample.parse("[]".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(LatencySample.parse("{\"took_ms\":\"x\",\"timestamp\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(LatencySample.parse(event("vector", "l1", 200, 3.5, 42)).tookMs).isEqualTo(3.5);
  }
}
