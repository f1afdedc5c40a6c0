package dev.companionbrain.core.cache;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;

/**
 * "Compute this popular window for this generation and put it in the shared cache": what the cache
 * warming job writes to topic {@code cache.warm} after each new index generation, one record per
 * popular request (keyed by its {@link WindowQuery#cacheKey}, so the query service instances share
 * the work through their consumer group). The one type of that wire format, in snake_case.
 *
 * <pre>{@code {"generation":42,"window":{"q":"wing flutter","mode":"hybrid","tags":[],"fusion":"weighted",
 *  "weights":"text:0.2,keyword:0.4,vector:1","size":100},"count":318,"rank":1}}</pre>
 *
 * @param generation the generation the window is wanted at (an instance that already has it, or a
 *     newer one, skips the record)
 * @param window the request
 * @param count how often it was asked in the job's sliding window (Space-Saving estimate, an upper bound)
 * @param rank its place among the popular requests, 1 the most asked
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WarmRequest(long generation, WindowQuery window, long count, int rank) {
  public byte[] toJson() {
    return WireJson.bytes(this);
  }

  /**
   * @throws IOException when {@code json} is not a warm request (a window that fails the request
   *     validation included)
   */
  public static WarmRequest fromJson(byte[] json) throws IOException {
    try {
      WarmRequest request = WireJson.read(json, WarmRequest.class);
      if (request == null || request.window() == null) {
        throw new IOException("not a warm request");
      }
      return request;
    } catch (IOException e) {
      throw e;
    } catch (RuntimeException e) { // a BadRequestException of the window, wrapped or not
      throw new IOException("not a warm request: " + e.getMessage(), e);
    }
  }
}
