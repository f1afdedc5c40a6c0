package dev.companionbrain.core.search;

import java.util.Objects;

/**
 * One hit of one {@link Retriever}. A retriever's hits come as a list in rank order, best first.
 *
 * @param id document id
 * @param score the retriever's raw score, finite: TEXT = Meilisearch {@code _rankingScore} in [0,
 *     1]; KEYWORD = BM25 score ({@code >= 0}, unbounded); VECTOR = cosine similarity in [-1, 1]
 */
public record ScoredId(String id, double score) {
  /**
   * @throws NullPointerException if {@code id} is null
   * @throws IllegalArgumentException if {@code score} is NaN or infinite
   */
  public ScoredId {
    Objects.requireNonNull(id, "id");
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException("score of " + id + " must be finite, got " + score);
    }
  }
}
