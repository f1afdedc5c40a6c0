package dev.companionbrain.core.search;

import java.util.List;
import java.util.Map;

/**
 * Merges the ranked lists of several {@link Retriever}s into one ranking.
 *
 * <p>Every implementation:
 *
 * <ul>
 *   <li>accepts missing retrievers, null or empty lists (one list empty: the ranking follows the
 *       other lists; all empty: the result is empty);
 *   <li>keeps only the first (best) occurrence of an id within one list; ranks are then counted
 *       without the dropped duplicates;
 *   <li>scores a document only from retrievers with a weight {@code > 0}; a document that only
 *       retrievers of weight 0 returned is left out, but the {@link FusedHit#contributions()} of a
 *       hit report every retriever whose list held it, whatever its weight;
 *   <li>sorts by score descending, ties broken by id ascending, then keeps the first {@code
 *       limit} hits.
 * </ul>
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface Fusion {
  /** The usual RRF constant {@code k}: damps the advantage of the very first ranks. */
  int DEFAULT_RRF_K = 60;

  /**
   * The fused ranking, best first, at most {@code limit} hits.
   *
   * @param ranked for each retriever its hits in rank order, best first
   * @param limit how many hits to keep, {@code >= 0}
   * @throws IllegalArgumentException if {@code limit < 0}
   */
  List<FusedHit> fuse(Map<Retriever, List<ScoredId>> ranked, int limit);

  /** Short name for logs and metrics: {@code "rrf"} or {@code "weighted"}. */
  String name();

  /** Weighted reciprocal rank fusion with {@code k = }{@value #DEFAULT_RRF_K}, see {@link #rrf(Weights, int)}. */
  static Fusion rrf(Weights weights) {
    return rrf(weights, DEFAULT_RRF_K);
  }

  /**
   * Weighted reciprocal rank fusion: {@code score(d) = sum over retrievers r that returned d of
   * weight(r) / (k + rank_r(d))}, ranks 1-based. Uses ranks only; raw scores are reported in the
   * contributions, normalised by {@link ScoreNormalizer} for information.
   *
   * @param k RRF constant, {@code >= 0}
   * @throws IllegalArgumentException if {@code k < 0}
   */
  static Fusion rrf(Weights weights, int k) {
    return new ReciprocalRankFusion(weights, k);
  }

  /**
   * Weighted sum of normalised scores: {@code score(d) = sum over retrievers r of weight(r) *
   * ScoreNormalizer.normalize(r, raw_r(d))}, where a retriever that did not return {@code d} adds 0.
   * The normalisation has fixed bounds, so a hit's score never depends on the page size or on the
   * other hits.
   */
  static Fusion weightedSum(Weights weights) {
    return new WeightedSumFusion(weights);
  }

  /**
   * One retriever's list as a ranking: its hits with their raw scores, best first (ties by id), as a
   * single-retriever search answers. Hits of the other retrievers' lists are left out.
   */
  static Fusion single(Retriever retriever) {
    Weights only = Weights.of(Map.of(retriever, 1.0));
    return new Fusion() {
      @Override
      public List<FusedHit> fuse(Map<Retriever, List<ScoredId>> ranked, int limit) {
        return ContributionCombiner.combine(
            Map.of(retriever, java.util.Objects.requireNonNullElse(ranked.get(retriever), List.of())), only,
            (r, c) -> c.rawScore(), limit);
      }

      @Override
      public String name() {
        return retriever.wireName();
      }
    };
  }
}
