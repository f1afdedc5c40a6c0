package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.index.IndexCreator;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.testsupport.Engines;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /search/stream} over 200,000 documents bulk-loaded straight into OpenSearch (the product's
 * mapping): every match streamed to the end in rank order with bounded memory, an abandoned stream
 * leaving no scroll open, the streams bound, and a tenant's key seeing only its tenant's documents.
 * The service runs with API keys required; the keys are made in the stack's Redis as {@code brain keys}
 * makes them ({@link ApiKeyStore#create}).
 */
@ExtendWith(LocalStackExtension.class)
class StreamIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int DOCUMENTS = 200_000;
  private static final int TENANT_DOCUMENTS = 40;
  private static Engines engines;
  private static String index;
  private static QueryService service;
  /** SEARCH and METRICS, no tenant: every document. */
  private static String everything;
  /** SEARCH, tenant [t1]. */
  private static String tenantOne;

  @BeforeAll
  static void loadAndStart(LocalStack stack) throws Exception {
    engines = new Engines(stack.endpoints());
    index = Engines.freshNamespace();
    IndexCreator.ensureElasticsearch(engines.elasticsearch, index);
    put("/" + index + "/_settings", "{\"index\":{\"refresh_interval\":\"-1\"}}");
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < DOCUMENTS; i++) {
      // the word once to five times in bodies of different lengths: many distinct BM25 scores
      String body = "needle ".repeat(1 + i % 5) + "filler ".repeat(i % 7) + "word" + (i % 1000);
      bulk.append("{\"index\":{\"_id\":\"d").append(i).append("\"}}\n")
          .append("{\"id\":\"d").append(i).append("\",\"title\":\"Document ").append(i).append("\",\"body\":\"")
          .append(body).append("\",\"tags\":[\"bulk\"],\"url\":\"https://example.org/d").append(i)
          .append("\",\"updated_at\":\"2026-11-25T10:00:00Z\"}\n");
      if ((i + 1) % 5_000 == 0) {
        bulk(bulk.toString());
        bulk.setLength(0);
      }
    }
    for (int i = 0; i < TENANT_DOCUMENTS; i++) {
      String tag = i % 2 == 0 ? "t1" : "t2";
      bulk.append("{\"index\":{\"_id\":\"x").append(i).append("\"}}\n")
          .append("{\"id\":\"x").append(i).append("\",\"title\":\"Tenant ").append(tag).append("\",\"body\":\"tenantword ")
          .append("more ".repeat(i % 3)).append("\",\"tags\":[\"").append(tag)
          .append("\"],\"url\":\"https://example.org/x").append(i).append("\",\"updated_at\":\"2026-11-25T10:00:00Z\"}\n");
    }
    bulk(bulk.toString());
    put("/" + index + "/_settings", "{\"index\":{\"refresh_interval\":\"1s\"}}");
    engines.elasticsearch.performRequest(new Request("POST", "/" + index + "/_refresh"));
    assertThat(engines.esSearchableCount(index)).isEqualTo(DOCUMENTS + TENANT_DOCUMENTS);

    ApiKeyStore keys = new ApiKeyStore(engines.redis);
    long now = System.currentTimeMillis();
    everything = keys.create("stream-it", Set.of(Scope.SEARCH, Scope.METRICS), null, null, null, now).token();
    tenantOne = keys.create("stream-it-t1", Set.of(Scope.SEARCH), List.of("t1"), null, null, now).token();

    Map<String, String> env = new HashMap<>();
    env.put("BRAIN_QUERY_PORT", "0");
    env.put("BRAIN_ELASTICSEARCH_URL", stack.endpoints().elasticsearchUrl());
    env.put("BRAIN_MEILISEARCH_URL", stack.endpoints().meilisearchUrl());
    env.put("BRAIN_MEILISEARCH_KEY", stack.endpoints().meilisearchSearchKey());
    env.put("BRAIN_REDIS_URI", stack.endpoints().redisUri());
    env.put("BRAIN_KAFKA_BOOTSTRAP_SERVERS", stack.endpoints().kafkaBootstrapServers());
    env.put("BRAIN_LATENCY_TOPIC", index + "-search.latency");
    env.put("BRAIN_INDEX", index);
    env.put("BRAIN_CACHE_WARMING", "false");
    env.put("BRAIN_API_KEYS", "required");
    service = QueryService.start(QueryConfig.from(new Settings(env)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    if (engines != null) {
      try {
        engines.elasticsearch.performRequest(new Request("DELETE", "/" + index));
      } finally {
        engines.close();
      }
    }
  }

  private static void bulk(String ndjson) throws Exception {
    Request request = new Request("POST", "/" + index + "/_bulk");
    request.addParameter("filter_path", "errors");
    request.setEntity(new NStringEntity(ndjson, ContentType.create("application/x-ndjson")));
    JsonNode answer = JSON.readTree(engines.elasticsearch.performRequest(request).getEntity().getContent());
    assertThat(answer.path("errors").asBoolean()).as("bulk errors").isFalse();
  }

  private static void put(String path, String body) throws Exception {
    Request request = new Request("PUT", path);
    request.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
    engines.elasticsearch.performRequest(request);
  }

  private static HttpResponse<InputStream> stream(String token, String query) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search/stream?" + query))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  /** The scroll contexts open on the engine now. */
  private static long openScrolls() throws Exception {
    JsonNode stats = JSON.readTree(engines.elasticsearch.performRequest(
        new Request("GET", "/_nodes/stats/indices/search")).getEntity().getContent());
    long open = 0;
    for (JsonNode node : stats.path("nodes")) {
      open += node.path("indices").path("search").path("scroll_current").asLong();
    }
    return open;
  }

  private static double streams(String outcome) throws Exception {
    return metric("brain_streams_total\\{outcome=\"" + outcome + "\",?\\}");
  }

  private static double metric(String nameAndLabels) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/metrics"))
        .header("Authorization", "Bearer " + everything).build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + nameAndLabels + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The heap's live set: a full collection, then what the heap pools hold after it. */
  private static long liveHeap() {
    System.gc();
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        used += pool.getCollectionUsage().getUsed();
      }
    }
    return used;
  }

  @Test
  void everyMatchIsStreamedInRankOrderWithBoundedMemory() throws Exception {
    double completedBefore = streams("completed");
    double documentsBefore = metric("brain_stream_documents_total");
    long baseline = liveHeap();
    long maxGrowth = 0;
    int samples = 0;
    long bytes = 0;
    int lines = 0;
    int duplicates = 0;
    double previous = Double.POSITIVE_INFINITY;
    int outOfOrder = 0;
    BitSet seen = new BitSet(DOCUMENTS); // not a set of strings: the test's own heap stays flat too
    long began = System.nanoTime();
    HttpResponse<InputStream> response = stream(everything, "q=needle");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        bytes += line.length() + 1;
        lines++;
        JsonNode hit = JSON.readTree(line);
        String id = hit.get("id").asText();
        assertThat(id).startsWith("d");
        int n = Integer.parseInt(id.substring(1));
        if (seen.get(n)) {
          duplicates++;
        }
        seen.set(n);
        double score = hit.get("score").asDouble();
        if (score > previous) {
          outOfOrder++;
        }
        previous = score;
        if (lines == 1) {
          assertThat(hit.get("title").asText()).isEqualTo("Document " + n);
          assertThat(hit.get("url").asText()).isEqualTo("https://example.org/" + id);
          assertThat(hit.get("tags")).hasSize(1);
          assertThat(hit.get("updated_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
          assertThat(hit.has("body")).isFalse();
        }
        if (lines % 25_000 == 0) {
          maxGrowth = Math.max(maxGrowth, liveHeap() - baseline);
          samples++;
        }
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    assertThat(lines).isEqualTo(DOCUMENTS);
    assertThat(seen.cardinality()).isEqualTo(DOCUMENTS);
    assertThat(duplicates).isZero();
    assertThat(outOfOrder).as("scores never increase down the stream").isZero();
    System.out.printf("StreamIT: %,d documents, %,d bytes of NDJSON in %.1f s; live heap growth at most %,d bytes over %d"
        + " samples (baseline %,d) = %.1f %% of the body%n", lines, bytes, seconds, maxGrowth, samples, baseline,
        100.0 * maxGrowth / bytes);
    assertThat(maxGrowth).as("live-set growth while streaming, against a body of %,d bytes", bytes).isLessThan(bytes / 5);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(openScrolls()).isZero();
      assertThat(streams("completed")).isEqualTo(completedBefore + 1);
      assertThat(metric("brain_stream_documents_total")).isEqualTo(documentsBefore + DOCUMENTS);
    });
  }

  /** A raw connection reading a stream, so that closing it really closes the socket. */
  private static Socket openStream(String query) throws Exception {
    URI uri = URI.create(service.url());
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    OutputStream out = socket.getOutputStream();
    out.write(("GET /search/stream?" + query + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nAuthorization: Bearer "
        + everything + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /** Reads until {@code lines} newlines went by (a few chunk headers among them); returns the head. */
  private static String readLines(Socket socket, int lines) throws Exception {
    InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
    StringBuilder head = new StringBuilder();
    int seen = 0;
    while (seen < lines) {
      int b = in.read();
      assertThat(b).as("the stream ended early").isNotEqualTo(-1);
      if (head.length() < 200) {
        head.append((char) b);
      }
      if (b == '\n') {
        seen++;
      }
    }
    return head.toString();
  }

  @Test
  void anAbandonedStreamLeavesNoScrollOpenAndTheStreamsAreBound() throws Exception {
    double abandonedBefore = streams("abandoned");
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < StreamHandler.MAX_STREAMS; i++) {
        open.add(openStream("q=needle"));
      }
      for (Socket socket : open) {
        assertThat(readLines(socket, 3_000)).startsWith("HTTP/1.1 200");
      }
      assertThat(openScrolls()).as("each running stream holds a scroll").isEqualTo(StreamHandler.MAX_STREAMS);
      HttpResponse<InputStream> refused = stream(everything, "q=needle");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(new String(refused.body().readAllBytes(), StandardCharsets.UTF_8)).contains("too_many_requests");
    } finally {
      for (Socket socket : open) {
        socket.close(); // the client goes away mid-stream
      }
    }
    long closed = System.nanoTime();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      assertThat(openScrolls()).isZero();
      assertThat(streams("abandoned")).isEqualTo(abandonedBefore + StreamHandler.MAX_STREAMS);
    });
    System.out.printf("StreamIT: %d abandoned streams, their scrolls deleted %d ms after the clients closed%n",
        StreamHandler.MAX_STREAMS, (System.nanoTime() - closed) / 1_000_000);
    // the permits came back: a new stream runs
    HttpResponse<InputStream> again = stream(everything, "q=tenantword");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new String(again.body().readAllBytes(), StandardCharsets.UTF_8).lines()).hasSize(TENANT_DOCUMENTS);
  }

  @Test
  void aTenantsKeyStreamsOnlyItsTenantsDocuments() throws Exception {
    HttpResponse<InputStream> response = stream(tenantOne, "q=tenantword");
    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> hits = new ArrayList<>();
    for (String line : new String(response.body().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      hits.add(JSON.readTree(line));
    }
    assertThat(hits).hasSize(TENANT_DOCUMENTS / 2);
    assertThat(hits).allSatisfy(hit -> assertThat(hit.get("tags").toString()).isEqualTo("[\"t1\"]"));
    // a tag not the tenant's is refused, and without a key there is no stream
    assertThat(stream(tenantOne, "q=tenantword&tags=t2").statusCode()).isEqualTo(403);
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search/stream?q=tenantword")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
    // q and tags are checked as /search checks them
    HttpResponse<InputStream> blank = stream(everything, "q=%20");
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(new String(blank.body().readAllBytes(), StandardCharsets.UTF_8)).contains("invalid_query");
    assertThat(stream(everything, "q=tenantword&tags=a,,b").statusCode()).isEqualTo(400);
  }
}
