package dev.companionbrain.jobs.latency;

/** Latency figures of one endpoint and mode over one window (topic {@code search.latency.stats}). Flink POJO. */
public class LatencyStats {
  public String endpoint;
  public String mode;
  public long windowStart;
  public long windowEnd;
  public long count;
  public double p50Ms;
  public double p95Ms;
  public double p99Ms;
  public double maxMs;
  public double errorRate;
  public double cacheHitRate;

  public LatencyStats() {}
}
