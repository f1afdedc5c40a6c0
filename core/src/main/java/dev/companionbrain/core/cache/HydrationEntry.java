package dev.companionbrain.core.cache;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.companionbrain.core.document.Document;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;
import java.util.List;

/**
 * A document's display fields as the indexing job writes them to Redis ({@link RedisKeys#document})
 * and the query service hydrates hits from them: the one type of that wire format, used on both
 * sides, in snake_case. Never the body (only its {@link Document#snippet}) and never the vector.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HydrationEntry(String id, String title, String url, List<String> tags, String updatedAt, String snippet) {
  public HydrationEntry {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  public static HydrationEntry of(Document d) {
    return new HydrationEntry(d.id(), d.title(), d.url(), d.tags(), d.updatedAt(), d.snippet());
  }

  public String toJson() {
    return WireJson.string(this);
  }

  /** @throws IOException when {@code json} is not an entry */
  public static HydrationEntry fromJson(String json) throws IOException {
    HydrationEntry entry = WireJson.read(json, HydrationEntry.class);
    if (entry == null || entry.id() == null) {
      throw new IOException("not a hydration entry");
    }
    return entry;
  }
}
