package dev.companionbrain.core.relevance;

import java.util.Objects;

/**
 * The mean scores of one search mode over the queries of an evaluation, see {@link
 * RelevanceEvaluation}.
 *
 * @param mode the mode's name, e.g. {@code "keyword"} or {@code "hybrid"}
 * @param ndcg10 mean nDCG@10
 * @param recall100 mean recall@100
 * @param mrr10 mean reciprocal rank at 10 (MRR@10)
 * @param queries how many queries the means are over
 */
public record ModeScores(String mode, double ndcg10, double recall100, double mrr10, int queries) {
  /** @throws NullPointerException if {@code mode} is null */
  public ModeScores {
    Objects.requireNonNull(mode, "mode");
  }
}
