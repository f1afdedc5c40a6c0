package dev.companionbrain.cli;

import dev.companionbrain.core.search.Fusion;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.Weights;

/** One fusion setting under evaluation: method and weights, as the service takes them. */
record FusionCandidate(FusionMethod method, Weights weights) {
  Fusion fusion() {
    return method.create(weights);
  }

  String label() {
    return method.wireName() + " " + weights.toSpec();
  }

  /** Query-string parameters that ask the service for this fusion. */
  String params() {
    return "fusion=" + method.wireName() + "&weights=" + weights.toSpec();
  }
}
