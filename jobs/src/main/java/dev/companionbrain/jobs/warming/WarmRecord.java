package dev.companionbrain.jobs.warming;

import dev.companionbrain.core.cache.WarmRequest;
import java.io.IOException;

/**
 * A warm request as it travels between operators: its JSON and the key it is written under. A Flink
 * POJO (the {@link WarmRequest} record itself would go through Kryo, which cannot copy its window).
 */
public class WarmRecord {
  /** The window's cache key, the Kafka key. */
  public String key;
  /** {@link WarmRequest#toJson()}. */
  public byte[] json;

  public WarmRecord() {}

  static WarmRecord of(WarmRequest request) {
    WarmRecord r = new WarmRecord();
    r.key = request.window().cacheKey();
    r.json = request.toJson();
    return r;
  }

  /** The request back (tests, logs). */
  public WarmRequest request() throws IOException {
    return WarmRequest.fromJson(json);
  }
}
