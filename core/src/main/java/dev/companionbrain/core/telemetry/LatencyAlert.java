package dev.companionbrain.core.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;

/**
 * A window whose figures crossed a threshold, as the latency alert job writes it to topic {@code
 * search.alerts}: the one type of that wire format (a Flink POJO, public fields), in snake_case.
 */
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

  public static LatencyAlert fromJson(byte[] json) throws IOException {
    return JSON.readValue(json, LatencyAlert.class);
  }


  public static LatencyAlert of(LatencyStats s, String kind, double value, double threshold) {
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
