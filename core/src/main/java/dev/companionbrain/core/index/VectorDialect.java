package dev.companionbrain.core.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;

/**
 * How the Elasticsearch API server stores and searches vectors, chosen from {@code GET /}
 * ({@code version.distribution}): OpenSearch has {@code knn_vector} (lucene HNSW) and the
 * {@code knn} query; Elasticsearch 7 has {@code dense_vector} and exact {@code script_score} with
 * {@code cosineSimilarity}.
 */
public enum VectorDialect {
  OPENSEARCH,
  ELASTICSEARCH_7;

  private static final ObjectMapper JSON = new ObjectMapper();

  public static VectorDialect detect(RestClient client) {
    try {
      var response = client.performRequest(new Request("GET", "/"));
      return fromRootResponse(JSON.readTree(response.getEntity().getContent()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read GET / of the Elasticsearch API", e);
    }
  }

  static VectorDialect fromRootResponse(JsonNode root) {
    String distribution = root.path("version").path("distribution").asText("");
    return "opensearch".equalsIgnoreCase(distribution) ? OPENSEARCH : ELASTICSEARCH_7;
  }
}
