package dev.companionbrain.core.search;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Weighted sum of fixed-bound normalised scores, see {@link Fusion#weightedSum(Weights)}. */
final class WeightedSumFusion implements Fusion {
  private final Weights weights;

  WeightedSumFusion(Weights weights) {
    this.weights = Objects.requireNonNull(weights, "weights");
  }

  @Override
  public List<FusedHit> fuse(Map<Retriever, List<ScoredId>> ranked, int limit) {
    return ContributionCombiner.combine(
        ranked, weights, (retriever, contribution) -> contribution.normalizedScore(), limit);
  }

  @Override
  public String name() {
    return FusionMethod.WEIGHTED.wireName();
  }

  @Override
  public String toString() {
    return "weighted(" + weights.toSpec() + ")";
  }
}
