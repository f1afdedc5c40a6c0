package dev.companionbrain.core.telemetry;

import dev.companionbrain.core.wire.WireJson;
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

  /** Its JSON ({@link WireJson}: snake_case like every topic of the product). */
  public byte[] toJson() {
    return WireJson.bytes(this);
  }

  public static LatencyAlert fromJson(byte[] json) throws IOException {
    return WireJson.read(json, LatencyAlert.class);
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
