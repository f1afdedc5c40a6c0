package dev.companionbrain.core.relevance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Collects the per-query scores of one or more search modes over the queries of a test
 * collection: nDCG@{@value #NDCG_DEPTH}, recall@{@value #RECALL_DEPTH} and reciprocal rank
 * at {@value #MRR_DEPTH}, computed by {@link RankingMetrics} when a ranking is {@link #add added}.
 *
 * <p>Every query added counts in the means, including one without relevant documents (which
 * scores 0 throughout), so add only {@link TestCollection#judgedQueries() judged queries}. Not
 * thread-safe.
 */
public final class RelevanceEvaluation {
  /** The cut-off of nDCG. */
  public static final int NDCG_DEPTH = 10;
  /** The cut-off of recall. */
  public static final int RECALL_DEPTH = 100;
  /** The cut-off of the reciprocal rank. */
  public static final int MRR_DEPTH = 10;
  /** The header line of {@link #perQueryCsv()}, without line break. */
  public static final String CSV_HEADER = "mode,query_id,ndcg@10,recall@100,mrr@10";

  private record QueryScores(String queryId, double ndcg10, double recall100, double mrr10) {}

  private final Map<String, Map<String, QueryScores>> byMode = new LinkedHashMap<>();

  /**
   * Scores one query's ranking under one mode.
   *
   * @param ranking document ids, best first (at least {@value #RECALL_DEPTH} of them for a full
   *     recall@{@value #RECALL_DEPTH})
   * @param relevant the query's relevant document ids
   * @throws NullPointerException if an argument or an id in the ranking is null
   * @throws IllegalArgumentException if {@code mode} is blank, or this mode already has a result
   *     for {@code queryId}
   */
  public void add(String mode, String queryId, List<String> ranking, Set<String> relevant) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(queryId, "queryId");
    if (mode.isBlank()) {
      throw new IllegalArgumentException("mode must not be blank");
    }
    QueryScores scores =
        new QueryScores(
            queryId,
            RankingMetrics.ndcgAt(NDCG_DEPTH, ranking, relevant),
            RankingMetrics.recallAt(RECALL_DEPTH, ranking, relevant),
            RankingMetrics.reciprocalRankAt(MRR_DEPTH, ranking, relevant));
    Map<String, QueryScores> queries = byMode.computeIfAbsent(mode, m -> new LinkedHashMap<>());
    if (queries.containsKey(queryId)) {
      throw new IllegalArgumentException(
          "mode '" + mode + "' already has a result for query '" + queryId + "'");
    }
    queries.put(queryId, scores);
  }

  /**
   * The means over all queries added for {@code mode}.
   *
   * @throws IllegalArgumentException if nothing was added for {@code mode}
   */
  public ModeScores scores(String mode) {
    Objects.requireNonNull(mode, "mode");
    Map<String, QueryScores> queries = byMode.get(mode);
    if (queries == null) {
      throw new IllegalArgumentException("no results for mode '" + mode + "', only for " + modes());
    }
    double ndcg = 0.0;
    double recall = 0.0;
    double mrr = 0.0;
    for (QueryScores scores : queries.values()) {
      ndcg += scores.ndcg10();
      recall += scores.recall100();
      mrr += scores.mrr10();
    }
    int count = queries.size();
    return new ModeScores(mode, ndcg / count, recall / count, mrr / count, count);
  }

  /** The modes that have results, in the order of their first {@link #add}. */
  public List<String> modes() {
    return List.copyOf(byMode.keySet());
  }

  /**
   * One CSV line per mode and query: the header {@value #CSV_HEADER}, then the rows grouped by
   * mode in {@link #modes()} order, queries in the order added, scores with 4 decimals ({@code
   * 0.9197}); every line ends with {@code \n}. A mode or query id holding a comma, quote or line
   * break is quoted as RFC 4180 says.
   */
  public String perQueryCsv() {
    StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
    byMode.forEach(
        (mode, queries) -> {
          for (QueryScores scores : queries.values()) {
            csv.append(csvField(mode))
                .append(',')
                .append(csvField(scores.queryId()))
                .append(',')
                .append(decimal(scores.ndcg10()))
                .append(',')
                .append(decimal(scores.recall100()))
                .append(',')
                .append(decimal(scores.mrr10()))
                .append('\n');
          }
        });
    return csv.toString();
  }

  private static String decimal(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  private static String csvField(String value) {
    if (value.indexOf(',') < 0
        && value.indexOf('"') < 0
        && value.indexOf('\n') < 0
        && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  /** Evaluation size for logs: modes and query counts. */
  @Override
  public String toString() {
    List<String> sizes = new ArrayList<>();
    byMode.forEach((mode, queries) -> sizes.add(mode + "=" + queries.size()));
    return "RelevanceEvaluation" + sizes;
  }
}
