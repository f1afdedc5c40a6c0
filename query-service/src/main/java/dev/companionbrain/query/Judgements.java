package dev.companionbrain.query;

import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.RankingMetrics;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.core.search.BadRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test collection's judged queries and their relevant documents, read once from {@link
 * Setting#JUDGEMENTS} with the readers of {@code brain eval}: what the workbench's compare view
 * marks and scores. The score is {@code brain eval}'s own ({@link RankingMetrics#ndcgAt}).
 */
final class Judgements {
  /** The depth of the score the compare view shows. */
  static final int DEPTH = 10;

  /** One judged query: its id in the collection, its text and the documents relevant to it. */
  record JudgedQuery(String id, String text, List<String> relevant) {}

  private final String collection;
  private final Map<String, JudgedQuery> queries;

  Judgements(String collection, List<JudgedQuery> judged) {
    this.collection = collection;
    Map<String, JudgedQuery> byId = new LinkedHashMap<>();
    judged.forEach(q -> byId.put(q.id(), q));
    this.queries = byId;
  }

  /**
   * The judged queries of the collection in {@code folder}; the documents are not kept.
   *
   * @throws IllegalArgumentException naming the setting, when the folder holds no collection
   */
  static Judgements read(Path folder) {
    TestCollection read;
    try {
      read = TestCollections.read(folder);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(Setting.JUDGEMENTS.variable() + ": " + e.getMessage());
    }
    List<JudgedQuery> judged = new ArrayList<>();
    for (CollectionQuery q : read.judgedQueries()) {
      judged.add(new JudgedQuery(q.id(), q.text(), List.copyOf(read.relevant(q.id()))));
    }
    return new Judgements(read.name(), judged);
  }

  /** {@code GET /judgements}: the collection's name and its judged queries, in file order. */
  Map<String, Object> listing() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("collection", collection);
    body.put("depth", DEPTH);
    body.put("queries", List.copyOf(queries.values()));
    return body;
  }

  /**
   * {@code GET /judgements/score?query_id=&ids=a,b}: nDCG@{@value #DEPTH} of the ranking {@code ids}
   * (best first) for the judged query, and which of them are relevant.
   *
   * @throws BadRequestException when the query is not judged here or the ranking is missing
   */
  Map<String, Object> score(String queryId, String ids) {
    JudgedQuery query = queryId == null ? null : queries.get(queryId);
    if (query == null) {
      throw new BadRequestException("unknown_query_id", "no judged query '" + queryId + "' in " + collection);
    }
    if (ids == null || ids.isBlank()) {
      throw new BadRequestException("invalid_ids", "ids is the ranking to score: document ids, best first, separated by commas");
    }
    List<String> ranking = Arrays.stream(ids.split(",")).map(String::trim).filter(id -> !id.isEmpty()).toList();
    Set<String> relevant = Set.copyOf(query.relevant());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query_id", query.id());
    body.put("ndcg_at_" + DEPTH, RankingMetrics.ndcgAt(DEPTH, ranking, relevant));
    body.put("relevant", ranking.stream().filter(relevant::contains).toList());
    body.put("judged_relevant", relevant.size());
    return body;
  }
}
