package dev.companionbrain.jobs.latency;

/** A window whose figures crossed a threshold (topic {@code search.alerts}). Flink POJO. */
public class LatencyAlert {
  public String endpoint;
  public String mode;
  public long windowEnd;
  /** p95_latency or error_rate. */
  public String kind;
  public double value;
  public double threshold;
  public long count;

  public LatencyAlert() {}

  static LatencyAlert of(LatencyStats s, String kind, double value, double threshold) {
    LatencyAlert a = new LatencyAlert();
    a.endpoint = s.endpoint;
    a.mode = s.mode;
    a.windowEnd = s.windowEnd;
    a.kind = kind;
    a.value = value;
    a.threshold = threshold;
    a.count = s.count;
    return a;
  }
}
