package dev.companionbrain.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One hit: id, fused score, display fields, and each retriever's part (kept in the cached window;
 * a response shows it only with {@code explain=true}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PageHit(
    String id,
    double score,
    String title,
    String url,
    List<String> tags,
    @JsonProperty("updated_at") String updatedAt,
    String snippet,
    Map<String, RetrieverPart> explain) {

  /** A retriever's rank (1-based), raw score and normalised score for this hit. */
  public record RetrieverPart(int rank, double score, double normalized) {}

  /** This hit's id, score and parts with the display fields of {@code other}. */
  PageHit withFieldsOf(PageHit other) {
    return new PageHit(id, score, other.title, other.url, other.tags, other.updatedAt, other.snippet, explain);
  }

  /** The hit as a response without explain shows it. */
  PageHit withoutParts() {
    return explain == null ? this : new PageHit(id, score, title, url, tags, updatedAt, snippet, null);
  }
}
