package dev.companionbrain.query;

import dev.companionbrain.core.cache.RedisConnector;
import dev.companionbrain.core.auth.Scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.localstack.Ports;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The query service over documents indexed by the real IndexingJob on the local stack, running with
 * least privilege: a search-only Meilisearch key and a Redis user that can only read documents and
 * the generation and read and write cached pages. Every test runs in any order: the ones that take an
 * engine away do it to a service instance of their own and give the engine back (with its data and
 * the service's Redis user) before they end, so the shared service and the shared stack are as they
 * were; the log of the whole run is scanned for secrets after the last test.
 */
@ExtendWith(LocalStackExtension.class)
class QueryServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static LocalStack stack;
  private static Engines engines;
  private static IndexingConfig indexing;
  private static JobClient job;
  private static QueryService service;
  private static QueryConfig config;
  /** The query service's Redis user: the README's least-privilege rule (docs/OPERATIONS.md). */
  static final String REDIS_USER = "brain-query";
  static final String REDIS_PASSWORD = "query-" + Long.toHexString(new java.security.SecureRandom().nextLong());
  static final List<String> REDIS_ACL = List.of("on", ">" + REDIS_PASSWORD, "resetkeys", "resetchannels",
      "%R~brain:doc:*", "%R~brain:index:{generation}*", "~search:*",
      "%W~brain:refresh:*", "%R~brain:apikey:*", "&brain:index:generation",
      "-@all", "+get", "+mget", "+setex", "+set", "+ping", "+subscribe", "+hello", "+auth", "+client|setname");

  static final String[][] CORPUS = {
      {"boundary", "Laminar boundary layer on a flat plate", "The laminar boundary layer grows along a flat plate in incompressible flow; skin friction follows the Blasius solution.", "aero"},
      {"shock", "Oblique shock waves", "Supersonic flow over a wedge produces an oblique shock wave; the shock angle depends on the Mach number.", "aero"},
      {"heat", "Heat transfer in pipes", "Convective heat transfer coefficients for turbulent flow in circular pipes and ducts, Nusselt number correlations.", "thermal"},
      {"buckling", "Buckling of thin cylindrical shells", "Axial compression makes thin-walled cylinders buckle at loads far below classical predictions because of imperfections.", "structures"},
      {"flutter", "Panel flutter at high speed", "Aeroelastic panel flutter of skin panels in supersonic flow, and the dynamic pressure at which it starts.", "structures"},
      {"ablation", "Ablation of re-entry heat shields", "Charring ablators protect re-entry vehicles by absorbing heat as the surface material decomposes.", "thermal"},
      {"sourdough", "Baking sourdough bread", "A sourdough starter of flour and water ferments for days; the dough rises slowly and bakes into a crusty loaf.", "food"},
      {"espresso", "Pulling an espresso shot", "Finely ground coffee, nine bar of pressure and about thirty seconds give a balanced espresso with crema.", "food"},
  };

  @BeforeAll
  static void indexAndStart(LocalStack localStack) throws Exception {
    stack = localStack;
    engines = new Engines(stack.endpoints());
    indexing = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 500);
    job = indexCorpus(engines, indexing);
    grantRedisUser();
    keyStore = keyStore();
    adminKey = keyStore.create("it-admin", java.util.Set.of(Scope.ADMIN), null, null, null, System.currentTimeMillis()).token();
    // judgements too, for the fuzzer's requests to /judgements/score
    config = configFor(indexing, 64, Map.of("BRAIN_API_KEYS", "required",
        "BRAIN_JUDGEMENTS", corpusJudgements(java.nio.file.Files.createTempDirectory("query-it-judgements")).toString()));
    service = QueryService.start(config);
  }

  /** The corpus as a BEIR collection with one judged query: what {@code brain eval} reads. */
  static java.nio.file.Path corpusJudgements(java.nio.file.Path dir) throws Exception {
    StringBuilder corpus = new StringBuilder();
    for (String[] d : CORPUS) {
      corpus.append(JSON.writeValueAsString(Map.of("_id", d[0], "title", d[1], "text", d[2]))).append('\n');
    }
    java.nio.file.Files.writeString(dir.resolve("corpus.jsonl"), corpus);
    java.nio.file.Files.writeString(dir.resolve("queries.jsonl"), "{\"_id\":\"s1\",\"text\":\"supersonic flow\"}\n");
    java.nio.file.Files.createDirectories(dir.resolve("qrels"));
    java.nio.file.Files.writeString(dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\ns1\tshock\t1\ns1\tflutter\t1\n");
    return dir;
  }

  /** {@link #CORPUS} through Kafka into the engines, by the real IndexingJob (left running): the job. */
  static JobClient indexCorpus(Engines engines, IndexingConfig indexing) throws Exception {
    for (String[] d : CORPUS) {
      engines.produce(indexing.documentsTopic(), d[0], Engines.doc(d[0], d[1], d[2], d[3]));
    }
    engines.flush();
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    JobClient started = IndexingJob.start(StreamExecutionEnvironment.createLocalEnvironment(1, conf), indexing);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
        engines.esCount(indexing.index()) == CORPUS.length && engines.meiliCount(indexing.index()) == CORPUS.length);
    return started;
  }

  /** Creates the query service's Redis user with redis-cli, as an operator would. */
  static void grantRedisUser() throws Exception {
    int port = URI.create(stack.endpoints().redisUri()).getPort();
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port),
        "ACL", "SETUSER", REDIS_USER));
    command.addAll(REDIS_ACL);
    Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(cli.waitFor()).isZero();
    assertThat(out).isEqualTo("OK");
  }

  static String redisUriOfTheServiceUser() {
    return asTheServiceUser(stack.endpoints().redisUri());
  }

  /** A stack's Redis URI (no login; one Redis or a cluster's seeds) with the service user's login. */
  static String asTheServiceUser(String redisUri) {
    return redisUri.replace("redis://", "redis://" + REDIS_USER + ":" + REDIS_PASSWORD + "@");
  }

  /** The key store on the stack's Redis, as `brain keys` writes it (the default user: an operator's). */
  static ApiKeyStore keyStore() {
    RedisConnector client = RedisConnector.create(stack.endpoints().redisUri(), RedisConnector.Options.WRITING);
    redisClients.add(client);
    return new ApiKeyStore(client.connect());
  }

  private static final List<RedisConnector> redisClients = new java.util.concurrent.CopyOnWriteArrayList<>();
  static ApiKeyStore keyStore;
  /** Sent by {@link #get} on every request: the shared service requires keys. */
  static String adminKey;

  static QueryConfig configFor(IndexingConfig indexing, int maxConcurrent) {
    return configFor(indexing, maxConcurrent, Map.of());
  }

  static QueryConfig configFor(IndexingConfig indexing, int maxConcurrent, Map<String, String> overrides) {
    return configFor(stack.endpoints(), redisUriOfTheServiceUser(), indexing, maxConcurrent, overrides);
  }

  /** A service on the stack's engines with the search-only Meilisearch key and the given Redis login. */
  static QueryConfig configFor(dev.companionbrain.localstack.Endpoints endpoints, String redisUri, IndexingConfig indexing,
      int maxConcurrent, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("BRAIN_QUERY_PORT", "0");
    env.put("BRAIN_ELASTICSEARCH_URL", indexing.engines().elasticsearchUrl());
    env.put("BRAIN_MEILISEARCH_URL", indexing.engines().meilisearchUrl());
    env.put("BRAIN_MEILISEARCH_KEY", endpoints.meilisearchSearchKey());
    env.put("BRAIN_REDIS_URI", redisUri);
    env.put("BRAIN_KAFKA_BOOTSTRAP_SERVERS", indexing.kafkaBootstrapServers());
    env.put("BRAIN_LATENCY_TOPIC", indexing.index() + "-search.latency");
    env.put("BRAIN_INDEX", indexing.index());
    env.put("BRAIN_CACHE_WARMING", "false"); // warming is CacheIT's: no consumer group to join and leave per instance
    env.put("BRAIN_MAX_CONCURRENT_SEARCHES", Integer.toString(maxConcurrent));
    env.put("BRAIN_API_KEYS", "off"); // the other ITs' concern is not the front door; this IT's shared service requires keys
    env.putAll(overrides);
    return QueryConfig.from(new Settings(env));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (service != null) {
        service.close();
      }
      if (job != null) {
        job.cancel().get();
      }
      engines.close();
      redisClients.forEach(RedisConnector::close);
    } finally {
      noKeyOrPasswordEverReachedTheLog();
    }
  }

  /** After every test, whatever their order: the log of the whole run holds no key and no password. */
  static void noKeyOrPasswordEverReachedTheLog() throws Exception {
    java.nio.file.Path log = java.nio.file.Path.of("target", "query-service-it.log");
    String text = java.nio.file.Files.readString(log);
    assertThat(text).as("the log of this run was captured").contains("query service on http://");
    assertThat(text).doesNotContain(stack.endpoints().meilisearchKey(), stack.endpoints().meilisearchSearchKey(),
        REDIS_PASSWORD);
  }

  static HttpResponse<String> get(QueryService s, String pathAndQuery) throws Exception {
    return get(s, pathAndQuery, adminKey);
  }

  /** A request to the shared service, with its key. */
  static HttpRequest.Builder authorized(URI uri) {
    return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + adminKey);
  }

  static HttpResponse<String> get(QueryService s, String pathAndQuery, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode search(QueryService s, String query) throws Exception {
    HttpResponse<String> response = get(s, "/search?" + query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  static String q(String text) {
    return "q=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  static List<String> ids(JsonNode response) {
    List<String> ids = new ArrayList<>();
    response.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    return ids;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "text, boundry layr, boundary",          // typos: Meilisearch's strength
      "text, espres, espresso",                 // prefix
      "keyword, oblique shock wedge, shock",
      "keyword, sourdough starter, sourdough",
      "vector, how does warmth move through tubes, heat",
      "vector, making coffee, espresso",
      "hybrid, supersonic shock waves, shock",
      "hybrid, cylinder buckling under compression, buckling",
  })
  void eachModeFindsTheExpectedDocument(String mode, String query, String expected) throws Exception {
    JsonNode response = search(service, q(query) + "&mode=" + mode);
    assertThat(ids(response)).as(response.toString()).isNotEmpty();
    assertThat(ids(response).get(0)).as(response.toString()).isEqualTo(expected);
    assertThat(response.get("degraded")).isEmpty();
    JsonNode top = response.get("hits").get(0);
    assertThat(top.get("title").asText()).isNotBlank();
    assertThat(top.get("url").asText()).isEqualTo("https://example.org/" + expected);
    assertThat(top.get("snippet").asText()).isNotBlank();
  }

  @Test
  void anIndexRecordsItsModelAJobOfAnotherRefusesToStartAndAServiceEmbedsWithTheIndexs() throws Exception {
    // the job made the shared index for its model, the catalogue's default
    assertThat(indexing.embeddingModel()).isEqualTo(dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL);
    assertThat(dev.companionbrain.core.index.IndexCreator.recordedModel(engines.elasticsearch, indexing.index()))
        .contains(dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL);
    String miniLmIndex = Engines.freshNamespace();
    dev.companionbrain.core.index.IndexCreator.ensureElasticsearch(engines.elasticsearch, miniLmIndex, 0,
        dev.companionbrain.core.embed.EmbeddingModel.MINILM);
    assertThat(dev.companionbrain.core.index.IndexCreator.recordedModel(engines.elasticsearch, miniLmIndex))
        .contains(dev.companionbrain.core.embed.EmbeddingModel.MINILM);
    // the job of another model
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.companionbrain.core.index.IndexCreator.ensureElasticsearch(
            engines.elasticsearch, miniLmIndex, 0, dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("index " + miniLmIndex + " holds vectors of all-minilm-l6-v2, not of bge-small-en-v1.5 (BRAIN_EMBEDDING_MODEL): "
            + "start with all-minilm-l6-v2 or use another BRAIN_INDEX; vectors of two models are never mixed in one index");
    // a service of another model embeds queries with the index's (a reindex may have moved it): a
    // document whose vector is MiniLM's of the query is found with cosine 1, which bge's never gives
    String text = "the flutter of a swept wing";
    float[] miniLm = dev.companionbrain.core.embed.Embedder.of(dev.companionbrain.core.embed.EmbeddingModel.MINILM)
        .embedQuery(text);
    org.elasticsearch.client.Request doc = new org.elasticsearch.client.Request("PUT", "/" + miniLmIndex + "/_doc/m1");
    doc.addParameter("refresh", "true");
    doc.setJsonEntity(JSON.writeValueAsString(Map.of("id", "m1", "title", "m1", "body", text, "vector", miniLm)));
    engines.elasticsearch.performRequest(doc);
    try (QueryService other = QueryService.start(configFor(
        IndexingConfig.inNamespace(miniLmIndex, engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 500), 4))) {
      JsonNode found = search(other, q(text) + "&mode=vector&explain=true");
      assertThat(ids(found)).as(found.toString()).containsExactly("m1");
      assertThat(found.at("/hits/0/explain/vector/score").asDouble()).as(found.toString()).isGreaterThan(0.999);
    }
    // an index made before the model was recorded holds MiniLM's vectors; a missing one none
    String older = Engines.freshNamespace();
    org.elasticsearch.client.Request create = new org.elasticsearch.client.Request("PUT", "/" + older);
    create.setJsonEntity("{\"mappings\":{\"properties\":{\"id\":{\"type\":\"keyword\"}}}}");
    engines.elasticsearch.performRequest(create);
    assertThat(dev.companionbrain.core.index.IndexCreator.recordedModel(engines.elasticsearch, older))
        .contains(dev.companionbrain.core.embed.EmbeddingModel.MINILM);
    assertThat(dev.companionbrain.core.index.IndexCreator.recordedModel(engines.elasticsearch, older + "-none")).isEmpty();
  }

  @Test
  void aTypodQueryIsCorrectedFromTheIndexsOwnWordsAndSharesTheCleanQuerysWindow() throws Exception {
    // one swap of two neighbours in each long word; "on" and "a" are too short to be looked at
    JsonNode typo = search(service, q("Oblqiue shokc wvaes on a wegde") + "&mode=keyword");
    assertThat(typo.get("query").asText()).isEqualTo("Oblqiue shokc wvaes on a wegde");
    assertThat(typo.get("corrected_q").asText()).as(typo.toString()).isEqualTo("oblique shock waves on a wedge");
    assertThat(ids(typo)).first().isEqualTo("shock");
    JsonNode clean = search(service, q("oblique shock waves on a wedge") + "&mode=keyword");
    assertThat(clean.has("corrected_q")).isFalse();
    assertThat(clean.get("cache").asText()).as("the corrected query's window").isEqualTo("l1");
    assertThat(ids(clean)).isEqualTo(ids(typo));
    JsonNode asWritten = search(service, q("Oblqiue shokc wvaes on a wegde") + "&mode=keyword&correct=false");
    assertThat(asWritten.has("corrected_q")).isFalse();
    assertThat(ids(asWritten)).doesNotContain("shock");
    // a word the index holds is never "corrected", however close another is
    assertThat(search(service, q("laminar shock")).has("corrected_q")).isFalse();
  }

  @Test
  void explainShowsEachRetrieversRankAndTagsFilter() throws Exception {
    JsonNode response = search(service, q("supersonic flow") + "&explain=true&tags=structures");
    assertThat(ids(response)).isNotEmpty().allSatisfy(id -> assertThat(id).isIn("buckling", "flutter"));
    JsonNode explain = response.get("hits").get(0).get("explain");
    assertThat(explain.fieldNames()).toIterable().contains("keyword", "vector");
    assertThat(explain.get("vector").get("rank").asInt()).isPositive();
    assertThat(response.get("backend_ms").fieldNames()).toIterable().contains("keyword", "vector");
    JsonNode post = JSON.readTree(HTTP.send(authorized(URI.create(service.url() + "/search"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"q\":\"supersonic flow\",\"tags\":[\"structures\"],\"mode\":\"keyword\"}"))
        .build(), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(ids(post)).allSatisfy(id -> assertThat(id).isIn("buckling", "flutter"));
  }

  @Test
  void repeatIsACacheHitAndANewDocumentInvalidatesWithinASecond() throws Exception {
    String query = q("french baguette bread") + "&mode=hybrid&k=5";
    JsonNode first = search(service, query);
    JsonNode second = search(service, query);
    assertThat(first.get("cache").asText()).isIn("miss", "l2");
    assertThat(second.get("cache").asText()).isEqualTo("l1");
    assertThat(ids(second)).isEqualTo(ids(first));

    // another instance shares Redis: its first answer comes from L2
    try (QueryService other = QueryService.start(config)) {
      assertThat(search(other, query).get("cache").asText()).isEqualTo("l2");
    }

    long generationBefore = second.get("generation").asLong();
    engines.produce(indexing.documentsTopic(), "baguette", Engines.doc("baguette", "Baking a French baguette bread",
        "A baguette bakes hot and fast; steam gives the bread its crisp crust.", "food"));
    engines.flush();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      JsonNode after = search(service, query);
      assertThat(after.get("generation").asLong()).isGreaterThan(generationBefore);
      assertThat(ids(after).get(0)).isEqualTo("baguette");
    });
  }

  @Test
  void l1EntriesExpireAfterTheirTtlOnAnInjectedClock() throws Exception {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    try (QueryService clocked = QueryService.start(config, nanos::get)) {
      String query = q("ttl check espresso crema") + "&mode=keyword";
      assertThat(search(clocked, query).get("cache").asText()).isIn("miss", "l2");
      assertThat(search(clocked, query).get("cache").asText()).isEqualTo("l1");
      nanos.addAndGet(java.time.Duration.ofMinutes(4).toNanos());
      assertThat(search(clocked, query).get("cache").asText()).as("still within the 5 min TTL").isEqualTo("l1");
      nanos.addAndGet(java.time.Duration.ofMinutes(2).toNanos());
      assertThat(search(clocked, query).get("cache").asText()).as("expired from L1, still in Redis").isEqualTo("l2");
    }
  }

  @Test
  void concurrentIdenticalMissesReachTheBackendsOnce() throws Exception {
    String query = q("single flight aerodynamics " + System.nanoTime());
    double before = counter("brain_cache_requests_total", "level=\"l2\",result=\"miss\"");
    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      burst.add(HTTP.sendAsync(authorized(URI.create(service.url() + "/search?" + query)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : burst) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
    double after = counter("brain_cache_requests_total", "level=\"l2\",result=\"miss\"");
    assertThat(after - before).as("backend computations for 8 identical concurrent requests").isEqualTo(1);
  }

  static double counter(String name, String labels) throws Exception {
    String metrics = get(service, "/metrics").body();
    return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(labels))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "q=                           | invalid_query",
      "q=%20%20                     | invalid_query",
      "mode=text                    | invalid_query",
      "q=a&k=0                      | invalid_k",
      "q=a&k=101                    | invalid_k",
      "q=a&k=ten                    | invalid_k",
      "q=a&offset=-1                | invalid_offset",
      "q=a&offset=5000              | invalid_offset",
      "q=a&mode=semantic            | invalid_mode",
      "q=a&fusion=borda             | invalid_fusion",
      "q=a&weights=text:-1          | invalid_weights",
      "q=a&weights=text             | invalid_weights",
      "q=a&weights=magic:1          | invalid_weights",
      "q=a&tags=a%22%20OR%20x%3D%22 | invalid_tags",
      "q=a&tags=a%5C                | invalid_tags",
      "q=a&explain=maybe            | invalid_explain",
  })
  void badInputIs400WithAJsonError(String query, String code) throws Exception {
    HttpResponse<String> response = get(service, "/search?" + query.strip());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo(code);
  }

  @Test
  void overLongQueryAndBadJsonAreRefused() throws Exception {
    HttpResponse<String> longQ = get(service, "/search?" + q("x".repeat(513)));
    assertThat(longQ.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(longQ.body()).at("/error/code").asText()).isEqualTo("query_too_long");
    HttpResponse<String> badJson = HTTP.send(authorized(URI.create(service.url() + "/search"))
        .POST(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badJson.body()).at("/error/code").asText()).isEqualTo("invalid_json");
  }

  @Test
  void documentsHealthMetricsAndOpenApi() throws Exception {
    HttpResponse<String> doc = get(service, "/documents/heat");
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(doc.body()).get("title").asText()).isEqualTo("Heat transfer in pipes");
    assertThat(get(service, "/documents/nope").statusCode()).isEqualTo(404);
    assertThat(get(service, "/documents/bad%20id").statusCode()).isEqualTo(400);
    JsonNode ready = JSON.readTree(get(service, "/health/ready").body());
    assertThat(ready.get("status").asText()).isEqualTo("ready");
    assertThat(ready.at("/backends/elasticsearch/up").asBoolean()).isTrue();
    assertThat(ready.at("/backends/meilisearch/up").asBoolean()).isTrue();
    assertThat(ready.at("/backends/redis/up").asBoolean()).isTrue();
    String metrics = get(service, "/metrics").body();
    assertThat(metrics).contains("brain_cache_requests_total", "brain_backend_latency_seconds_bucket",
        "brain_request_latency_seconds_bucket", "brain_cache_hit_ratio");
    JsonNode openapi = JSON.readTree(get(service, "/openapi.json").body());
    assertThat(openapi.at("/paths/~1search/get/parameters").size()).isEqualTo(10);
    assertThat(get(service, "/nowhere").statusCode()).isEqualTo(404);
  }

  @Test
  void everyRequestPublishesALatencyEvent() throws Exception {
    search(service, q("latency event check") + "&mode=keyword");
    var events = engines.readAll(config.latencyTopic(), 1, Duration.ofSeconds(20));
    assertThat(events).isNotEmpty();
    JsonNode event = JSON.readTree(events.get(events.size() - 1).value());
    assertThat(event.fieldNames()).toIterable().contains("endpoint", "mode", "cache", "status", "took_ms", "backends", "timestamp");
  }

  @Test
  void aBurstOverTheConcurrencyLimitGets429WithRetryAfter() throws Exception {
    try (QueryService narrow = QueryService.start(configFor(indexing, 1))) {
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        burst.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(narrow.url() + "/search?" + q("burst query " + i)))
            .build(), HttpResponse.BodyHandlers.ofString()));
      }
      List<HttpResponse<String>> responses = new ArrayList<>();
      for (var f : burst) {
        responses.add(f.get());
      }
      assertThat(responses).extracting(HttpResponse::statusCode).contains(200, 429).containsOnly(200, 429);
      HttpResponse<String> refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
      assertThat(refused.headers().firstValue("Retry-After")).contains("1");
      assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("too_many_requests");
    }
  }

  static void assertJsonError(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("code").asText()).as(response.body()).isEqualTo(code);
    assertThat(error.get("message").asText()).isNotBlank();
  }

  static Map<String, String> breakerStates(QueryService s) throws Exception {
    Map<String, String> states = new HashMap<>();
    JSON.readTree(get(s, "/health/ready").body()).get("circuit_breakers")
        .fields().forEachRemaining(e -> states.put(e.getKey(), e.getValue().get("state").asText()));
    return states;
  }

  /** The issue's probes: a NUL, a right-to-left override, a lone BOM. Each used to open the vector breaker. */
  @ParameterizedTest
  @CsvSource({"%00", "%E2%80%AE", "%EF%BB%BF", "%E2%80%8B%E2%80%8F", "%CC%81"})
  void inputWithNothingVisibleIsA400AndVectorSearchStaysOnForEveryoneElse(String q) throws Exception {
    for (int i = 0; i < 5; i++) {
      assertJsonError(get(service, "/search?q=" + q + "&mode=vector"), 400, "invalid_query");
      assertJsonError(get(service, "/search?q=" + q), 400, "invalid_query");
    }
    assertThat(breakerStates(service)).containsOnly(
        Map.entry("text", "CLOSED"), Map.entry("keyword", "CLOSED"), Map.entry("vector", "CLOSED"));
    JsonNode other = search(service, q("making coffee") + "&mode=vector");
    assertThat(ids(other).get(0)).isEqualTo("espresso");
    JsonNode hybrid = search(service, q("supersonic shock waves"));
    assertThat(hybrid.get("degraded")).isEmpty();
    assertThat(JSON.readTree(get(service, "/health/ready").body()).get("status").asText()).isEqualTo("ready");
  }

  @Test
  void errorsJettyFindsBeforeAnyHandlerAreJsonToo() throws Exception {
    // the server decodes bytes that are not UTF-8 as U+FFFD, which shows nothing: nothing to search for
    assertJsonError(get(service, "/search?q=%ff%fe"), 400, "invalid_query");
    assertThat(search(service, "q=shock%ff&mode=keyword").get("query").asText()).isEqualTo("shock");
    assertJsonError(get(service, "/search?q=" + "x".repeat(20_000)), 414, "uri_too_long");
    assertJsonError(HTTP.send(authorized(URI.create(service.url() + "/search?q=a"))
        .header("X-Padding", "p".repeat(20_000)).build(), HttpResponse.BodyHandlers.ofString()), 431, "headers_too_large");
    assertJsonError(HTTP.send(authorized(URI.create(service.url() + "/search?q=a"))
        .method("BREW", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()),
        405, "method_not_allowed");
    assertJsonError(HTTP.send(authorized(URI.create(service.url() + "/search?q=a"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString()), 405, "method_not_allowed");
    assertJsonError(get(service, "/nowhere"), 404, "not_found");
    assertJsonError(get(service, "/documents/%ff"), 400, "bad_request");
  }

  /**
   * One request to Meilisearch on a connection of its own: Meilisearch answers a refused request
   * without reading its body, so a kept-alive connection would carry that body into the next request.
   */
  static HttpResponse<String> meilisearch(String key, String method, String path, String json) throws Exception {
    HttpClient once = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.endpoints().meilisearchUrl() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return once.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theServicesMeilisearchKeyCanSearchButNeverWrite() throws Exception {
    String key = config.engines().meilisearchKey();
    assertThat(key).isNotEqualTo(stack.endpoints().meilisearchKey());
    String index = "/indexes/" + indexing.index();
    HttpResponse<String> add = meilisearch(key, "POST", index + "/documents", "[{\"id\":\"intruder\",\"title\":\"planted\"}]");
    assertThat(add.statusCode()).as(add.body()).isEqualTo(403);
    for (String path : List.of("/documents/heat", "/documents", "")) {
      HttpResponse<String> delete = meilisearch(key, "DELETE", index + path, null);
      assertThat(delete.statusCode()).as(path + ": " + delete.body()).isEqualTo(403);
    }
    HttpResponse<String> settings = meilisearch(key, "PATCH", index + "/settings", "{\"searchableAttributes\":[\"id\"]}");
    assertThat(settings.statusCode()).as(settings.body()).isEqualTo(403);
    HttpResponse<String> search = meilisearch(key, "POST", index + "/search", "{\"q\":\"heat\"}");
    assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
    assertThat(engines.meiliCount(indexing.index())).isEqualTo(CORPUS.length + 1); // the corpus and the baguette
    assertThat(ids(search(service, q("planted") + "&mode=text"))).doesNotContain("intruder");
  }

  @Test
  void oneClientFloodingGets429WhileAnotherClientIsStillServed() throws Exception {
    QueryConfig fairConfig = configFor(indexing, 64, Map.of("BRAIN_API_KEYS", "required"));
    long now = System.currentTimeMillis();
    String noisy = keyStore.create("noisy", java.util.Set.of(Scope.SEARCH), null, 2, null, now).token();
    String calmKey = keyStore.create("calm", java.util.Set.of(Scope.SEARCH), null, 2, null, now).token();
    try (QueryService fair = QueryService.start(fairConfig)) {
      List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        flood.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(fair.url() + "/search?" + q("flood " + i) + "&mode=vector"))
            .header("Authorization", "Bearer " + noisy).header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> calm = HTTP.send(HttpRequest.newBuilder(URI.create(fair.url() + "/search?" + q("calm " + i)))
            .header("Authorization", "Bearer " + calmKey).header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(calm.statusCode()).as(calm.body()).isEqualTo(200);
      }
      List<Integer> statuses = new ArrayList<>();
      for (var f : flood) {
        statuses.add(f.get().statusCode());
      }
      assertThat(statuses).contains(200, 429).containsOnly(200, 429);
    }
  }

  private static String errorCode(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).at("/error/code").asText();
  }

  @Test
  void aMissingWrongExpiredOrRevokedKeyIsRefusedAndARevokedKeyStopsWithinASecond() throws Exception {
    long now = System.currentTimeMillis();
    HttpResponse<String> none = get(service, "/search?" + q("shock"), null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(errorCode(none)).isEqualTo("missing_key");
    assertThat(errorCode(get(service, "/search?" + q("shock"), dev.companionbrain.core.auth.ApiKeyTokens.generate())))
        .isEqualTo("invalid_key");
    String expired = keyStore.create("expired", java.util.Set.of(Scope.SEARCH), null, null, now - 1, now).token();
    HttpResponse<String> late = get(service, "/search?" + q("shock"), expired);
    assertThat(late.statusCode()).isEqualTo(401);
    assertThat(errorCode(late)).isEqualTo("expired_key");
    assertThat(get(service, "/metrics", keyStore.create("searcher", java.util.Set.of(Scope.SEARCH), null, null, null, now)
        .token()).statusCode()).isEqualTo(403);
    assertThat(get(service, "/health/live", null).statusCode()).isEqualTo(200);
    ApiKeyStore.Created doomed = keyStore.create("doomed", java.util.Set.of(Scope.SEARCH), null, null, null, now);
    try (QueryService other = QueryService.start(config)) { // a second instance: revoked on both
      for (QueryService instance : List.of(service, other)) {
        assertThat(get(instance, "/search?" + q("shock") + "&mode=keyword", doomed.token()).statusCode()).isEqualTo(200);
      }
      long revokedAt = System.nanoTime();
      assertThat(keyStore.revoke(doomed.key().id(), System.currentTimeMillis())).isPresent();
      for (QueryService instance : List.of(service, other)) {
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() ->
            get(instance, "/search?" + q("shock") + "&mode=keyword", doomed.token()).statusCode() == 401);
      }
      long millis = (System.nanoTime() - revokedAt) / 1_000_000;
      assertThat(millis).as("revoked on both instances after %d ms", millis).isLessThan(1000);
      assertThat(errorCode(get(other, "/search?" + q("shock"), doomed.token()))).isEqualTo("revoked_key");
    }
    assertThat(keyStore.list()).extracting(k -> k.name()).contains("doomed", "expired", "it-admin");
    assertThat(keyStore.list()).allSatisfy(k -> assertThat(k.toJson()).doesNotContain(doomed.token()));
  }

  @Test
  void aTenantKeyNeverSeesAnotherTenantsDocumentsCachedOrNot() throws Exception {
    long now = System.currentTimeMillis();
    java.util.Set<Scope> scopes = java.util.Set.of(Scope.SEARCH, Scope.DOCUMENTS);
    String thermal = keyStore.create("thermal team", scopes, List.of("thermal"), null, null, now).token();
    String aero = keyStore.create("aero team", scopes, List.of("aero"), null, null, now).token();
    String query = q("heat transfer shock waves flow") + "&k=20";
    // the aero tenant fills the window of this query first, then the whole index's is filled too
    for (String key : new String[] {aero, adminKey}) {
      assertThat(get(service, "/search?" + query, key).statusCode()).isEqualTo(200);
    }
    JsonNode all = search(service, query);
    assertThat(ids(all)).contains("heat", "shock");
    for (int round = 0; round < 2; round++) { // computed, then from the cache
      HttpResponse<String> mine = get(service, "/search?" + query, thermal);
      assertThat(mine.statusCode()).isEqualTo(200);
      JsonNode hits = JSON.readTree(mine.body()).get("hits");
      assertThat(hits).isNotEmpty();
      hits.forEach(h -> assertThat(h.get("tags").toString()).as(h.toString()).contains("thermal"));
      assertThat(ids(JSON.readTree(mine.body()))).contains("heat").doesNotContain("shock");
    }
    HttpResponse<String> asked = get(service, "/search?" + query + "&tags=aero", thermal);
    assertThat(asked.statusCode()).isEqualTo(403);
    assertThat(errorCode(asked)).isEqualTo("tag_not_allowed");
    HttpResponse<String> multi = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/multi-search"))
        .header("Authorization", "Bearer " + thermal)
        .POST(HttpRequest.BodyPublishers.ofString("{\"queries\":[{\"q\":\"oblique shock waves\",\"mode\":\"keyword\"},"
            + "{\"q\":\"shock\",\"tags\":[\"aero\"]},{\"q\":\"heat\",\"k\":0},{\"q\":\"heat\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(multi.statusCode()).as(multi.body()).isEqualTo(200);
    JsonNode results = JSON.readTree(multi.body()).get("results");
    assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
    assertThat(ids(results.get(0))).doesNotContain("shock");
    assertThat(results.get(1).get("status").asInt()).isEqualTo(403);
    assertThat(results.get(2).get("status").asInt()).isEqualTo(400);
    assertThat(results.get(3).get("status").asInt()).isEqualTo(200);
    assertThat(ids(results.get(3))).contains("heat");
    assertThat(get(service, "/documents/heat", thermal).statusCode()).isEqualTo(200);
    assertThat(get(service, "/documents/shock", thermal).statusCode()).isEqualTo(404);
    assertThat(get(service, "/documents/shock", aero).statusCode()).isEqualTo(200);
  }

  /** Hostile and random requests: never a 5xx, every 4xx in the JSON error shape, and no breaker opened. */
  @Test
  void fuzzedRequestsGetA2xxOrAJson4xxAndLeaveEveryBreakerClosed() throws Exception {
    java.util.Random random = new java.util.Random(20261127L);
    for (int i = 0; i < 400; i++) {
      HttpRequest request = RequestFuzzer.next(random, service.url(), adminKey);
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      String what = request.method() + " " + request.uri() + " -> " + response.statusCode() + " " + response.body();
      assertThat(response.statusCode()).as(what).isBetween(200, 499);
      if (response.statusCode() == 200 && request.uri().getPath().startsWith("/ui/")) {
        assertThat(response.headers().firstValue("Content-Security-Policy")).as(what).isPresent();
        continue;
      }
      if (response.statusCode() == 200 && request.uri().getPath().equals("/search/stream")) {
        for (String line : response.body().lines().toList()) { // NDJSON: one matching document a line
          assertThat(JSON.readTree(line).get("id").isTextual()).as(what).isTrue();
        }
        continue;
      }
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() >= 400) {
        assertThat(body.at("/error/code").isTextual()).as(what).isTrue();
        assertThat(body.at("/error/message").isTextual()).as(what).isTrue();
      } else if (request.uri().getPath().equals("/search")) {
        assertThat(body.get("hits").isArray()).as(what).isTrue();
      }
    }
    assertThat(breakerStates(service)).containsOnly(
        Map.entry("text", "CLOSED"), Map.entry("keyword", "CLOSED"), Map.entry("vector", "CLOSED"));
  }

  @Test
  void withRedisDownItKeepsServing() throws Exception {
    try (QueryService own = QueryService.start(config)) {
      search(own, q("before the outage") + "&mode=keyword"); // the key is looked up once: the instance knows it
      stack.stopRedisKeepingData();
      try {
        for (int i = 0; i < 5; i++) {
          JsonNode response = search(own, q("redis is down " + i) + "&mode=keyword");
          assertThat(response.get("cache").asText()).isEqualTo("miss");
        }
        JsonNode repeat = search(own, q("redis is down 0") + "&mode=keyword");
        assertThat(repeat.get("cache").asText()).isEqualTo("l1");
        JsonNode shock = search(own, q("oblique shock") + "&mode=keyword");
        assertThat(ids(shock)).contains("shock");
        JsonNode shockHit = null;
        for (JsonNode hit : shock.get("hits")) {
          if (hit.get("id").asText().equals("shock")) {
            shockHit = hit;
          }
        }
        assertThat(shockHit.get("title").asText())
            .as("display fields fall back to the engine's stored fields while Redis is away").isEqualTo("Oblique shock waves");
      } finally {
        bringRedisBack();
      }
    }
  }

  /**
   * Starts Redis again with the data it saved and the service's user (ACL users are not saved), and
   * waits until the shared service is connected again: the stack and the service as before the outage.
   */
  static void bringRedisBack() throws Exception {
    stack.startRedisAgain();
    grantRedisUser();
    awaitRedisUp(service);
  }

  static void awaitRedisUp(QueryService s) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(JSON.readTree(get(s, "/health/ready").body()).at("/backends/redis/up").asBoolean()).isTrue());
  }

  @Test
  void whenRedisComesBackTheServiceReconnectsByItself() throws Exception {
    try (QueryService own = QueryService.start(config)) {
      stack.stopRedisKeepingData();
      try {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            assertThat(JSON.readTree(get(own, "/health/ready").body()).at("/backends/redis/up").asBoolean()).isFalse());
      } finally {
        bringRedisBack();
      }
      awaitRedisUp(own);
      String query = q("after the redis restart " + System.nanoTime()) + "&mode=keyword";
      // the instance writes L2 through its reconnected connection; another instance then reads it
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
        assertThat(search(own, query).get("cache").asText()).isIn("miss", "l1");
        try (QueryService other = QueryService.start(config)) {
          assertThat(search(other, query).get("cache").asText()).isEqualTo("l2");
        }
      });
    }
  }

  @Test
  void withMeilisearchStoppedHybridAnswersFromTheOthersAndSaysSo() throws Exception {
    // a stopped Meilisearch is a port nobody listens on: this instance's own, so the shared one stays whole
    String nobody = "http://127.0.0.1:" + dev.companionbrain.localstack.Ports.free();
    try (QueryService withoutMeilisearch = QueryService.start(configFor(indexing, 64, Map.of("BRAIN_MEILISEARCH_URL", nobody)))) {
      assertDegradedWithoutMeilisearch(withoutMeilisearch);
    }
  }

  static void assertDegradedWithoutMeilisearch(QueryService s) throws Exception {
    JsonNode response = search(s, q("oblique shock wave angle") + "&mode=hybrid");
    assertThat(ids(response)).contains("shock");
    assertThat(response.get("degraded").get(0).get("retriever").asText()).isEqualTo("text");
    HttpResponse<String> textOnly = get(s, "/search?" + q("oblique shock") + "&mode=text");
    assertThat(textOnly.statusCode()).isEqualTo(503);
    HttpResponse<String> readiness = get(s, "/health/ready");
    assertThat(readiness.statusCode()).as("degraded still takes traffic").isEqualTo(200);
    JsonNode ready = JSON.readTree(readiness.body());
    assertThat(ready.get("status").asText()).isEqualTo("degraded");
    assertThat(ready.at("/skipped/0/retriever").asText()).isEqualTo("text");
    assertThat(ready.at("/skipped/0/reason").asText()).isEqualTo("meilisearch_down");
    assertThat(ready.at("/skipped/0/since").asText()).isNotBlank();
  }

}
