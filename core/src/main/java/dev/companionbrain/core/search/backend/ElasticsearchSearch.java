package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.JsonNode;
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
final class ElasticsearchSearch {
  private ElasticsearchSearch() {}

  static CompletableFuture<List<ScoredId>> search(RestClient client, String index, String body,
      java.util.function.DoubleUnaryOperator score) {
    Request request = new Request("POST", "/" + index + "/_search");
    request.addParameter("filter_path", "hits.hits._id,hits.hits._score");
    request.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
    CompletableFuture<List<ScoredId>> result = new CompletableFuture<>();
    client.performRequestAsync(request, new ResponseListener() {
      @Override
      public void onSuccess(Response response) {
        try {
          JsonNode hits = Json.MAPPER.readTree(EntityUtils.toByteArray(response.getEntity())).path("hits").path("hits");
          List<ScoredId> out = new ArrayList<>(hits.size());
          for (JsonNode hit : hits) {
            out.add(new ScoredId(hit.path("_id").asText(), score.applyAsDouble(hit.path("_score").asDouble(0))));
          }
          result.complete(out);
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
}
