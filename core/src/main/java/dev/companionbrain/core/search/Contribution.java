package dev.companionbrain.core.search;

/**
 * What one {@link Retriever} said about one document of a {@link FusedHit}; used to explain a
 * fused ranking.
 *
 * @param rank 1-based position of the document in that retriever's list (duplicates removed)
 * @param rawScore the retriever's raw score, see {@link ScoredId#score()}
 * @param normalizedScore {@code rawScore} mapped into [0, 1] by {@link ScoreNormalizer}
 */
public record Contribution(int rank, double rawScore, double normalizedScore) {
  /** @throws IllegalArgumentException if {@code rank < 1} */
  public Contribution {
    if (rank < 1) {
      throw new IllegalArgumentException("rank is 1-based, got " + rank);
    }
  }
}
