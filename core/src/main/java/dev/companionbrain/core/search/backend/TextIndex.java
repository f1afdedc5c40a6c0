package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Typo-tolerant, prefix-aware text search on Meilisearch ({@code _rankingScore} in [0,1]). Talks
 * HTTP itself (java.net.http, one pooled client, timeouts) because meilisearch-java has no timeout
 * setting. Tag values reach Meilisearch's filter syntax only as quoted, escaped strings.
 */
public final class TextIndex implements Retrieval {
  private final HttpClient http;
  private final URI searchUri;
  private final String apiKey;
  private final Duration timeout;

  public TextIndex(HttpClient http, String baseUrl, String apiKey, String index, Duration timeout) {
    this.http = http;
    this.searchUri = URI.create(baseUrl.replaceAll("/+$", "") + "/indexes/" + index + "/search");
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  @Override
  public Retriever retriever() {
    return Retriever.TEXT;
  }

  @Override
  public CompletableFuture<List<ScoredId>> search(RetrievalRequest request) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(searchUri).timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(requestBody(request)));
    if (apiKey != null) {
      builder.header("Authorization", "Bearer " + apiKey);
    }
    return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new BackendException("meilisearch", response.statusCode(), new String(response.body()));
      }
      return parse(response.body());
    });
  }

  /** The body of the search request this index sends (benchmarks replay it against the engine directly). */
  public static String requestBody(RetrievalRequest request) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("q", request.q());
    body.put("limit", request.limit());
    body.putArray("attributesToRetrieve").add("id");
    body.put("showRankingScore", true);
    // "frequency" drops the most common query words first; the default "last" drops words from the end,
    // which loses most of a long query (Cranfield: nDCG@10 0.036 with "last", see docs/RELEVANCE.md)
    body.put("matchingStrategy", "frequency");
    if (!request.tags().isEmpty()) {
      body.put("filter", tagFilter(request.tags()));
    }
    return body.toString();
  }

  /** {@code tags IN ["a", "b"]} with every value quoted and escaped (backslash and double quote). */
  static String tagFilter(List<String> tags) {
    StringBuilder filter = new StringBuilder("tags IN [");
    for (int i = 0; i < tags.size(); i++) {
      if (i > 0) {
        filter.append(", ");
      }
      filter.append('"').append(tags.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return filter.append(']').toString();
  }

  static List<ScoredId> parse(byte[] body) {
    try {
      JsonNode hits = Json.MAPPER.readTree(body).path("hits");
      if (!hits.isArray()) {
        throw new BackendException("meilisearch", 200, "response without hits");
      }
      List<ScoredId> out = new ArrayList<>(hits.size());
      for (JsonNode hit : hits) {
        out.add(new ScoredId(hit.path("id").asText(), hit.path("_rankingScore").asDouble(0)));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new BackendException("meilisearch", 200, "unreadable response: " + e.getMessage());
    }
  }
}
