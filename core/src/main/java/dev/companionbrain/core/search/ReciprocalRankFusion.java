package dev.companionbrain.core.search;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Weighted reciprocal rank fusion, see {@link Fusion#rrf(Weights, int)}. */
final class ReciprocalRankFusion implements Fusion {
  private final Weights weights;
  private final int k;

  ReciprocalRankFusion(Weights weights, int k) {
    this.weights = Objects.requireNonNull(weights, "weights");
    if (k < 0) {
      throw new IllegalArgumentException("RRF k must be >= 0, got " + k);
    }
    this.k = k;
  }

  @Override
  public List<FusedHit> fuse(Map<Retriever, List<ScoredId>> ranked, int limit) {
    return ContributionCombiner.combine(
        ranked, weights, (retriever, contribution) -> 1.0 / ((double) k + contribution.rank()), limit);
  }

  @Override
  public String name() {
    return FusionMethod.RRF.wireName();
  }

  @Override
  public String toString() {
    return "rrf(k=" + k + ", " + weights.toSpec() + ")";
  }
}
