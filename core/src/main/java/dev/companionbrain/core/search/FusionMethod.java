package dev.companionbrain.core.search;

import java.util.Locale;

/** How a {@link SearchMode#HYBRID} search merges the retrievers' lists. */
public enum FusionMethod {
  /** Weighted reciprocal rank fusion, see {@link Fusion#rrf(Weights)}. */
  RRF,
  /** Weighted sum of normalised scores, see {@link Fusion#weightedSum(Weights)}. */
  WEIGHTED;

  /** The name used in URLs: the lower-case constant name, e.g. {@code "rrf"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The {@link Fusion} of this method with these weights (RRF with the default {@code k}). */
  public Fusion create(Weights weights) {
    return switch (this) {
      case RRF -> Fusion.rrf(weights);
      case WEIGHTED -> Fusion.weightedSum(weights);
    };
  }

  /**
   * The method with this wire name, ignoring case and surrounding whitespace.
   *
   * @throws BadRequestException with code {@code "invalid_fusion"} if {@code value} is null or
   *     names no method
   */
  public static FusionMethod fromWire(String value) {
    if (value != null) {
      String wanted = value.strip();
      for (FusionMethod method : values()) {
        if (method.wireName().equalsIgnoreCase(wanted)) {
          return method;
        }
      }
    }
    throw new BadRequestException(
        "invalid_fusion",
        "unknown fusion " + BadRequestException.quoted(value) + "; expected rrf or weighted");
  }
}
