package dev.companionbrain.core.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;
import java.util.List;

/**
 * A new index generation, as the indexing job announces it after a checkpoint that wrote documents:
 * on the Redis channel {@link RedisKeys#GENERATION_CHANNEL} (the query services learn it at once), as
 * the value of {@link RedisKeys#GENERATION_NOTICE} and {@link RedisKeys#generationNotice(long)}, and
 * as a record of topic {@code index.generations} (a Flink job re-warms the popular requests). The one
 * type of that wire format, used on both sides, in snake_case.
 *
 * <pre>{@code {"generation":42,"published_at":1764238000000,"documents":3,"oldest_produced_at":1764237998800,
 *  "upserted":["doc-1","doc-7"],"deleted":["doc-3"]}}</pre>
 *
 * <p>The lists name what the generation changed, so a reader can judge a cached result against it.
 * They are absent (null) when the changes are not listed: the generation changed more documents than
 * the job lists ({@code BRAIN_GENERATION_CHANGES_MAX}), or the notice comes from a job older than the
 * lists. A reader must then assume that anything may have changed.
 *
 * @param generation the new generation, increasing
 * @param publishedAt when it was published (every document of it searchable in both engines), epoch ms
 * @param documents how many document writes and deletes it carries (an id written twice counts twice)
 * @param oldestProducedAt the Kafka timestamp of its oldest document (0 when unknown): {@code
 *     publishedAt - oldestProducedAt} is the longest a document of it waited to become searchable
 * @param upserted the ids it wrote (last operation on the id: a write), or null when not listed
 * @param deleted the ids it deleted (last operation on the id: a delete), or null when not listed
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GenerationNotice(long generation, long publishedAt, long documents, long oldestProducedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> upserted,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> deleted) {

  /** Copies the lists (unmodifiable); a null list stays null. */
  public GenerationNotice {
    upserted = upserted == null ? null : List.copyOf(upserted);
    deleted = deleted == null ? null : List.copyOf(deleted);
  }

  /** A notice that does not list its changes. */
  public GenerationNotice(long generation, long publishedAt, long documents, long oldestProducedAt) {
    this(generation, publishedAt, documents, oldestProducedAt, null, null);
  }

  /**
   * Whether the notice lists every document the generation changed (both lists present); when not, a
   * reader must assume any document may have changed.
   */
  public boolean listsChanges() {
    return upserted != null && deleted != null;
  }

  public String toJson() {
    return WireJson.string(this);
  }

  /**
   * The notice in {@code text}: its JSON (with or without the lists of changes), or a bare generation
   * number (what the job published before notices had a type; its publication time is then unknown, 0).
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
