package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.search.ScoredId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;

/**
 * BM25 over title (boosted) and body on the Elasticsearch API; the raw BM25 score is returned. Tags
 * and the ids of a restricted request are filter clauses of the bool, which do not score.
 */
public final class Bm25Retrieval implements Retrieval {
  private final RestClient client;
  private final String base;
  private final String index;
  private final java.util.Map<Integer, Bm25Retrieval> versions;

  /** @param index the index's stable name (its alias): searched as it serves now, or {@link #in} a version */
  public Bm25Retrieval(RestClient client, String index) {
    this(client, index, index, new java.util.concurrent.ConcurrentHashMap<>());
  }

  private Bm25Retrieval(RestClient client, String base, String index, java.util.Map<Integer, Bm25Retrieval> versions) {
    this.client = client;
    this.base = base;
    this.index = index;
    this.versions = versions;
  }

  @Override
  public Bm25Retrieval in(int version) {
    return versions.computeIfAbsent(version,
        v -> new Bm25Retrieval(client, base, dev.companionbrain.core.index.IndexVersions.elasticsearch(base, v), versions));
  }


  @Override
  public CompletableFuture<List<ScoredId>> search(RetrievalRequest request) {
    return ElasticsearchSearch.search(client, index, requestBody(request), s -> s);
  }

  /** One {@code _msearch} per 25 requests (see {@link Retrieval#searchEach}). */
  @Override
  public CompletableFuture<List<List<ScoredId>>> searchEach(List<RetrievalRequest> requests) {
    return ElasticsearchSearch.searchEach(client, index, requests.stream().map(Bm25Retrieval::requestBody).toList(), s -> s);
  }

  /** The body of the search request this index sends (benchmarks replay it against the engine directly). */
  public static String requestBody(RetrievalRequest request) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ElasticsearchSearch.idsOnly(body, request.limit());
    body.set("query", query(request.q(), request.tags(), request.ids()));
    return body.toString();
  }

  /**
   * The query of every BM25 search: {@code multi_match} of {@code q} over title (boosted) and body,
   * with the tags and ids as non-scoring {@code terms} filters (an empty list: no filter). The
   * keyword search and its stream ({@link KeywordStream}) share it, so both rank alike.
   */
  static ObjectNode query(String q, List<String> tags, List<String> ids) {
    ObjectNode query = Json.MAPPER.createObjectNode();
    ObjectNode bool = query.putObject("bool");
    ObjectNode match = bool.putObject("must").putObject("multi_match");
    match.put("query", q);
    match.putArray("fields").add("title^2").add("body");
    if (!tags.isEmpty() || !ids.isEmpty()) {
      ArrayNode filter = bool.putArray("filter");
      if (!tags.isEmpty()) {
        ElasticsearchSearch.terms(filter, "tags", tags);
      }
      if (!ids.isEmpty()) {
        ElasticsearchSearch.terms(filter, "id", ids);
      }
    }
    return query;
  }

  /** Every match of a query, a page at a time, over this retrieval's client and index. */
  public KeywordStream stream() {
    return new KeywordStream(client, index);
  }
}
