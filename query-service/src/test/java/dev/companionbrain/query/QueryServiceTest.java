package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.backend.Retrieval;
import dev.companionbrain.core.search.backend.VocabularySuggestions;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.telemetry.LatencyEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole HTTP service with no engine: its collaborators are injected (retrievals as functions,
 * an embedder, an in-memory shared level, Kafka's MockProducer, a clock and generations moved by
 * hand), so admission, the cache levels, paging, degradation, staleness and the error mapping are
 * checked here, and the engines only in the integration tests.
 */
class QueryServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final AtomicLong millis = new AtomicLong(1_000_000);
  private final AtomicLong nanos = new AtomicLong();
  private final GenerationClock generations = new GenerationClock();
  private final InMemorySharedWindows shared = new InMemorySharedWindows();
  private final MockProducer<String, byte[]> latency = new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
  private final Map<Retriever, AtomicInteger> calls = new EnumMap<>(Retriever.class);
  private final Map<Retriever, Retrieval> retrievals = new EnumMap<>(Retriever.class);
  private QueryService service;
  /** The tags of every request any retriever was asked. */
  private final List<List<String>> askedTags = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The query text of every request any retriever was asked. */
  private final List<String> askedQueries = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The index's vocabulary as the term suggester sees it: each typo this test knows and its correction. */
  private static final Map<String, String> TYPOS = Map.of("shok", "shock", "wavw", "wave");
  /** How many times the suggester was asked. */
  private final AtomicInteger suggested = new AtomicInteger();
  /** The suggester: the corrections of the words of a query that {@link #TYPOS} knows. */
  private java.util.function.Function<String, CompletableFuture<List<VocabularySuggestions.Suggestion>>> suggestions = q -> {
    suggested.incrementAndGet();
    List<VocabularySuggestions.Suggestion> found = new ArrayList<>();
    java.util.regex.Matcher word = java.util.regex.Pattern.compile("\\p{L}+").matcher(q);
    while (word.find()) {
      String correction = TYPOS.get(word.group().toLowerCase(java.util.Locale.ROOT));
      if (correction != null) {
        found.add(new VocabularySuggestions.Suggestion(word.start(), word.end() - word.start(), correction));
      }
    }
    return CompletableFuture.completedFuture(found);
  };

  /** 30 documents d00..d29; each retriever ranks them in its own order. */
  private Retrieval ranking(Retriever r, int step) {
    calls.put(r, new AtomicInteger());
    return request -> {
      calls.get(r).incrementAndGet();
      askedTags.add(request.tags());
      askedQueries.add(request.q());
      List<ScoredId> hits = new ArrayList<>();
      for (int i = 0; i < 30 && hits.size() < request.limit(); i++) {
        int doc = (i * step) % 30;
        hits.add(new ScoredId(String.format("d%02d", doc), 10.0 - i * 0.1));
      }
      return CompletableFuture.completedFuture(hits);
    };
  }

  /** Each retriever's calls before the service's port opened. */
  private final Map<Retriever, Integer> warmUpCalls = new EnumMap<>(Retriever.class);

  /** The key store: each key by its SHA-256. */
  private final Map<String, dev.companionbrain.core.auth.ApiKey> apiKeys = new java.util.concurrent.ConcurrentHashMap<>();

  private QueryService start(Map<String, String> settings) {
    retrievals.putIfAbsent(Retriever.TEXT, ranking(Retriever.TEXT, 7));
    retrievals.putIfAbsent(Retriever.KEYWORD, ranking(Retriever.KEYWORD, 11));
    retrievals.putIfAbsent(Retriever.VECTOR, ranking(Retriever.VECTOR, 1));
    Embedder embedder = new Embedder() {
      @Override
      public int dimensions() {
        return 3;
      }

      @Override
      public List<float[]> embedAll(List<String> texts) {
        return texts.stream().map(t -> new float[] {1, 0, 0}).toList();
      }
    };
    // no audits: an audit recomputes a cached window at random, and these tests count the computations
    Map<String, String> env = new HashMap<>(Map.of("BRAIN_QUERY_PORT", "0", "BRAIN_MAX_STALENESS_MS", "300", "BRAIN_API_KEYS", "off",
        "BRAIN_CACHE_AUDIT_RATE", "0"));
    env.putAll(settings);
    QueryConfig config = QueryConfig.from(new Settings(env));
    QueryService.Collaborators parts = new QueryService.Collaborators(retrievals, ServedIndex.fixed(embedder), shared,
        ids -> {
          Map<String, HydrationEntry> fields = new HashMap<>();
          ids.forEach(id -> fields.put(id, new HydrationEntry(id, "Title " + id, null, List.of("aero"), null, "snippet")));
          return fields;
        },
        Map.of("engine", () -> true), latency, null, generations, millis::get, nanos::get,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), hash -> java.util.Optional.ofNullable(apiKeys.get(hash)),
        suggestions, List.of());
    service = QueryService.start(config, parts);
    // the tests count their own requests, not the warm-up's
    calls.forEach((r, c) -> warmUpCalls.put(r, c.getAndSet(0)));
    askedTags.clear();
    askedQueries.clear();
    suggested.set(0);
    return service;
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  private void publish(long generation) {
    generations.observe(new GenerationNotice(generation, millis.get(), 1, 0), millis.get());
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode search(String query) throws Exception {
    HttpResponse<String> response = get("/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("%26", "&")
        .replace("%3D", "="));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static List<String> ids(JsonNode response) {
    List<String> ids = new ArrayList<>();
    response.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    return ids;
  }

  @Test
  void pagesAreCutFromOneCachedWindowWithTheirDisplayFields() throws Exception {
    start(Map.of());
    publish(1);
    JsonNode whole = search("flow&k=12");
    assertThat(whole.get("cache").asText()).isEqualTo("miss");
    assertThat(whole.get("total").asInt()).isEqualTo(30);
    assertThat(whole.get("generation").asLong()).isEqualTo(1);
    assertThat(whole.get("stale_ms").asLong()).isZero();
    assertThat(whole.at("/hits/0/title").asText()).startsWith("Title d");
    assertThat(whole.at("/hits/0/explain").isMissingNode()).isTrue();
    List<String> paged = new ArrayList<>();
    for (int page = 0; page < 3; page++) {
      JsonNode response = search("flow&k=4&offset=" + 4 * page);
      assertThat(response.get("cache").asText()).isEqualTo("l1");
      paged.addAll(ids(response));
    }
    assertThat(paged).isEqualTo(ids(whole)).doesNotHaveDuplicates();
    assertThat(calls.get(Retriever.KEYWORD)).as("one computation for every page").hasValue(1);
    // the fast path writes exactly the JSON of the wire type
    for (String query : new String[] {"flow&k=3", "flow&k=2&explain=true"}) {
      HttpResponse<String> raw = get("/search?q=" + query);
      assertThat(JSON.readTree(SearchResponse.fromJson(raw.body()).toJson())).isEqualTo(JSON.readTree(raw.body()));
    }
    JsonNode explained = search("flow&k=2&explain=true");
    assertThat(explained.at("/hits/0/explain").fieldNames()).toIterable().contains("vector");
    assertThat(search("flow&offset=29").get("hits")).hasSize(1);
    assertThat(search("flow&offset=30").get("hits")).isEmpty();
  }

  @Test
  void aFailingRetrieverDegradesTheAnswerWhichIsNotCached() throws Exception {
    retrievals.put(Retriever.KEYWORD, request -> CompletableFuture.failedFuture(new IOException("connection reset")));
    start(Map.of());
    JsonNode first = search("shock");
    assertThat(first.get("degraded")).hasSize(1);
    assertThat(first.at("/degraded/0/retriever").asText()).isEqualTo("keyword");
    assertThat(search("shock").get("cache").asText()).isEqualTo("miss");
    assertThat(shared.windows).isEmpty();
  }

  @Test
  void noRetrieverAnsweringIs503AndBadInputIs400WithItsCode() throws Exception {
    for (Retriever r : Retriever.values()) {
      retrievals.put(r, request -> CompletableFuture.failedFuture(new IOException("down")));
    }
    start(Map.of());
    HttpResponse<String> down = get("/search?q=shock");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(down.body()).at("/error/code").asText()).isEqualTo("backends_unavailable");
    HttpResponse<String> blank = get("/search?q=%E2%80%8B");
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(blank.body()).at("/error/code").asText()).isEqualTo("invalid_query");
    assertThat(JSON.readTree(get("/search?q=a&k=0").body()).at("/error/code").asText()).isEqualTo("invalid_k");
    assertThat(get("/documents/d01").statusCode()).isEqualTo(200);
    assertThat(get("/documents/bad%20id").statusCode()).isEqualTo(400);
  }

  @Test
  void aSupersededWindowIsServedWithinTheBoundOnlyAndTheLatencyEventSaysSo() throws Exception {
    start(Map.of());
    publish(1);
    search("buckling");
    publish(2);
    millis.addAndGet(120);
    JsonNode stale = search("buckling");
    assertThat(stale.get("cache").asText()).isEqualTo("l1");
    assertThat(stale.get("stale_ms").asLong()).isEqualTo(120);
    assertThat(stale.get("generation").asLong()).isEqualTo(1);
    publish(3);
    millis.addAndGet(301);
    JsonNode past = search("buckling");
    assertThat(past.get("generation").asLong()).isEqualTo(3);
    assertThat(past.get("stale_ms").asLong()).isZero();
    org.awaitility.Awaitility.await().until(() -> latency.history().size() >= 3);
    List<LatencyEvent> events = latency.history().stream().map(r -> LatencyEvent.fromJson(r.value())).toList();
    assertThat(events).extracting(LatencyEvent::staleMs).contains(120L);
    assertThat(events).allSatisfy(e -> assertThat(e.window().q()).isEqualTo("buckling"));
  }

  @Test
  void withTheBoundAtZeroOnlyCurrentWindowsAreServed() throws Exception {
    start(Map.of("BRAIN_MAX_STALENESS_MS", "0"));
    publish(1);
    search("ablation");
    assertThat(search("ablation").get("cache").asText()).isEqualTo("l1");
    publish(2);
    JsonNode after = search("ablation");
    assertThat(after.get("cache").asText()).isEqualTo("miss");
    assertThat(after.get("generation").asLong()).isEqualTo(2);
  }

  // --- typo corrections

  @Test
  void aTypoIsCorrectedBeforeTheSearchAndTheCorrectedQueryIsTheCacheKey() throws Exception {
    start(Map.of());
    JsonNode typo = search("Shok wavw of a nozzle");
    assertThat(typo.get("query").asText()).isEqualTo("Shok wavw of a nozzle");
    assertThat(typo.get("corrected_q").asText()).isEqualTo("shock wave of a nozzle");
    assertThat(typo.get("cache").asText()).isEqualTo("miss");
    assertThat(askedQueries).isNotEmpty().allSatisfy(q -> assertThat(q).isEqualTo("shock wave of a nozzle"));
    // the fast path writes exactly the JSON of the wire type, corrected_q included
    HttpResponse<String> raw = get("/search?q=Shok+wavw+of+a+nozzle");
    assertThat(SearchResponse.fromJson(raw.body()).correctedQ()).isEqualTo("shock wave of a nozzle");
    assertThat(JSON.readTree(SearchResponse.fromJson(raw.body()).toJson())).isEqualTo(JSON.readTree(raw.body()));
    // the clean query and another typo'd form of it share the window
    JsonNode clean = search("shock wave of a nozzle");
    assertThat(clean.get("cache").asText()).isEqualTo("l1");
    assertThat(clean.has("corrected_q")).as("nothing to correct, nothing said").isFalse();
    assertThat(search("shock wavw of a nozzle").get("cache").asText()).isEqualTo("l1");
    assertThat(ids(clean)).isEqualTo(ids(typo));
    // a query's correction is remembered: the engine was asked once per distinct query text
    assertThat(suggested).hasValue(3);
    // a no-cache search computes everything afresh, its correction too
    HttpResponse<String> fresh = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search?q=Shok+wavw+of+a+nozzle"))
        .header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(fresh.body()).get("corrected_q").asText()).isEqualTo("shock wave of a nozzle");
    assertThat(suggested).hasValue(4);
    // a request that says no is searched as written, under its own key
    askedQueries.clear();
    JsonNode asWritten = search("Shok wavw of a nozzle&correct=false");
    assertThat(asWritten.has("corrected_q")).isFalse();
    assertThat(asWritten.get("cache").asText()).isEqualTo("miss");
    assertThat(askedQueries).isNotEmpty().allSatisfy(q -> assertThat(q).isEqualTo("Shok wavw of a nozzle"));
    assertThat(JSON.readTree(get("/search?q=x&correct=maybe").body()).at("/error/code").asText()).isEqualTo("invalid_correct");
  }

  @Test
  void correctionsCanBeSwitchedOffForTheServiceAndAFailingSuggesterLeavesTheQueryAsWritten() throws Exception {
    start(Map.of("BRAIN_QUERY_CORRECTION", "false"));
    assertThat(search("shok").has("corrected_q")).isFalse();
    assertThat(suggested).hasValue(0);
    service.close();
    suggestions = q -> {
      suggested.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("connection refused"));
    };
    start(Map.of()); // the same shared level: a query the first service searched would be an L2 hit
    JsonNode answer = search("shok wavw");
    assertThat(answer.has("corrected_q")).isFalse();
    assertThat(askedQueries).isNotEmpty().allSatisfy(q -> assertThat(q).isEqualTo("shok wavw"));
    assertThat(suggested).hasValue(1);
    // a failure is not remembered: the next search asks again
    search("shok wavw&k=3");
    assertThat(suggested).hasValue(2);
    assertThat(get("/metrics").body()).contains("brain_query_corrections_total{outcome=\"failed\"} 2.0");
  }

  @Test
  void aTenantsQueryIsNeverCorrectedFromTheWholeIndexsVocabulary() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    String aero = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), List.of("aero"), null);
    HttpResponse<String> answer = send("GET", "/search?q=shok", aero, null);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(answer.body()).has("corrected_q")).isFalse();
    assertThat(suggested).hasValue(0);
    String all = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), null, null);
    assertThat(JSON.readTree(send("GET", "/search?q=shok", all, null).body()).get("corrected_q").asText()).isEqualTo("shock");
  }

  @Test
  void aMultiSearchCorrectsEachSearchAndAnswersARememberedCorrectionFromL1() throws Exception {
    start(Map.of());
    assertThat(search("wavw").get("corrected_q").asText()).isEqualTo("wave");
    HttpResponse<String> response = send("POST", "/multi-search", null,
        "{\"queries\":[{\"q\":\"wavw\"},{\"q\":\"shok\"},{\"q\":\"shok\",\"correct\":false}]}");
    JsonNode results = JSON.readTree(response.body()).get("results");
    assertThat(results.get(0).get("cache").asText()).isEqualTo("l1");
    assertThat(results.get(0).get("corrected_q").asText()).isEqualTo("wave");
    assertThat(results.get(1).get("cache").asText()).isEqualTo("miss");
    assertThat(results.get(1).get("corrected_q").asText()).isEqualTo("shock");
    assertThat(results.get(2).has("corrected_q")).isFalse();
    assertThat(results.get(2).get("query").asText()).isEqualTo("shok");
  }

  // --- API keys and multi-search

  private String key(java.util.Set<dev.companionbrain.core.auth.Scope> scopes, List<String> tenant, Integer share) {
    String token = dev.companionbrain.core.auth.ApiKeyTokens.generate();
    dev.companionbrain.core.auth.ApiKey key = new dev.companionbrain.core.auth.ApiKey(
        dev.companionbrain.core.auth.ApiKeyTokens.idOf(token), dev.companionbrain.core.auth.ApiKeyTokens.hash(token),
        "team", scopes, tenant, share, millis.get(), null, null);
    apiKeys.put(key.hash(), key);
    return token;
  }

  private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withKeysRequiredEveryEndpointButTheProbesNeedsAKeyWithItsScope() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    HttpResponse<String> none = send("GET", "/search?q=wing", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).at("/error/code").asText()).isEqualTo("missing_key");
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(send("GET", "/search?q=wing", dev.companionbrain.core.auth.ApiKeyTokens.generate(), null).statusCode())
        .isEqualTo(401);
    assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/health/ready", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/openapi.json", null, null).statusCode()).isEqualTo(200);
    String search = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), null, null);
    assertThat(send("GET", "/search?q=wing", search, null).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/search", search, "{\"q\":\"wing\"}").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = send("GET", "/metrics", search, null);
    assertThat(metrics.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(metrics.body()).at("/error/code").asText()).isEqualTo("insufficient_scope");
    assertThat(send("GET", "/documents/d01", search, null).statusCode()).isEqualTo(403);
    String ops = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.METRICS, dev.companionbrain.core.auth.Scope.DOCUMENTS), null, null);
    assertThat(send("GET", "/metrics", ops, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/documents/d01", ops, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/search?q=wing", ops, null).statusCode()).isEqualTo(403);
  }

  @Test
  void aTenantKeySearchesOnlyItsTagsAndCannotReadAnotherTenantsDocument() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    java.util.Set<dev.companionbrain.core.auth.Scope> both = java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH,
        dev.companionbrain.core.auth.Scope.DOCUMENTS);
    String thermal = key(both, List.of("thermal"), null);
    String aero = key(both, List.of("aero"), null);
    String all = key(both, null, null);
    assertThat(send("GET", "/search?q=wing", all, null).statusCode()).isEqualTo(200);
    assertThat(askedTags).isNotEmpty().allSatisfy(tags -> assertThat(tags).isEmpty());
    askedTags.clear();
    // the same query by a tenant is its own window: computed with the tenant's tags, not served from the one above
    assertThat(send("GET", "/search?q=wing", thermal, null).statusCode()).isEqualTo(200);
    assertThat(askedTags).isNotEmpty().allSatisfy(tags -> assertThat(tags).containsExactly("thermal"));
    HttpResponse<String> other = send("GET", "/search?q=wing&tags=aero", thermal, null);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(other.body()).at("/error/code").asText()).isEqualTo("tag_not_allowed");
    // the hydration here gives every document the tag aero
    assertThat(send("GET", "/documents/d01", aero, null).statusCode()).isEqualTo(200);
    HttpResponse<String> hidden = send("GET", "/documents/d01", thermal, null);
    assertThat(hidden.statusCode()).isEqualTo(404);
    assertThat(hidden.body()).contains("no document d01");
  }

  @Test
  void beforeItsPortOpensTheServiceEmbedsOnceAndAsksEachEngineOnceWhateverTheyAnswer() throws Exception {
    List<dev.companionbrain.core.search.backend.RetrievalRequest> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    retrievals.put(Retriever.TEXT, request -> {
      asked.add(request);
      return CompletableFuture.failedFuture(new java.io.IOException("index not made yet"));
    });
    retrievals.put(Retriever.KEYWORD, request -> {
      asked.add(request);
      throw new IllegalStateException("engine gone");
    });
    start(Map.of());
    assertThat(warmUpCalls.get(Retriever.VECTOR)).as("kNN, with the warm-up's vector").isEqualTo(1);
    assertThat(asked).extracting(dev.companionbrain.core.search.backend.RetrievalRequest::q)
        .containsExactlyInAnyOrder(QueryService.WARM_UP_QUERY, QueryService.WARM_UP_QUERY);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void theWorkbenchPageNeedsNoKeyAndServesOnlyItsOwnFilesUnderAStrictPolicy() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    HttpResponse<String> page = send("GET", "/ui", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("Content-Security-Policy")).contains(Workbench.CONTENT_SECURITY_POLICY);
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/workbench.js\"></script>");
    HttpResponse<String> script = send("GET", "/ui/workbench.js", null, null);
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    assertThat(send("GET", "/ui/workbench.css", null, null).headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
    HttpResponse<String> other = send("GET", "/ui/openapi.json", null, null);
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(other.body()).at("/error/code").asText()).isEqualTo("not_found");
  }

  @Test
  void statusShowsReadinessTheGenerationsAgeAndTheLastMinutesAnswersToAMetricsKey() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    publish(4);
    millis.addAndGet(2_500);
    String search = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), null, null);
    String metrics = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.METRICS), null, null);
    assertThat(send("GET", "/search?q=wing", search, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/search?q=wing", search, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/search?q=wing&k=0", search, null).statusCode()).isEqualTo(400);
    assertThat(send("GET", "/status", search, null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/status", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> response = send("GET", "/status", metrics, null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode status = JSON.readTree(response.body());
    assertThat(status.at("/readiness/status").asText()).isEqualTo("ready");
    assertThat(status.at("/readiness/circuit_breakers/vector/state").asText()).isEqualTo("CLOSED");
    assertThat(status.at("/generation/current").asLong()).isEqualTo(4);
    assertThat(status.at("/generation/age_ms").asLong()).isEqualTo(2_500);
    assertThat(status.at("/generation/published_at").asText()).isEqualTo(java.time.Instant.ofEpochMilli(millis.get() - 2_500).toString());
    JsonNode minute = status.at("/answers/1m");
    assertThat(minute.get("answers").asLong()).isEqualTo(3);
    assertThat(minute.at("/statuses/200").asLong()).isEqualTo(2);
    assertThat(minute.at("/statuses/400").asLong()).isEqualTo(1);
    assertThat(minute.at("/sources/miss").asLong()).isEqualTo(1);
    assertThat(minute.at("/sources/l1").asLong()).isEqualTo(1);
    assertThat(minute.get("cache_share").asDouble()).isEqualTo(0.5);
    assertThat(minute.get("p50_ms").isNumber()).isTrue();
    assertThat(status.at("/answers/15m/answers").asLong()).isEqualTo(3);
    assertThat(status.get("bucket_ms").asLong()).isEqualTo(RecentAnswers.BUCKET_MILLIS);
  }

  @Test
  void statusOfAnInstanceThatKnowsNoPublicationSaysSo() throws Exception {
    start(Map.of());
    JsonNode status = JSON.readTree(send("GET", "/status", null, null).body());
    assertThat(status.at("/generation/current").asLong()).isZero();
    assertThat(status.at("/generation/published_at").isNull()).isTrue();
    assertThat(status.at("/generation/age_ms").isNull()).isTrue();
    assertThat(status.at("/answers/5m/cache_share").isNull()).isTrue();
  }

  @Test
  void judgementsAreListedAndScoredWhenLoadedAndNeverForATenantsKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    String search = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), null, null);
    HttpResponse<String> none = send("GET", "/judgements", search, null);
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(none.body()).at("/error/code").asText()).isEqualTo("no_judgements");
    service.close();
    start(Map.of("BRAIN_API_KEYS", "required", "BRAIN_JUDGEMENTS", JudgementsTest.beir(dir).toString()));
    JsonNode listing = JSON.readTree(send("GET", "/judgements", search, null).body());
    assertThat(listing.at("/queries/0/id").asText()).isEqualTo("q1");
    assertThat(listing.at("/queries/0/relevant").toString()).isEqualTo("[\"a\",\"b\"]");
    JsonNode score = JSON.readTree(send("GET", "/judgements/score?query_id=q1&ids=a,x,b", search, null).body());
    assertThat(score.get("ndcg_at_10").asDouble()).isBetween(0.9, 1.0);
    HttpResponse<String> unknown = send("GET", "/judgements/score?query_id=q7&ids=a", search, null);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("unknown_query_id");
    String tenant = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), List.of("aero"), null);
    HttpResponse<String> refused = send("GET", "/judgements", tenant, null);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("tenant_not_allowed");
    assertThat(send("GET", "/judgements", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void aJudgementsFolderWithoutACollectionStopsTheStartNamingTheSetting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(Map.of("BRAIN_JUDGEMENTS", dir.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("BRAIN_JUDGEMENTS: ");
    service = null;
  }

  @Test
  void aMultiSearchAnswersEachSearchInOrderWithItsOwnStatus() throws Exception {
    start(Map.of("BRAIN_MULTI_SEARCH_MAX", "4"));
    HttpResponse<String> response = send("POST", "/multi-search", null,
        "{\"queries\":[{\"q\":\"wing\",\"k\":3},{\"q\":\"wing\",\"k\":0},7,{\"q\":\"flow\",\"mode\":\"keyword\",\"k\":2}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode results = JSON.readTree(response.body()).get("results");
    assertThat(results).hasSize(4);
    assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
    assertThat(results.get(0).get("query").asText()).isEqualTo("wing");
    assertThat(results.get(0).get("hits")).hasSize(3);
    assertThat(results.get(1).get("status").asInt()).isEqualTo(400);
    assertThat(results.get(1).at("/error/code").asText()).isEqualTo("invalid_k");
    assertThat(results.get(2).get("status").asInt()).isEqualTo(400);
    assertThat(results.get(2).at("/error/code").asText()).isEqualTo("invalid_json");
    assertThat(results.get(3).get("status").asInt()).isEqualTo(200);
    assertThat(results.get(3).get("mode").asText()).isEqualTo("keyword");
    assertThat(results.get(3).get("hits")).hasSize(2);
    // each search goes through the cache: the same search alone is now a hit
    assertThat(search("wing&k=3").get("cache").asText()).isEqualTo("l1");
    for (String bad : new String[] {"{}", "{\"queries\":[]}", "{\"queries\":{}}", "[1]",
        "{\"queries\":[{},{},{},{},{}]}"}) {
      HttpResponse<String> refused = send("POST", "/multi-search", null, bad);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
    }
  }

  @Test
  void aMultiSearchAnswersItsCachedSearchesFromL1AndTheRestInOrderThroughTheCache() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    java.util.Set<dev.companionbrain.core.auth.Scope> search = java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH);
    String aero = key(search, List.of("aero"), null);
    assertThat(send("GET", "/search?q=wing&k=3", aero, null).statusCode()).isEqualTo(200);
    calls.values().forEach(c -> c.set(0));
    HttpResponse<String> response = send("POST", "/multi-search", aero,
        "{\"queries\":[{\"q\":\"flow\"},{\"q\":\"wing\",\"k\":2,\"offset\":1},{\"q\":\"wing\",\"tags\":[\"thermal\"]},"
            + "{\"q\":\"wing\",\"explain\":true},{\"q\":\" \"},\"x\"]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode results = JSON.readTree(response.body()).get("results");
    assertThat(results).hasSize(6);
    assertThat(results.get(0).get("cache").asText()).isEqualTo("miss");
    assertThat(results.get(0).get("query").asText()).isEqualTo("flow");
    // the tenant's window of "wing", whatever the page: from L1, the page cut from it
    assertThat(results.get(1).get("cache").asText()).isEqualTo("l1");
    assertThat(results.get(1).get("status").asInt()).isEqualTo(200);
    assertThat(ids(results.get(1))).isEqualTo(ids(JSON.readTree(send("GET", "/search?q=wing&k=3", aero, null).body())).subList(1, 3));
    assertThat(results.get(2).get("status").asInt()).isEqualTo(403);
    assertThat(results.get(2).at("/error/code").asText()).isEqualTo("tag_not_allowed");
    assertThat(results.get(3).get("cache").asText()).isEqualTo("l1");
    assertThat(results.get(3).at("/hits/0/explain").isObject()).isTrue();
    assertThat(results.get(4).at("/error/code").asText()).isEqualTo("invalid_query");
    assertThat(results.get(5).at("/error/code").asText()).isEqualTo("invalid_json");
    // only "flow" reached the retrievers
    calls.values().forEach(c -> assertThat(c.get()).isEqualTo(1));
    // every search counts once in /status and has its latency event
    JsonNode minute = JSON.readTree(send("GET", "/status", key(java.util.Set.of(dev.companionbrain.core.auth.Scope.METRICS), null, null),
        null).body()).at("/answers/1m");
    assertThat(minute.at("/sources/l1").asLong()).as("two of the multi-search, the second GET").isEqualTo(3);
    assertThat(minute.at("/statuses/403").asLong()).isEqualTo(1);
    // "x" is not a search at all: answered 400 in its place, counted nowhere
    assertThat(minute.at("/statuses/400").asLong()).isEqualTo(1);
    assertThat(minute.get("answers").asLong()).isEqualTo(7);
    // one latency event per request: the multi-search's carries the windows of its three answered searches, in order
    org.awaitility.Awaitility.await().until(() -> latency.history().size() == 3);
    LatencyEvent multi = LatencyEvent.fromJson(latency.history().get(1).value());
    assertThat(multi.endpoint()).isEqualTo("multi-search");
    assertThat(multi.status()).isEqualTo(200);
    assertThat(multi.window()).isNull();
    assertThat(multi.windows()).extracting(WindowQuery::q).containsExactly("flow", "wing", "wing");
    assertThat(multi.windows()).allSatisfy(w -> assertThat(w.tags()).containsExactly("aero"));
    assertThat(multi.cache()).isEqualTo("mixed");
    assertThat(multi.mode()).as("the blank query's mode was never read").isEqualTo("mixed");
    assertThat(multi.backends()).as("flow asked every engine").containsOnlyKeys("text", "keyword", "vector");
  }

  @Test
  void answersAreExactlyTheirJsonAndEverySearchGivesItsPermitBack() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    String one = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), null, 1);
    com.fasterxml.jackson.databind.ObjectReader strict = JSON.reader()
        .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    // a share of one: a permit not given back would refuse the second search
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> single = send("GET", "/search?q=wing&k=" + (1 + i % 5), one, null);
      assertThat(single.statusCode()).as(single.body()).isEqualTo(200);
      assertThat(strict.readTree(single.body()).get("hits")).hasSize(1 + i % 5);
      HttpResponse<String> multi = send("POST", "/multi-search", one, "{\"queries\":[{\"q\":\"wing\"},{\"q\":\"flow " + i
          + "\"},{\"k\":0}]}");
      assertThat(multi.statusCode()).as(multi.body()).isEqualTo(200);
      assertThat(multi.body()).as("no byte after the answer").endsWith("}");
      JsonNode results = strict.readTree(multi.body()).get("results");
      assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
      assertThat(results.get(1).get("status").asInt()).isEqualTo(200);
      assertThat(results.get(2).get("status").asInt()).isEqualTo(400);
    }
  }

  @Test
  void aMultiSearchWithNoCacheComputesEverySearchAfreshAndTheEventsSayWhatEachAsked() throws Exception {
    start(Map.of());
    search("wing");
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/multi-search"))
        .header("Cache-Control", "no-cache").POST(HttpRequest.BodyPublishers.ofString("{\"queries\":[{\"q\":\"wing\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(response.body()).at("/results/0/cache").asText()).isEqualTo("bypass");
    search("wing");
    org.awaitility.Awaitility.await().until(() -> latency.history().size() == 3);
    List<LatencyEvent> events = latency.history().stream().map(r -> LatencyEvent.fromJson(r.value())).toList();
    assertThat(events).extracting(LatencyEvent::cache).containsExactly("miss", "bypass", "l1");
    assertThat(events).extracting(LatencyEvent::endpoint).containsExactly("search", "multi-search", "search");
    assertThat(events.get(1).mode()).isEqualTo("hybrid");
    assertThat(events.get(1).windows()).extracting(WindowQuery::q).containsExactly("wing");
    assertThat(events.get(0).backends()).containsOnlyKeys("text", "keyword", "vector");
    assertThat(events.get(1).backends()).containsOnlyKeys("text", "keyword", "vector");
    assertThat(events.get(2).backends()).as("a cached answer asked no engine").isEmpty();
    assertThat(events).allSatisfy(e -> assertThat(e.tookMs()).isPositive().isLessThan(60_000));
  }

  @Test
  void aMultiSearchRunsWithinTheCallersShareAndIsRefusedWhenItIsTaken() throws Exception {
    start(Map.of("BRAIN_API_KEYS", "required"));
    String one = key(java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH), null, 1);
    HttpResponse<String> response = send("POST", "/multi-search", one,
        "{\"queries\":[{\"q\":\"a\"},{\"q\":\"b\"},{\"q\":\"c\"}]}");
    assertThat(response.statusCode()).isEqualTo(200);
    JSON.readTree(response.body()).get("results").forEach(r -> assertThat(r.get("status").asInt()).isEqualTo(200));
  }

  @Test
  void atTheComputationsLimitASearchIsServedStaleOrRefusedAt429AndNoBreakerCountsIt() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<List<ScoredId>> held = new CompletableFuture<>();
    Retrieval ranked = ranking(Retriever.KEYWORD, 11);
    // the keyword engine holds "slow" until the test lets it go
    retrievals.put(Retriever.KEYWORD, request -> {
      if (request.q().equals("slow")) {
        entered.countDown();
        return held;
      }
      return ranked.search(request);
    });
    start(Map.of("BRAIN_COMPUTE_LIMIT", "1", "BRAIN_KEYWORD_TIMEOUT_MS", "10000", "BRAIN_SATURATED_MAX_STALENESS_MS", "5000"));
    publish(1);
    search("wing&mode=keyword");
    millis.addAndGet(1000);
    publish(2);
    millis.addAndGet(1000); // past the bound of 300 ms, within the saturated one
    CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(service.url() + "/search?q=slow&mode=keyword")).build(),
        HttpResponse.BodyHandlers.ofString());
    entered.await();

    JsonNode stale = search("wing&mode=keyword");
    assertThat(stale.get("cache").asText()).isEqualTo("l1");
    assertThat(stale.get("generation").asLong()).isEqualTo(1);
    assertThat(stale.get("stale_ms").asLong()).isEqualTo(1000);
    HttpResponse<String> refused = get("/search?q=never+asked&mode=keyword");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("too_many_requests");
    HttpResponse<String> noCache = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search?q=wing&mode=keyword"))
        .header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noCache.statusCode()).isEqualTo(429);

    held.complete(List.of(new ScoredId("d01", 1.0)));
    assertThat(slow.get().statusCode()).isEqualTo(200);
    assertThat(get("/search?q=never+asked&mode=keyword").statusCode()).as("the limit is free again").isEqualTo(200);
    JsonNode ready = JSON.readTree(get("/health/ready").body());
    ready.get("circuit_breakers").forEach(b -> assertThat(b.get("state").asText()).as(b.toString()).isEqualTo("CLOSED"));
    assertThat(ready.get("circuit_breakers").size()).isEqualTo(3);
  }
}
