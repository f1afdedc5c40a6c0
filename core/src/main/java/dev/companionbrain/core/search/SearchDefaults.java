package dev.companionbrain.core.search;

import java.util.Objects;

/**
 * What a search request gets for the fusion parameters it leaves out. The default weights depend
 * on the fusion method, because RRF and weighted-sum scores react differently to weights.
 *
 * @param fusion fusion method when the request gives none
 * @param rrfWeights weights for {@link FusionMethod#RRF} when the request gives none
 * @param weightedWeights weights for {@link FusionMethod#WEIGHTED} when the request gives none
 */
public record SearchDefaults(FusionMethod fusion, Weights rrfWeights, Weights weightedWeights) {
  public SearchDefaults {
    Objects.requireNonNull(fusion, "fusion");
    Objects.requireNonNull(rrfWeights, "rrfWeights");
    Objects.requireNonNull(weightedWeights, "weightedWeights");
  }

  /** The default weights for {@code method}. */
  public Weights weightsFor(FusionMethod method) {
    return switch (Objects.requireNonNull(method, "method")) {
      case RRF -> rrfWeights;
      case WEIGHTED -> weightedWeights;
    };
  }
}
