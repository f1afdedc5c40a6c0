package dev.companionbrain.core.relevance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Splits queries into a tuning half and a test half, so that parameters (fusion weights, RRF
 * {@code k}...) are chosen on queries other than those they are reported on.
 */
public final class QuerySplit {
  private QuerySplit() {}

  /**
   * The two halves of a split.
   *
   * @param tune the queries to tune on
   * @param test the held-out queries to report on
   */
  public record Split(List<CollectionQuery> tune, List<CollectionQuery> test) {
    /** @throws NullPointerException if a list or an element is null */
    public Split {
      tune = List.copyOf(tune);
      test = List.copyOf(test);
    }
  }

  /**
   * Shuffles the queries with {@link Collections#shuffle(List, Random)} and a {@code new
   * Random(seed)}, then gives the first {@code floor(n / 2)} to {@link Split#tune()} and the rest
   * to {@link Split#test()}. The halves are disjoint and together hold every query once; the
   * same queries in the same order and the same seed always give the same split. The argument is
   * not modified.
   *
   * @throws NullPointerException if {@code queries} or one of them is null
   * @throws IllegalArgumentException if two queries share an id
   */
  public static Split halves(List<CollectionQuery> queries, long seed) {
    List<CollectionQuery> shuffled = new ArrayList<>(Objects.requireNonNull(queries, "queries"));
    Set<String> ids = new HashSet<>();
    for (CollectionQuery query : shuffled) {
      Objects.requireNonNull(query, "queries holds null");
      if (!ids.add(query.id())) {
        throw new IllegalArgumentException("duplicate query id '" + query.id() + "'");
      }
    }
    Collections.shuffle(shuffled, new Random(seed));
    int tuneSize = shuffled.size() / 2;
    return new Split(shuffled.subList(0, tuneSize), shuffled.subList(tuneSize, shuffled.size()));
  }
}
