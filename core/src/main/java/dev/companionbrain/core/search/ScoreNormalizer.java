package dev.companionbrain.core.search;

import java.util.Objects;

/**
 * Maps a retriever's raw score into [0, 1] with FIXED bounds, so that a hit's normalised score
 * depends only on its own raw score, never on the page size or on the other hits (unlike min-max
 * normalisation over a result page).
 *
 * <ul>
 *   <li>TEXT: the Meilisearch ranking score, clamped to [0, 1].
 *   <li>VECTOR: {@code (cos + 1) / 2}, clamped to [0, 1].
 *   <li>KEYWORD: {@code bm25 / (bm25 + KEYWORD_HALF_SCORE)}, a fixed monotone squash into [0, 1);
 *       negative scores give 0.
 * </ul>
 */
public final class ScoreNormalizer {
  /**
   * The BM25 score that normalises to 0.5. BM25 has no upper bound (it grows with the number and
   * rarity of matched terms), so it is squashed by {@code raw / (raw + 10)}: order-preserving, 0
   * maps to 0, large scores approach 1, and a strong match of a few terms (BM25 around 10) lands in
   * the middle. Changing this changes every weighted-sum score, so cached results must be dropped
   * (bump the cache key version).
   */
  public static final double KEYWORD_HALF_SCORE = 10.0;

  private ScoreNormalizer() {}

  /**
   * {@code raw} mapped into [0, 1] for {@code retriever}.
   *
   * @throws IllegalArgumentException if {@code raw} is NaN or infinite
   */
  public static double normalize(Retriever retriever, double raw) {
    Objects.requireNonNull(retriever, "retriever");
    if (!Double.isFinite(raw)) {
      throw new IllegalArgumentException(retriever.wireName() + " score must be finite, got " + raw);
    }
    return switch (retriever) {
      case TEXT -> clampToUnit(raw);
      case VECTOR -> clampToUnit((raw + 1.0) / 2.0);
      case KEYWORD -> raw <= 0.0 ? 0.0 : raw / (raw + KEYWORD_HALF_SCORE);
    };
  }

  private static double clampToUnit(double value) {
    return Math.max(0.0, Math.min(1.0, value));
  }
}
