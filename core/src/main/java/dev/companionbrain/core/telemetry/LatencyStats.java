package dev.companionbrain.core.telemetry;

import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;

/**
 * Latency figures of one endpoint and mode over one window, as the latency alert job writes them to
 * topic {@code search.latency.stats}: the one type of that wire format (a Flink POJO, public fields),
 * in snake_case.
 */
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

  /** Its JSON ({@link WireJson}: snake_case like every topic of the product). */
  public byte[] toJson() {
    return WireJson.bytes(this);
  }

  public static LatencyStats fromJson(byte[] json) throws IOException {
    return WireJson.read(json, LatencyStats.class);
  }

}
