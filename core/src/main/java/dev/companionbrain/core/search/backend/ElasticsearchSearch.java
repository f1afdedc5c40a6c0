package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.search.ScoredId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

/** An asynchronous {@code _search} on the Elasticsearch API that returns ids and scores. */
public final class ElasticsearchSearch {
  /**
   * The query string of every search: only each hit's id (from doc values) and score come back.
   * Benchmarks that replay the request bodies against the engine use it too.
   */
  public static final String FILTER_PATH = "hits.hits.fields.id,hits.hits._score";

  private ElasticsearchSearch() {}

  /**
   * Asks for {@code size} hits with no stored field at all: the id comes from the {@code id}
   * keyword's doc values. Loading {@code _id} is a stored-field read, and stored fields are
   * decompressed a block of documents at a time, each with its body and vector: on Cranfield that
   * fetch phase was most of a search's cost (BM25 p50 2.9 ms with {@code _id}, 0.6 ms this way).
   */
  static void idsOnly(ObjectNode body, int size) {
    body.put("size", size);
    body.put("_source", false);
    body.put("stored_fields", "_none_");
    body.putArray("docvalue_fields").add("id");
  }

  static CompletableFuture<List<ScoredId>> search(RestClient client, String index, String body,
      java.util.function.DoubleUnaryOperator score) {
    Request request = new Request("POST", "/" + index + "/_search");
    request.addParameter("filter_path", FILTER_PATH);
    request.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
    CompletableFuture<List<ScoredId>> result = new CompletableFuture<>();
    client.performRequestAsync(request, new ResponseListener() {
      @Override
      public void onSuccess(Response response) {
        try {
          result.complete(parse(EntityUtils.toByteArray(response.getEntity()), score));
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Exception exception) {
        result.completeExceptionally(exception);
      }
    });
    return result;
  }

  /** Ids and scores of a response to a request shaped by {@link #idsOnly}; a hit without an id is skipped. */
  static List<ScoredId> parse(byte[] response, java.util.function.DoubleUnaryOperator score) throws java.io.IOException {
    JsonNode hits = Json.MAPPER.readTree(response).path("hits").path("hits");
    List<ScoredId> out = new ArrayList<>(hits.size());
    for (JsonNode hit : hits) {
      JsonNode id = hit.path("fields").path("id").path(0);
      if (id.isTextual()) {
        out.add(new ScoredId(id.asText(), score.applyAsDouble(hit.path("_score").asDouble(0))));
      }
    }
    return out;
  }
}
