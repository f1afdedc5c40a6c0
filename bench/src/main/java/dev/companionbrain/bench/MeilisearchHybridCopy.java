package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.index.IndexDefinitions;
import dev.companionbrain.core.search.backend.MeilisearchRetrieval;
import dev.companionbrain.core.search.backend.RetrievalRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference of issue #24's first target: Meilisearch's own hybrid search over the very documents and
 * vectors the product indexed. A copy of the product's Meilisearch index ({@code <index>-hybrid}, with the
 * product's settings) in which each document carries, under a {@code userProvided} embedder, the vector the
 * IndexingJob wrote to the Elasticsearch API index; a search sends the query's vector and
 * {@code hybrid.semanticRatio} 0.5, so Meilisearch fuses its keyword and vector rankings itself. At most
 * {@value #MAX_DOCUMENTS} documents (one page of each engine): enough for the benchmark's collections.
 */
final class MeilisearchHybridCopy {
  static final int MAX_DOCUMENTS = 10_000;
  private static final String EMBEDDER = "product";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private MeilisearchHybridCopy() {}

  /**
   * Makes the copy of {@code index} and waits until Meilisearch has indexed it; returns its name.
   *
   * @param meilisearchKey a key that may create indexes and add documents (the master key)
   */
  static String create(String elasticsearchUrl, String meilisearchUrl, String meilisearchKey, String index) throws Exception {
    String copy = index + "-hybrid";
    Map<String, JsonNode> vectors = new HashMap<>();
    JsonNode hits = JSON.readTree(send(HttpRequest.newBuilder(URI.create(elasticsearchUrl + "/" + index + "/_search"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"size\":" + MAX_DOCUMENTS + ",\"_source\":[\"id\",\""
            + IndexDefinitions.VECTOR_FIELD + "\"],\"query\":{\"match_all\":{}}}")))).path("hits").path("hits");
    for (JsonNode hit : hits) {
      vectors.put(hit.path("_source").path("id").asText(), hit.path("_source").path(IndexDefinitions.VECTOR_FIELD));
    }
    String auth = "Bearer " + meilisearchKey;
    JsonNode source = JSON.readTree(send(meili(meilisearchUrl + "/indexes/" + index, auth).GET()));
    JsonNode documents = JSON.readTree(send(meili(meilisearchUrl + "/indexes/" + index + "/documents?limit=" + MAX_DOCUMENTS,
        auth).GET())).path("results");
    int dimensions = vectors.values().stream().findFirst().map(JsonNode::size)
        .orElseThrow(() -> new IllegalStateException("index " + index + " holds no vectors"));

    ObjectNode create = JSON.createObjectNode().put("uid", copy).put("primaryKey", source.path("primaryKey").asText());
    await(meilisearchUrl, auth, send(meili(meilisearchUrl + "/indexes", auth).POST(body(create))));
    ObjectNode copySettings = (ObjectNode) JSON.readTree(IndexDefinitions.meilisearchSettings());
    copySettings.putObject("embedders").putObject(EMBEDDER).put("source", "userProvided").put("dimensions", dimensions);
    await(meilisearchUrl, auth, send(meili(meilisearchUrl + "/indexes/" + copy + "/settings", auth)
        .method("PATCH", body(copySettings))));
    ArrayNode withVectors = JSON.createArrayNode();
    for (JsonNode d : documents) {
      JsonNode vector = vectors.get(d.path("id").asText());
      if (vector != null) {
        ObjectNode doc = ((ObjectNode) d).deepCopy();
        doc.putObject("_vectors").set(EMBEDDER, vector);
        withVectors.add(doc);
      }
    }
    await(meilisearchUrl, auth, send(meili(meilisearchUrl + "/indexes/" + copy + "/documents", auth).POST(body(withVectors))));
    System.out.println("Meilisearch hybrid reference: " + withVectors.size() + " documents with their vectors in " + copy);
    return copy;
  }

  /**
   * The service's own Meilisearch body ({@link MeilisearchRetrieval#requestBody}) with the query's vector
   * and Meilisearch's hybrid search on, keyword and vector weighed equally.
   */
  static String requestBody(RetrievalRequest request) throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree(MeilisearchRetrieval.requestBody(request));
    ArrayNode vector = body.putArray("vector");
    for (float f : request.vector()) {
      vector.add(f);
    }
    body.putObject("hybrid").put("embedder", EMBEDDER).put("semanticRatio", 0.5);
    return body.toString();
  }

  private static HttpRequest.Builder meili(String url, String auth) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).header("Content-Type", "application/json")
        .timeout(Duration.ofMinutes(1));
  }

  private static HttpRequest.BodyPublisher body(JsonNode json) {
    return HttpRequest.BodyPublishers.ofString(json.toString());
  }

  private static String send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(response.request().method() + " " + response.request().uri().getPath() + ": "
          + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /** Waits (at most 5 minutes) for the Meilisearch task {@code enqueued} names. */
  private static void await(String meilisearchUrl, String auth, String enqueued) throws Exception {
    long task = JSON.readTree(enqueued).path("taskUid").asLong();
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = JSON.readTree(send(meili(meilisearchUrl + "/tasks/" + task, auth).GET()));
      switch (status.path("status").asText()) {
        case "succeeded":
          return;
        case "failed", "canceled":
          throw new IllegalStateException("Meilisearch task " + task + " " + status.path("status").asText() + ": "
              + status.path("error"));
        default:
          Thread.sleep(200); // polling Meilisearch's task queue
      }
    }
    throw new IllegalStateException("Meilisearch task " + task + " did not finish in 5 minutes");
  }
}
