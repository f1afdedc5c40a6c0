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

  /**
   * The query string of every {@code _msearch}: each response's ids and scores as in {@link
   * #FILTER_PATH}, and its status and error. Every item has a status, so none is filtered away and
   * the responses keep the positions of the requests.
   */
  public static final String MULTI_FILTER_PATH =
      "responses.hits.hits.fields.id,responses.hits.hits._score,responses.error,responses.status";

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

  /** Adds {@code {"terms": {field: [values]}}} to a filter list (a keyword field: exact values, no score). */
  static void terms(com.fasterxml.jackson.databind.node.ArrayNode filter, String field, List<String> values) {
    com.fasterxml.jackson.databind.node.ArrayNode array = filter.addObject().putObject("terms").putArray(field);
    values.forEach(array::add);
  }

  static CompletableFuture<List<ScoredId>> search(RestClient client, String index, String body,
      java.util.function.DoubleUnaryOperator score) {
    Request request = new Request("POST", "/" + index + "/_search");
    request.addParameter("filter_path", FILTER_PATH);
    request.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
    return perform(client, request, answer -> parse(answer, score));
  }

  /** What a response body gives, or why it cannot. */
  @FunctionalInterface
  interface BodyParser<T> {
    T parse(byte[] body) throws Exception;
  }

  /** Sends {@code request} asynchronously; the future holds what {@code parser} makes of the answer's body. */
  static <T> CompletableFuture<T> perform(RestClient client, Request request, BodyParser<T> parser) {
    CompletableFuture<T> result = new CompletableFuture<>();
    client.performRequestAsync(request, new ResponseListener() {
      @Override
      public void onSuccess(Response response) {
        try {
          result.complete(parser.parse(EntityUtils.toByteArray(response.getEntity())));
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

  /**
   * Many searches of one index in one {@code _msearch} call per {@link Batches#MAX_REQUESTS_PER_CALL}
   * bodies: the hits of each body in the order of the bodies. One failed search fails the whole.
   */
  static CompletableFuture<List<List<ScoredId>>> searchEach(RestClient client, String index, List<String> bodies,
      java.util.function.DoubleUnaryOperator score) {
    return Batches.inChunks(bodies, Batches.MAX_REQUESTS_PER_CALL, chunk -> multiSearch(client, index, chunk, score));
  }

  private static CompletableFuture<List<List<ScoredId>>> multiSearch(RestClient client, String index, List<String> bodies,
      java.util.function.DoubleUnaryOperator score) {
    Request request = new Request("POST", "/_msearch");
    request.addParameter("filter_path", MULTI_FILTER_PATH);
    request.setEntity(new NStringEntity(multiSearchBody(index, bodies), ContentType.create("application/x-ndjson")));
    return perform(client, request, body -> parseMulti(body, bodies.size(), score));
  }

  /** The NDJSON of an {@code _msearch}: a header naming the index, then the body, each on one line. */
  static String multiSearchBody(String index, List<String> bodies) {
    String header = Json.MAPPER.createObjectNode().put("index", index).toString();
    StringBuilder ndjson = new StringBuilder();
    for (String body : bodies) {
      ndjson.append(header).append('\n').append(body).append('\n');
    }
    return ndjson.toString();
  }

  /**
   * The hits of each response of an {@code _msearch} filtered by {@link #MULTI_FILTER_PATH}, in order.
   *
   * @throws BackendException naming the status of the first response that is an error, or when the
   *     number of responses is not {@code expected}
   */
  static List<List<ScoredId>> parseMulti(byte[] response, int expected, java.util.function.DoubleUnaryOperator score)
      throws java.io.IOException {
    JsonNode responses = Json.MAPPER.readTree(response).path("responses");
    if (responses.size() != expected) {
      throw new BackendException("elasticsearch", 200, "_msearch answered " + responses.size() + " responses to "
          + expected + " searches");
    }
    List<List<ScoredId>> out = new ArrayList<>(expected);
    for (int i = 0; i < expected; i++) {
      JsonNode item = responses.get(i);
      int status = item.path("status").asInt(200);
      if (item.has("error") || status != 200) {
        throw new BackendException("elasticsearch", status, "search " + i + " of " + expected + ": " + item.path("error"));
      }
      out.add(hits(item, score));
    }
    return out;
  }

  /** Ids and scores of a response to a request shaped by {@link #idsOnly}; a hit without an id is skipped. */
  static List<ScoredId> parse(byte[] response, java.util.function.DoubleUnaryOperator score) throws java.io.IOException {
    return hits(Json.MAPPER.readTree(response), score);
  }

  private static List<ScoredId> hits(JsonNode response, java.util.function.DoubleUnaryOperator score) {
    JsonNode hits = response.path("hits").path("hits");
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
