package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.telemetry.LatencyStats;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Aggregates a window's events into an HdrHistogram, then emits its stats and exports them as gauges. */
final class WindowedLatency {
  private WindowedLatency() {}

  static final class Aggregate implements AggregateFunction<LatencySample, LatencyAccumulator, LatencyAccumulator> {
    @Override
    public LatencyAccumulator createAccumulator() {
      return new LatencyAccumulator();
    }

    @Override
    public LatencyAccumulator add(LatencySample event, LatencyAccumulator acc) {
      acc.add(event);
      return acc;
    }

    @Override
    public LatencyAccumulator getResult(LatencyAccumulator acc) {
      return acc;
    }

    @Override
    public LatencyAccumulator merge(LatencyAccumulator a, LatencyAccumulator b) {
      return a.merge(b);
    }
  }

  /** Emits the window's stats and keeps the last ones per endpoint/mode as Flink gauges. */
  static final class Emit extends ProcessWindowFunction<LatencyAccumulator, LatencyStats, String, TimeWindow> {
    private transient Map<String, LatencyStats> last;

    @Override
    public void process(String key, Context context, Iterable<LatencyAccumulator> accumulators, Collector<LatencyStats> out) {
      String[] parts = key.split("\\|", 2);
      LatencyAccumulator acc = accumulators.iterator().next();
      LatencyStats stats = acc.toStats(parts[0], parts.length > 1 ? parts[1] : "", context.window().getStart(),
          context.window().getEnd());
      if (last == null) {
        last = new HashMap<>();
      }
      if (!last.containsKey(key)) {
        var group = getRuntimeContext().getMetricGroup().addGroup("endpoint", stats.endpoint).addGroup("mode", stats.mode);
        group.gauge("latency_p50_ms", () -> last.get(key).p50Ms);
        group.gauge("latency_p95_ms", () -> last.get(key).p95Ms);
        group.gauge("latency_p99_ms", () -> last.get(key).p99Ms);
        group.gauge("error_rate", () -> last.get(key).errorRate);
        group.gauge("cache_hit_rate", () -> last.get(key).cacheHitRate);
        group.gauge("requests_per_window", () -> last.get(key).count);
      }
      last.put(key, stats);
      out.collect(stats);
    }
  }
}
