package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.index.IndexDefinitions;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.search.ScoredId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;

/**
 * Nearest neighbours of the query vector on the Elasticsearch API, in the server's dialect, with
 * scores turned back into cosine similarity in [-1, 1]:
 * <ul>
 *   <li>OpenSearch: {@code knn} query (lucene HNSW, filtered); score = (1 + cos) / 2.
 *   <li>Elasticsearch 7: {@code script_score} with {@code cosineSimilarity(...) + 1.0} (exact);
 *       score = cos + 1.
 * </ul>
 * Tags and the ids of a restricted request filter the candidates ({@code knn}'s {@code filter}, the
 * script_score query's filter list); a document's score is its cosine either way.
 */
public final class KnnRetrieval implements Retrieval {
  private final RestClient client;
  private final String index;
  private final VectorDialect dialect;

  public KnnRetrieval(RestClient client, String index, VectorDialect dialect) {
    this.client = client;
    this.index = index;
    this.dialect = dialect;
  }


  @Override
  public CompletableFuture<List<ScoredId>> search(RetrievalRequest request) {
    if (request.vector() == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no query vector"));
    }
    return ElasticsearchSearch.search(client, index, requestBody(dialect, request), s -> cosine(dialect, s));
  }

  /** One {@code _msearch} per 100 requests (see {@link Retrieval#searchEach}); fails if one has no vector. */
  @Override
  public CompletableFuture<List<List<ScoredId>>> searchEach(List<RetrievalRequest> requests) {
    if (requests.stream().anyMatch(r -> r.vector() == null)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no query vector"));
    }
    return ElasticsearchSearch.searchEach(client, index,
        requests.stream().map(r -> requestBody(dialect, r)).toList(), s -> cosine(dialect, s));
  }

  static double cosine(VectorDialect dialect, double score) {
    return switch (dialect) {
      case OPENSEARCH -> 2 * score - 1;
      case ELASTICSEARCH_7 -> score - 1;
    };
  }

  /** The body of the search request this index sends (benchmarks replay it against the engine directly). */
  public static String requestBody(VectorDialect dialect, RetrievalRequest request) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ElasticsearchSearch.idsOnly(body, request.limit());
    ObjectNode query = body.putObject("query");
    switch (dialect) {
      case OPENSEARCH -> {
        ObjectNode knn = query.putObject("knn").putObject(IndexDefinitions.VECTOR_FIELD);
        vector(knn.putArray("vector"), request.vector());
        knn.put("k", request.limit());
        ArrayNode clauses = Json.MAPPER.createArrayNode();
        if (!request.tags().isEmpty()) {
          ElasticsearchSearch.terms(clauses, "tags", request.tags());
        }
        if (!request.ids().isEmpty()) {
          ElasticsearchSearch.terms(clauses, "id", request.ids());
        }
        // knn takes one filter query: a lone terms as it is, tags and ids together as a bool of both
        if (clauses.size() == 1) {
          knn.set("filter", clauses.get(0));
        } else if (clauses.size() > 1) {
          knn.putObject("filter").putObject("bool").set("filter", clauses);
        }
      }
      case ELASTICSEARCH_7 -> {
        ObjectNode scriptScore = query.putObject("script_score");
        ArrayNode filter = scriptScore.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("exists").put("field", IndexDefinitions.VECTOR_FIELD);
        if (!request.tags().isEmpty()) {
          ElasticsearchSearch.terms(filter, "tags", request.tags());
        }
        if (!request.ids().isEmpty()) {
          ElasticsearchSearch.terms(filter, "id", request.ids());
        }
        ObjectNode script = scriptScore.putObject("script");
        script.put("source", "cosineSimilarity(params.query_vector, '" + IndexDefinitions.VECTOR_FIELD + "') + 1.0");
        vector(script.putObject("params").putArray("query_vector"), request.vector());
      }
    }
    return body.toString();
  }

  private static void vector(ArrayNode array, float[] vector) {
    for (float f : vector) {
      array.add(f);
    }
  }
}
