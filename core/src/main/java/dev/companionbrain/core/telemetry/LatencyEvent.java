package dev.companionbrain.core.telemetry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;
import java.util.Map;
import dev.companionbrain.core.search.WindowQuery;

/**
 * One request's latency, as the query service publishes it to topic {@code search.latency} and the
 * latency alert job reads it: the one type of that wire format, used on both sides, in snake_case
 * like every topic of the product.
 *
 * <pre>{@code {"endpoint":"search","mode":"hybrid","cache":"l1","status":200,"took_ms":0.412,
 *  "backends":{"keyword":3},"timestamp":1764238000000,"window":{"q":"wing flutter","mode":"hybrid",
 *  "tags":[],"fusion":"weighted","weights":"text:0.2,keyword:0.4,vector:1","size":100},"stale_ms":0}}</pre>
 *
 * @param cache {@code l1}, {@code l2}, {@code miss}, {@code bypass} or {@code none}
 * @param backends each retriever's time in ms, for the searches that asked the engines
 * @param timestamp when the request ended, epoch ms
 * @param window the candidate window a successful search was answered from (what the cache warming
 *     job counts to learn the popular requests); null for other requests and failures
 * @param staleMs how long past its generation's supersession the answer was (0 when current)
 */
public record LatencyEvent(String endpoint, String mode, String cache, int status, double tookMs,
    Map<String, Long> backends, long timestamp, WindowQuery window, long staleMs) {
  public LatencyEvent {
    backends = backends == null ? Map.of() : backends;
  }

  public byte[] toJson() {
    return WireJson.bytes(this);
  }

  /** The event, or null when {@code json} is not one (no numeric {@code took_ms} and {@code timestamp}). */
  public static LatencyEvent fromJson(byte[] json) {
    try {
      JsonNode node = WireJson.tree(json);
      if (node == null || !node.isObject() || !node.path("took_ms").isNumber() || !node.path("timestamp").isNumber()) {
        return null;
      }
      return WireJson.read(node, LatencyEvent.class);
    } catch (IOException | RuntimeException e) { // a window that fails the request validation too
      return null;
    }
  }

  /** 5xx answers count as errors (4xx are the client's). */
  @JsonIgnore
  public boolean isError() {
    return status >= 500;
  }

  @JsonIgnore
  public boolean isCacheHit() {
    return "l1".equals(cache) || "l2".equals(cache);
  }
}
