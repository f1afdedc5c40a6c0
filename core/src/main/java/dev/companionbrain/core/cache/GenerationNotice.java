package dev.companionbrain.core.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;

/**
 * A new index generation, as the indexing job announces it after a checkpoint that wrote documents:
 * on the Redis channel {@link RedisKeys#GENERATION_CHANNEL} (the query services learn it at once) and
 * as a record of topic {@code index.generations} (a Flink job re-warms the popular requests). The one
 * type of that wire format, used on both sides, in snake_case.
 *
 * <pre>{@code {"generation":42,"published_at":1764238000000,"documents":17,"oldest_produced_at":1764237998800}}</pre>
 *
 * @param generation the new generation, increasing
 * @param publishedAt when it was published (every document of it searchable in both engines), epoch ms
 * @param documents how many document writes and deletes it carries
 * @param oldestProducedAt the Kafka timestamp of its oldest document (0 when unknown): {@code
 *     publishedAt - oldestProducedAt} is the longest a document of it waited to become searchable
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GenerationNotice(long generation, long publishedAt, long documents, long oldestProducedAt) {
  public String toJson() {
    return WireJson.string(this);
  }

  /**
   * The notice in {@code text}: its JSON, or a bare generation number (what the job published before
   * notices had a type; its publication time is then unknown, 0).
   *
   * @throws IOException when {@code text} is neither
   */
  public static GenerationNotice fromJson(String text) throws IOException {
    String trimmed = text == null ? "" : text.strip();
    if (!trimmed.isEmpty() && Character.isDigit(trimmed.charAt(0))) {
      try {
        return new GenerationNotice(Long.parseLong(trimmed), 0, 0, 0);
      } catch (NumberFormatException e) {
        throw new IOException("not a generation: " + trimmed);
      }
    }
    JsonNode node = WireJson.tree(trimmed);
    if (node == null || !node.path("generation").canConvertToLong() || !node.path("generation").isIntegralNumber()) {
      throw new IOException("not a generation notice");
    }
    return WireJson.read(node, GenerationNotice.class);
  }
}
