package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.telemetry.LatencyEvent;

/**
 * What the job keeps of one {@link LatencyEvent} (the wire format, read with its own mapping): a
 * Flink POJO, so windows and state serialize it without Kryo.
 */
public class LatencySample {
  public String endpoint;
  public String mode;
  public String cache;
  public int status;
  public double tookMs;
  public long timestamp;

  public LatencySample() {}

  /** The sample of a {@code search.latency} record; null when it is not a readable event. */
  public static LatencySample parse(byte[] json) {
    LatencyEvent event = LatencyEvent.fromJson(json);
    if (event == null) {
      return null;
    }
    LatencySample s = new LatencySample();
    s.endpoint = event.endpoint() == null ? "unknown" : event.endpoint();
    s.mode = event.mode() == null ? "unknown" : event.mode();
    s.cache = event.cache() == null ? "none" : event.cache();
    s.status = event.status();
    s.tookMs = event.tookMs();
    s.timestamp = event.timestamp();
    return s;
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
