package dev.companionbrain.core.relevance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Ranking quality at a cut-off {@code k}, with binary relevance (every relevant document has gain
 * 1, see {@link TestCollection}).
 *
 * <p>Common rules: {@code k >= 1}; a ranking lists document ids best first; an id that occurs again
 * later in a ranking is ignored there, and ranks are counted without such repeats (so {@code [a,
 * a, b]} is scored as {@code [a, b]}); ids that are not in {@code relevant} simply do not count.
 * Every metric is 0 when {@code relevant} is empty and lies in [0, 1].
 */
public final class RankingMetrics {
  private static final double LN_2 = Math.log(2);

  private RankingMetrics() {}

  /**
   * Normalised discounted cumulative gain: {@code DCG@k / IDCG@k} with {@code DCG@k = sum over
   * ranks i = 1..k of rel_i / log2(i + 1)}, {@code rel_i} 1 when the document at rank i is
   * relevant, else 0, and {@code IDCG@k} the DCG of an ideal ranking, {@code min(k, |relevant|)}
   * relevant documents first.
   *
   * @throws IllegalArgumentException if {@code k < 1}
   * @throws NullPointerException if an argument or an id in the ranking is null
   */
  public static double ndcgAt(int k, List<String> ranking, Set<String> relevant) {
    List<String> top = distinctTop(k, ranking, relevant);
    if (relevant.isEmpty()) {
      return 0.0;
    }
    double dcg = 0.0;
    for (int i = 0; i < top.size(); i++) {
      if (relevant.contains(top.get(i))) {
        dcg += discount(i + 1);
      }
    }
    double idcg = 0.0;
    int ideal = Math.min(k, relevant.size());
    for (int rank = 1; rank <= ideal; rank++) {
      idcg += discount(rank);
    }
    return dcg / idcg;
  }

  /**
   * Recall: the share of the relevant documents found in the top {@code k}.
   *
   * @throws IllegalArgumentException if {@code k < 1}
   * @throws NullPointerException if an argument or an id in the ranking is null
   */
  public static double recallAt(int k, List<String> ranking, Set<String> relevant) {
    List<String> top = distinctTop(k, ranking, relevant);
    if (relevant.isEmpty()) {
      return 0.0;
    }
    int found = 0;
    for (String id : top) {
      if (relevant.contains(id)) {
        found++;
      }
    }
    return (double) found / relevant.size();
  }

  /**
   * Reciprocal rank: {@code 1 / rank} of the first relevant document within the top {@code k}, 0
   * when there is none. Its mean over queries is MRR@k.
   *
   * @throws IllegalArgumentException if {@code k < 1}
   * @throws NullPointerException if an argument or an id in the ranking is null
   */
  public static double reciprocalRankAt(int k, List<String> ranking, Set<String> relevant) {
    List<String> top = distinctTop(k, ranking, relevant);
    for (int i = 0; i < top.size(); i++) {
      if (relevant.contains(top.get(i))) {
        return 1.0 / (i + 1);
      }
    }
    return 0.0;
  }

  /** {@code 1 / log2(rank + 1)}. */
  private static double discount(int rank) {
    return LN_2 / Math.log(rank + 1.0);
  }

  /** The first {@code k} distinct ids of the ranking, in order; checks the arguments. */
  private static List<String> distinctTop(int k, List<String> ranking, Set<String> relevant) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Objects.requireNonNull(ranking, "ranking");
    Objects.requireNonNull(relevant, "relevant");
    List<String> top = new ArrayList<>(Math.min(k, ranking.size()));
    Set<String> seen = new HashSet<>();
    int index = 0;
    for (String id : ranking) {
      if (top.size() == k) {
        break;
      }
      if (id == null) {
        throw new NullPointerException("ranking holds null at index " + index);
      }
      if (seen.add(id)) {
        top.add(id);
      }
      index++;
    }
    return top;
  }
}
