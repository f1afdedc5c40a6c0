package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.search.ScoredId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.concurrent.FutureCallback;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.apache.http.impl.nio.reactor.IOReactorConfig;
import org.apache.http.util.EntityUtils;

/**
 * Typo-tolerant, prefix-aware text search on Meilisearch ({@code _rankingScore} in [0,1]). Talks
 * HTTP itself, because meilisearch-java has no timeout setting, through Apache's asynchronous client
 * (the one under the Elasticsearch client): one I/O thread, pooled connections, timeouts. The JDK's
 * java.net.http client cost about 0.4 ms of CPU per search here, spread over its selector and
 * executor threads (see BENCHMARKS.md). Tag values and the ids of a restricted request reach
 * Meilisearch's filter syntax only as quoted, escaped strings ({@code tags IN [...] AND id IN [...]};
 * {@code id} is a filterable attribute of the index).
 */
public final class MeilisearchRetrieval implements Retrieval, java.io.Closeable {
  private final CloseableHttpAsyncClient http;
  private final String baseUrl;
  private final String baseIndex;
  private final String index;
  private final java.util.Map<Integer, MeilisearchRetrieval> versions;
  private final String searchUri;
  private final String multiSearchUri;
  private final String healthUri;
  private final String authorization;
  private final Duration timeout;

