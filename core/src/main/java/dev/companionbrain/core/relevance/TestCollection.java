package dev.companionbrain.core.relevance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A test collection: documents, queries and graded relevance judgements ("qrels").
 *
 * <p><b>Grades and relevance.</b> Grades are kept as the collection states them, but relevance is
 * binary: a document is relevant to a query when its grade is {@code >= }{@value
 * #MIN_RELEVANT_GRADE}; every relevant document has gain 1 in the {@link RankingMetrics}. For
 * Cranfield the grades are Cleverdon's 1..4, where <em>1 = most relevant</em> (a complete answer)
 * and 4 = of minimum interest, plus -1 for "no interest", which is therefore not relevant. (The
 * direction of the Cranfield scale is disputed and opposite to BEIR's, where a higher score is
 * better and 0 means not relevant; binary gains make the choice irrelevant.) CISI, MED and CACM
 * list only relevant pairs; each listed pair gets grade 1. TREC qrels count grades above 0 as
 * relevant.
 *
 * <p>All components are unmodifiable copies; maps keep the order they were given in.
 *
 * @param name short name of the collection, for reports (the folder name for {@link
 *     TestCollections#read(java.nio.file.Path)})
 * @param documents the documents, ids unique
 * @param queries the queries, ids unique, in file order
 * @param qrels judgements: query id to (document id to grade); may name documents or queries the
 *     collection does not contain (such documents can never be retrieved, as in BEIR)
 */
public record TestCollection(
    String name,
    List<CollectionDocument> documents,
    List<CollectionQuery> queries,
    Map<String, Map<String, Integer>> qrels) {

  /** The lowest grade that counts as relevant. */
  public static final int MIN_RELEVANT_GRADE = 1;

  /**
   * @throws NullPointerException if any component, element, key or value is null
   * @throws IllegalArgumentException if two documents or two queries share an id
   */
  public TestCollection {
    Objects.requireNonNull(name, "name");
    documents = List.copyOf(documents);
    queries = List.copyOf(queries);
    qrels = copyOf(qrels);
    Set<String> documentIds = new HashSet<>();
    for (CollectionDocument document : documents) {
      if (!documentIds.add(document.id())) {
        throw new IllegalArgumentException("duplicate document id '" + document.id() + "' in " + name);
      }
    }
    Set<String> queryIds = new HashSet<>();
    for (CollectionQuery query : queries) {
      if (!queryIds.add(query.id())) {
        throw new IllegalArgumentException("duplicate query id '" + query.id() + "' in " + name);
      }
    }
  }

  /**
   * The documents relevant to a query: those judged with a grade {@code >= }{@value
   * #MIN_RELEVANT_GRADE}, in judgement order.
   *
   * @return an unmodifiable set, empty when the query has no relevant (or no judged) document
   */
  public Set<String> relevant(String queryId) {
    Objects.requireNonNull(queryId, "queryId");
    Map<String, Integer> judged = qrels.get(queryId);
    if (judged == null) {
      return Set.of();
    }
    Set<String> relevant = new LinkedHashSet<>();
    judged.forEach(
        (documentId, grade) -> {
          if (grade >= MIN_RELEVANT_GRADE) {
            relevant.add(documentId);
          }
        });
    return Collections.unmodifiableSet(relevant);
  }

  /** The queries with at least one {@link #relevant(String) relevant} document, in file order. */
  public List<CollectionQuery> judgedQueries() {
    List<CollectionQuery> judged = new ArrayList<>();
    for (CollectionQuery query : queries) {
      if (!relevant(query.id()).isEmpty()) {
        judged.add(query);
      }
    }
    return List.copyOf(judged);
  }

  private static Map<String, Map<String, Integer>> copyOf(Map<String, Map<String, Integer>> qrels) {
    Objects.requireNonNull(qrels, "qrels");
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    qrels.forEach(
        (queryId, judged) -> {
          Objects.requireNonNull(queryId, "qrels query id");
          Objects.requireNonNull(judged, "qrels of query " + queryId);
          Map<String, Integer> judgedCopy = new LinkedHashMap<>();
          judged.forEach(
              (documentId, grade) ->
                  judgedCopy.put(
                      Objects.requireNonNull(documentId, "qrels document id of query " + queryId),
                      Objects.requireNonNull(grade, "qrels grade of " + queryId + "/" + documentId)));
          copy.put(queryId, Collections.unmodifiableMap(judgedCopy));
        });
    return Collections.unmodifiableMap(copy);
  }
}
