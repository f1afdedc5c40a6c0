package dev.companionbrain.core.search;

import java.util.Locale;

/**
 * One way of retrieving candidate documents. Each retriever returns its own ranked list of {@link
 * ScoredId}s; a {@link Fusion} merges them. The search itself is a {@link
 * dev.companionbrain.core.search.backend.Retrieval} (one implementation a kind).
 */
public enum Retriever {
  /**
   * Typo-tolerant full-text search on Meilisearch. Raw score: {@code _rankingScore} in [0, 1].
   */
  TEXT,
  /** BM25 on Elasticsearch. Raw score: the BM25 score, {@code >= 0} and unbounded. */
  KEYWORD,
  /**
   * kNN on Elasticsearch. Raw score: the cosine similarity in [-1, 1]. Engines usually report a
   * transformed score (for example {@code (1 + cos) / 2}); the backend converts it back to the
   * cosine before handing hits to a {@link Fusion}.
   */
  VECTOR;

  /** The name used in URLs and weight specs: the lower-case constant name, e.g. {@code "keyword"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The retriever with this wire name, ignoring case and surrounding whitespace.
   *
   * @throws IllegalArgumentException if {@code value} is null or names no retriever
   */
  public static Retriever fromWire(String value) {
    if (value != null) {
      String wanted = value.strip();
      for (Retriever retriever : values()) {
        if (retriever.wireName().equalsIgnoreCase(wanted)) {
          return retriever;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown retriever " + BadRequestException.quoted(value) + "; expected text, keyword or vector");
  }
}
