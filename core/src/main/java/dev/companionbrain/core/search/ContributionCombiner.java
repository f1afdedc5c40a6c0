package dev.companionbrain.core.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part shared by the {@link Fusion}s: gathers every id's {@link Contribution}s from the ranked
 * lists, adds up {@code weight(r) * term(r, contribution)} over the retrievers of weight {@code >
 * 0}, sorts and truncates. The fusions differ only in the per-retriever term.
 */
final class ContributionCombiner {
  /** Score descending, then id ascending, so that equal scores come out in a stable order. */
  static final Comparator<FusedHit> BEST_FIRST =
      (a, b) -> {
        int byScore = Double.compare(b.score(), a.score());
        return byScore != 0 ? byScore : a.id().compareTo(b.id());
      };

  /** A fusion's score for one document in one retriever's list, before weighting. */
  @FunctionalInterface
  interface Term {
    double of(Retriever retriever, Contribution contribution);
  }

  private ContributionCombiner() {}

  static List<FusedHit> combine(
      Map<Retriever, List<ScoredId>> ranked, Weights weights, Term term, int limit) {
    Objects.requireNonNull(ranked, "ranked");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    }
    List<FusedHit> hits = new ArrayList<>();
    gather(ranked)
        .forEach(
            (id, contributions) -> {
              double score = 0.0;
              boolean weighted = false;
              for (Map.Entry<Retriever, Contribution> entry : contributions.entrySet()) {
                double weight = weights.weight(entry.getKey());
                if (weight > 0.0) {
                  weighted = true;
                  score += weight * term.of(entry.getKey(), entry.getValue());
                }
              }
              if (weighted) {
                hits.add(new FusedHit(id, score, contributions));
              }
            });
    hits.sort(BEST_FIRST);
    return List.copyOf(hits.subList(0, Math.min(limit, hits.size())));
  }

  /** For every id, its contribution in each list that holds it; duplicates within a list dropped. */
  private static Map<String, EnumMap<Retriever, Contribution>> gather(
      Map<Retriever, List<ScoredId>> ranked) {
    Map<String, EnumMap<Retriever, Contribution>> byId = new HashMap<>();
    for (Map.Entry<Retriever, List<ScoredId>> list : ranked.entrySet()) {
      Retriever retriever = Objects.requireNonNull(list.getKey(), "retriever");
      if (list.getValue() == null) {
        continue;
      }
      int rank = 0;
      for (ScoredId hit : list.getValue()) {
        Objects.requireNonNull(hit, () -> "null hit in the " + retriever.wireName() + " list");
        EnumMap<Retriever, Contribution> contributions =
            byId.computeIfAbsent(hit.id(), id -> new EnumMap<>(Retriever.class));
        if (contributions.containsKey(retriever)) {
          continue; // a duplicate: the first occurrence ranked better
        }
        rank++;
        contributions.put(
            retriever,
            new Contribution(rank, hit.score(), ScoreNormalizer.normalize(retriever, hit.score())));
      }
    }
    return byId;
  }
}
