package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import com.meilisearch.sdk.Index;
import com.meilisearch.sdk.model.DocumentsQuery;
import com.meilisearch.sdk.model.Embedder;
import com.meilisearch.sdk.model.EmbedderSource;
import com.meilisearch.sdk.model.Task;
import com.meilisearch.sdk.model.TaskInfo;
import com.meilisearch.sdk.model.TaskStatus;
import dev.companionbrain.core.index.IndexCreator;
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
   * Makes the copy of {@code index} (with the product's settings, {@link IndexCreator#ensureMeilisearch})
   * and waits until Meilisearch has indexed it; returns its name.
   *
   * @param meilisearchKey a key that may create indexes and add documents (the master key)
   */
  static String create(String elasticsearchUrl, String meilisearchUrl, String meilisearchKey, String index) throws Exception {
    String copy = index + "-hybrid";
    Map<String, JsonNode> vectors = new HashMap<>();
    HttpResponse<String> found = HTTP.send(HttpRequest.newBuilder(URI.create(elasticsearchUrl + "/" + index + "/_search"))
        .header("Content-Type", "application/json").timeout(Duration.ofMinutes(1))
        .POST(HttpRequest.BodyPublishers.ofString("{\"size\":" + MAX_DOCUMENTS + ",\"_source\":[\"id\",\""
            + IndexDefinitions.VECTOR_FIELD + "\"],\"query\":{\"match_all\":{}}}")).build(), HttpResponse.BodyHandlers.ofString());
    if (found.statusCode() != 200) {
      throw new IllegalStateException("reading the vectors of " + index + ": " + found.statusCode() + " " + found.body());
    }
    for (JsonNode hit : JSON.readTree(found.body()).path("hits").path("hits")) {
      vectors.put(hit.path("_source").path("id").asText(), hit.path("_source").path(IndexDefinitions.VECTOR_FIELD));
    }
    int dimensions = vectors.values().stream().findFirst().map(JsonNode::size)
        .orElseThrow(() -> new IllegalStateException("index " + index + " holds no vectors"));
    Client meilisearch = new Client(new Config(meilisearchUrl, meilisearchKey));
    IndexCreator.ensureMeilisearch(meilisearch, copy);
    Index target = meilisearch.index(copy);
    settled(target, target.updateEmbeddersSettings(Map.of(EMBEDDER,
        Embedder.builder().source(EmbedderSource.USER_PROVIDED).dimensions(dimensions).build())));
    JsonNode documents = JSON.readTree(meilisearch.index(index).getRawDocuments(new DocumentsQuery().setLimit(MAX_DOCUMENTS)))
        .path("results");
    ArrayNode withVectors = JSON.createArrayNode();
    for (JsonNode d : documents) {
      JsonNode vector = vectors.get(d.path("id").asText());
      if (vector != null) {
        ObjectNode doc = ((ObjectNode) d).deepCopy();
        doc.putObject("_vectors").set(EMBEDDER, vector);
        withVectors.add(doc);
      }
    }
    settled(target, target.addDocuments(withVectors.toString()));
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

  /** Waits (at most 5 minutes) for Meilisearch's task; throws when it did not succeed. */
  private static void settled(Index index, TaskInfo task) {
    index.waitForTask(task.getTaskUid(), (int) Duration.ofMinutes(5).toMillis(), 200);
    Task done = index.getTask(task.getTaskUid());
    if (done.getStatus() != TaskStatus.SUCCEEDED) {
      throw new IllegalStateException("Meilisearch task " + task.getTaskUid() + " " + done.getStatus() + ": " + done.getError());
    }
  }
}