  /**
   * @param maxConnections pooled connections to Meilisearch (bounded: requests beyond wait for one,
   *     up to the timeout)
   */
  public MeilisearchRetrieval(String baseUrl, String apiKey, String index, Duration timeout, int maxConnections) {
    int millis = Math.toIntExact(timeout.toMillis());
    this.http = HttpAsyncClients.custom()
        .setMaxConnTotal(maxConnections)
        .setMaxConnPerRoute(maxConnections)
        .setDefaultIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).setTcpNoDelay(true).build())
        .setDefaultRequestConfig(RequestConfig.custom()
            .setConnectTimeout(Math.min(millis, 1000)).setSocketTimeout(millis).setConnectionRequestTimeout(millis).build())
        .setThreadFactory(r -> {
          Thread t = new Thread(r, "meilisearch-io");
          t.setDaemon(true);
          return t;
        })
        .build();
    http.start();
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.baseIndex = index;
    this.index = index;
    this.searchUri = this.baseUrl + "/indexes/" + index + "/search";
    this.multiSearchUri = this.baseUrl + "/multi-search";
    this.healthUri = this.baseUrl + "/health";
    this.authorization = apiKey == null ? null : "Bearer " + apiKey;
    this.timeout = timeout;
    this.versions = new java.util.concurrent.ConcurrentHashMap<>();
  }

  /** {@code of} on the Meilisearch index {@code index}, through its connections. */
  private MeilisearchRetrieval(MeilisearchRetrieval of, String index) {
    this.http = of.http;
    this.baseUrl = of.baseUrl;
    this.baseIndex = of.baseIndex;
    this.index = index;
    this.searchUri = baseUrl + "/indexes/" + index + "/search";
    this.multiSearchUri = of.multiSearchUri;
    this.healthUri = of.healthUri;
    this.authorization = of.authorization;
    this.timeout = of.timeout;
    this.versions = of.versions;
  }

  /** This retrieval on {@code version}'s Meilisearch index; closing either closes their shared connections. */
  @Override
  public MeilisearchRetrieval in(int version) {
    return versions.computeIfAbsent(version,
        v -> new MeilisearchRetrieval(this, dev.companionbrain.core.index.IndexVersions.meilisearch(baseIndex, v)));
  }


  @Override
  public CompletableFuture<List<ScoredId>> search(RetrievalRequest request) {
    return post(searchUri, requestBody(request), MeilisearchRetrieval::parse);
  }

  /**
   * One {@code POST /multi-search} per {@value Batches#MAX_REQUESTS_PER_CALL} requests (see {@link
   * Retrieval#searchEach}), through the same connections as {@link #search}. A call of many searches
   * takes longer than one: it may take the search timeout once per search it holds, up to {@link
   * #BATCH_TIMEOUT} (measured: 100 filtered searches took over 500 ms on a loaded machine, and the
   * single search's timeout failed every batch). Meilisearch answers a multi-search that has a
   * failing query with an error as a whole, so one failed search fails the batch.
   */
  @Override
  public CompletableFuture<List<List<ScoredId>>> searchEach(List<RetrievalRequest> requests) {
    return Batches.inChunks(requests, Batches.MAX_REQUESTS_PER_CALL, chunk -> {
      long millis = Math.min(BATCH_TIMEOUT.toMillis(), timeout.toMillis() * chunk.size());
      return post(multiSearchUri, multiSearchBody(index, chunk), body -> parseMulti(body, chunk.size()), (int) millis);
    });
  }

  /** The longest one batched call may take. */
  static final Duration BATCH_TIMEOUT = Duration.ofSeconds(10);

  private <T> CompletableFuture<T> post(String uri, String json, java.util.function.Function<byte[], T> parser) {
    return post(uri, json, parser, 0);
  }

  /** @param socketTimeoutMillis this call's socket timeout, or 0 for the client's (the search timeout) */
  private <T> CompletableFuture<T> post(String uri, String json, java.util.function.Function<byte[], T> parser,
      int socketTimeoutMillis) {
    HttpPost post = new HttpPost(uri);
    if (socketTimeoutMillis > 0) {
      post.setConfig(RequestConfig.custom().setConnectTimeout(Math.min(socketTimeoutMillis, 1000))
          .setSocketTimeout(socketTimeoutMillis).setConnectionRequestTimeout(socketTimeoutMillis).build());
    }
    post.setEntity(new ByteArrayEntity(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), ContentType.APPLICATION_JSON));
    if (authorization != null) {
      post.setHeader("Authorization", authorization);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    http.execute(post, new FutureCallback<HttpResponse>() {
      @Override
      public void completed(HttpResponse response) {
        try {
          byte[] body = EntityUtils.toByteArray(response.getEntity());
          int status = response.getStatusLine().getStatusCode();
          if (status != 200) {
            throw new BackendException("meilisearch", status, new String(body, java.nio.charset.StandardCharsets.UTF_8));
          }
          result.complete(parser.apply(body));
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void failed(Exception e) {
        result.completeExceptionally(e);
      }

      @Override
      public void cancelled() {
        result.cancel(false);
      }
    });
    return result;
  }

  /** Whether Meilisearch answers its health endpoint within the search timeout. */
  public boolean healthy() throws Exception {
    HttpResponse response = http.execute(new org.apache.http.client.methods.HttpGet(healthUri), null)
        .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    EntityUtils.consume(response.getEntity());
    return response.getStatusLine().getStatusCode() == 200;
  }

  @Override
  public void close() throws java.io.IOException {
    http.close();
  }

  /** The body of the search request this index sends (benchmarks replay it against the engine directly). */
  public static String requestBody(RetrievalRequest request) {
    return query(Json.MAPPER.createObjectNode(), request).toString();
  }

  /**
   * The body of a {@code /multi-search}: {@code {"queries": [{"indexUid": index, ...}]}}, each query
   * the body of {@link #requestBody} on that index.
   */
  static String multiSearchBody(String index, List<RetrievalRequest> requests) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    var queries = body.putArray("queries");
    for (RetrievalRequest request : requests) {
      query(queries.addObject().put("indexUid", index), request);
    }
    return body.toString();
  }

  private static ObjectNode query(ObjectNode body, RetrievalRequest request) {
    body.put("q", request.q());
    body.put("limit", request.limit());
    body.putArray("attributesToRetrieve").add("id");
    body.put("showRankingScore", true);
    // "frequency" drops the most common query words first; the default "last" drops words from the end,
    // which loses most of a long query (Cranfield: nDCG@10 0.036 with "last", see docs/RELEVANCE.md)
    body.put("matchingStrategy", "frequency");
    if (!request.tags().isEmpty() && !request.ids().isEmpty()) {
      body.put("filter", tagFilter(request.tags()) + " AND " + inFilter("id", request.ids()));
    } else if (!request.tags().isEmpty()) {
      body.put("filter", tagFilter(request.tags()));
    } else if (!request.ids().isEmpty()) {
      body.put("filter", inFilter("id", request.ids()));
    }
    return body;
  }

  /** {@code tags IN ["a", "b"]} with every value quoted and escaped (backslash and double quote). */
  static String tagFilter(List<String> tags) {
    return inFilter("tags", tags);
  }

  /** {@code attribute IN ["a", "b"]} with every value quoted and escaped (backslash and double quote). */
  static String inFilter(String attribute, List<String> values) {
    StringBuilder filter = new StringBuilder(attribute).append(" IN [");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        filter.append(", ");
      }
      filter.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return filter.append(']').toString();
  }

  static List<ScoredId> parse(byte[] body) {
    try {
      return hits(Json.MAPPER.readTree(body));
    } catch (java.io.IOException e) {
      throw new BackendException("meilisearch", 200, "unreadable response: " + e.getMessage());
    }
  }

  /** The hits of each result of a {@code /multi-search} answer, in order; {@code expected} results or a failure. */
  static List<List<ScoredId>> parseMulti(byte[] body, int expected) {
    JsonNode results;
    try {
      results = Json.MAPPER.readTree(body).path("results");
    } catch (java.io.IOException e) {
      throw new BackendException("meilisearch", 200, "unreadable response: " + e.getMessage());
    }
    if (!results.isArray() || results.size() != expected) {
      throw new BackendException("meilisearch", 200, "multi-search answered " + results.size() + " results to "
          + expected + " queries");
    }
    List<List<ScoredId>> out = new ArrayList<>(expected);
    results.forEach(result -> out.add(hits(result)));
    return out;
  }

  private static List<ScoredId> hits(JsonNode response) {
    JsonNode hits = response.path("hits");
    if (!hits.isArray()) {
      throw new BackendException("meilisearch", 200, "response without hits");
    }
    List<ScoredId> out = new ArrayList<>(hits.size());
    for (JsonNode hit : hits) {
      out.add(new ScoredId(hit.path("id").asText(), hit.path("_rankingScore").asDouble(0)));
    }
    return out;
  }
}
