package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.telemetry.LatencyStats;
import java.io.Serializable;
import org.HdrHistogram.Histogram;

/** Running figures of a window: an HdrHistogram of latencies in microseconds, errors, cache hits. */
public final class LatencyAccumulator implements Serializable {
  private static final long MAX_MICROS = 3_600_000_000L;
  final Histogram micros = new Histogram(MAX_MICROS, 3);
  long count;
  long errors;
  long cacheHits;

  void add(LatencySample e) {
    micros.recordValue(Math.max(0, Math.min(MAX_MICROS, Math.round(e.tookMs * 1000))));
    count++;
    if (e.isError()) {
      errors++;
    }
    if (e.isCacheHit()) {
      cacheHits++;
    }
  }

  LatencyAccumulator merge(LatencyAccumulator other) {
    micros.add(other.micros);
    count += other.count;
    errors += other.errors;
    cacheHits += other.cacheHits;
    return this;
  }

  LatencyStats toStats(String endpoint, String mode, long start, long end) {
    LatencyStats s = new LatencyStats();
    s.endpoint = endpoint;
    s.mode = mode;
    s.windowStart = start;
    s.windowEnd = end;
    s.count = count;
    s.p50Ms = micros.getValueAtPercentile(50) / 1000.0;
    s.p95Ms = micros.getValueAtPercentile(95) / 1000.0;
    s.p99Ms = micros.getValueAtPercentile(99) / 1000.0;
    s.maxMs = micros.getMaxValue() / 1000.0;
    s.errorRate = count == 0 ? 0 : (double) errors / count;
    s.cacheHitRate = count == 0 ? 0 : (double) cacheHits / count;
    return s;
  }
}
