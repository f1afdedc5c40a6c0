package dev.companionbrain.core.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
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

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The record's JSON, snake_case like every topic of the product. */
  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static LatencyStats fromJson(byte[] json) throws IOException {
    return JSON.readValue(json, LatencyStats.class);
  }

}
