package dev.companionbrain.core.search;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One document of a fused ranking.
 *
 * @param id document id
 * @param score fused score; higher is better. Only comparable with scores of the same {@link
 *     Fusion}
 * @param contributions for every retriever whose list held the document (whatever its weight), its
 *     rank and scores there; unmodifiable, iterates in {@link Retriever} order
 */
public record FusedHit(String id, double score, Map<Retriever, Contribution> contributions) {
  public FusedHit {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(contributions, "contributions");
    EnumMap<Retriever, Contribution> copy = new EnumMap<>(Retriever.class);
    contributions.forEach(
        (retriever, contribution) ->
            copy.put(
                Objects.requireNonNull(retriever, "retriever"),
                Objects.requireNonNull(contribution, "contribution")));
    contributions = Collections.unmodifiableMap(copy);
  }
}
