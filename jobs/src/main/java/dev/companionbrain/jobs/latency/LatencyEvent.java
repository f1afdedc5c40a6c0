package dev.companionbrain.jobs.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One request's latency event, as the query service publishes it to {@code search.latency}. Flink POJO. */
public class LatencyEvent {
  private static final ObjectMapper JSON = new ObjectMapper();

  public String endpoint;
  public String mode;
  public String cache;
  public int status;
  public double tookMs;
  public long timestamp;

  public LatencyEvent() {}

  /** Parses the service's JSON; null when it is not a readable event. */
  public static LatencyEvent parse(byte[] json) {
    try {
      JsonNode n = JSON.readTree(json);
      if (n == null || !n.isObject() || !n.path("took_ms").isNumber() || !n.path("timestamp").isNumber()) {
        return null;
      }
      LatencyEvent e = new LatencyEvent();
      e.endpoint = n.path("endpoint").asText("unknown");
      e.mode = n.path("mode").asText("unknown");
      e.cache = n.path("cache").asText("none");
      e.status = n.path("status").asInt(0);
      e.tookMs = n.path("took_ms").asDouble();
      e.timestamp = n.path("timestamp").asLong();
      return e;
    } catch (Exception ex) {
      return null;
    }
  }

  /** 5xx answers count as errors (4xx are the client's). */
  public boolean isError() {
    return status >= 500;
  }

  public boolean isCacheHit() {
    return "l1".equals(cache) || "l2".equals(cache);
  }

  public String key() {
    return endpoint + "|" + mode;
  }
}
