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
  private final String index;

  public Bm25Retrieval(RestClient client, String index) {
    this.client = client;
    this.index = index;
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
    ObjectNode bool = body.putObject("query").putObject("bool");
    ObjectNode match = bool.putObject("must").putObject("multi_match");
    match.put("query", request.q());
    match.putArray("fields").add("title^2").add("body");
    if (!request.tags().isEmpty() || !request.ids().isEmpty()) {
      ArrayNode filter = bool.putArray("filter");
      if (!request.tags().isEmpty()) {
        ElasticsearchSearch.terms(filter, "tags", request.tags());
      }
      if (!request.ids().isEmpty()) {
        ElasticsearchSearch.terms(filter, "id", request.ids());
      }
    }
    return body.toString();
  }
}
