package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.jobs.warming.CacheWarmingJob;
import dev.companionbrain.core.cache.RedisConnector;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStackExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The window cache on the real engines and Redis: warming, the staleness bound with generations
 * and time driven by hand, and stable pages across pages and instances. The documents are indexed
 * by the real IndexingJob, which is then stopped, so that every generation here is the test's own;
 * but for the judging of a live index, where the job runs again and its generations list what they
 * changed.
 */
@ExtendWith(LocalStackExtension.class)
class CacheIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static IndexingConfig indexing;
  private static Endpoints endpoints;
  /** The Redis login of the services the tests start (the default user here; CacheOnRedisClusterIT's is the least-privilege one). */
  static String serviceRedisUri;
  private static RedisConnector redisClient;
  private static RedisConnector.Connection redis;
  private static RedisConnector.BinaryConnection windows;
  private static final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

  @BeforeAll
  static void index(Endpoints stackEndpoints) throws Exception {
    endpoints = stackEndpoints;
    serviceRedisUri = endpoints.redisUri();
    Engines engines = new Engines(endpoints);
    indexing = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 500);
    for (String[] d : QueryServiceIT.CORPUS) {
      engines.produce(indexing.documentsTopic(), d[0], Engines.doc(d[0], d[1], d[2], d[3]));
    }
    engines.flush();
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    JobClient job = IndexingJob.start(StreamExecutionEnvironment.createLocalEnvironment(1, conf), indexing);
    int n = QueryServiceIT.CORPUS.length;
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
        engines.esCount(indexing.index()) == n && engines.meiliCount(indexing.index()) == n);
    job.cancel().get();
    redisClient = RedisConnector.create(endpoints.redisUri(), RedisConnector.Options.WRITING);
    redis = redisClient.connect();
    windows = redisClient.connectBinary();
  }

  @AfterAll
  static void close() {
    if (windows != null) {
      windows.close();
    }
    if (redis != null) {
      redis.close();
      redisClient.close();
    }
  }

  /** A service as QueryServiceIT configures it, with the warming topics of this test and the given cache settings. */
  private static QueryConfig config(long maxStaleMillis, boolean warming) {
    return QueryServiceIT.configFor(endpoints, serviceRedisUri, indexing, 64, Map.of(
        "BRAIN_CACHE_WARM_TOPIC", indexing.index() + "-cache.warm",
        "BRAIN_CACHE_WARMERS_GROUP", indexing.index() + "-warmers",
        "BRAIN_MAX_STALENESS_MS", Long.toString(maxStaleMillis),
        "BRAIN_CACHE_WARMING", Boolean.toString(warming)));
  }

  /** A service whose staleness clock is the test's. */
  private static QueryService start(QueryConfig config) {
    return QueryService.start(config, Wiring.fromConfig(config, Ticker.systemTicker(), clock::get));
  }

  /** The window L2 holds at {@code key}, read as the service reads it. */
  private static Optional<CandidateWindow> storedWindow(String key) throws Exception {
    byte[] kept = windows.async().get(key).get(5, TimeUnit.SECONDS);
    return kept == null ? Optional.empty() : RedisStore.decode(kept);
  }

  /** What the indexing job does after a checkpoint: a new generation, published at the test's clock. */
  private static long publishGeneration() {
    long generation = redis.sync().incr(RedisKeys.GENERATION);
    String notice = new GenerationNotice(generation, clock.get(), 1, clock.get() - 100).toJson();
    redis.sync().set(RedisKeys.GENERATION_NOTICE, notice);
    redis.sync().publish(RedisKeys.GENERATION_CHANNEL, notice);
    return generation;
  }

  private static JsonNode search(QueryService s, String query) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/search?" + query)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static long generationOf(QueryService s) throws Exception {
    HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(ready.body()).get("generation").asLong();
  }

  private static String q(String text) {
    return "q=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static List<String> ids(JsonNode response) {
    List<String> ids = new ArrayList<>();
    response.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    return ids;
  }

  @Test
  void theWarmingJobsPopularWindowIsAnL2HitOnAFreshInstancesFirstRequest() throws Exception {
    String ns = indexing.index();
    CacheWarmingJob.Config warming = new CacheWarmingJob.Config(indexing.kafkaBootstrapServers(), ns + "-search.latency",
        ns + "-index.generations", ns + "-cache.warm", ns + "-warming", 3, Duration.ofSeconds(300), (short) 1);
    WindowQuery popular = SearchQuery.fromParams(Map.of("q", "supersonic shock wave")::get, defaults()).window(100);
    JobClient job = CacheWarmingJob.start(StreamExecutionEnvironment.createLocalEnvironment(1), warming);
    try (QueryService warmer = start(config(250, true));
         KafkaProducer<String, byte[]> producer = producer()) {
      // the service's own latency events tell the job what is popular
      for (int i = 0; i < 5; i++) {
        search(warmer, q("supersonic shock wave"));
      }
      // what the indexing job does after a checkpoint, on Redis and on the generations topic; announced
      // again until the job (which reads notices from the latest offset) and the warmer have both caught on
      long[] generation = {0};
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        generation[0] = publishGeneration();
        producer.send(new ProducerRecord<>(warming.generationsTopic(), Long.toString(generation[0]),
            redis.sync().get(RedisKeys.GENERATION_NOTICE).getBytes(StandardCharsets.UTF_8))).get();
        return storedWindow(popular.cacheKey()).map(w -> w.generation() >= generation[0] - 1).orElse(false);
      });
      long warmed = storedWindow(popular.cacheKey()).orElseThrow().generation();
      try (QueryService fresh = start(config(250, false))) {
        await().until(() -> generationOf(fresh) == generation[0]);
        JsonNode first = search(fresh, q("Supersonic  shock wave"));
        assertThat(first.get("cache").asText()).as("its very first request").isEqualTo("l2");
        assertThat(first.get("generation").asLong()).isBetween(warmed, generation[0]); // warmed again, maybe
        assertThat(first.get("stale_ms").asLong()).isLessThanOrEqualTo(250);
        assertThat(ids(first)).contains("shock");
      }
    } finally {
      job.cancel().get();
    }
  }

  private static SearchDefaults defaults() {
    return QueryConfig.from(new Settings(Map.of())).defaults();
  }

  private static KafkaProducer<String, byte[]> producer() {
    Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, indexing.kafkaBootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  @Test
  void aLiveIndexCarriesUntouchedWindowsPatchesTheOthersAndNeverServesADeletedDocument() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    JobClient job = null;
    try (QueryService service = start(config(60_000, false));
        KafkaProducer<String, byte[]> producer = producer()) {
      String pipes = "q=" + URLEncoder.encode("heat transfer pipes", StandardCharsets.UTF_8) + "&mode=keyword";
      String bread = "q=" + URLEncoder.encode("sourdough bread", StandardCharsets.UTF_8) + "&mode=keyword";
      job = IndexingJob.start(StreamExecutionEnvironment.createLocalEnvironment(1, conf), indexing);
      // the job may read part of the corpus again after its restart: a marker tells when it caught up
      producer.send(new ProducerRecord<>(indexing.documentsTopic(), "marker", Engines.doc("marker",
          "Restart marker", "nothing the queries ask for").getBytes(StandardCharsets.UTF_8))).get();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
        String notice = redis.sync().get(RedisKeys.GENERATION_NOTICE);
        GenerationNotice n = notice == null ? null : GenerationNotice.fromJson(notice);
        return n != null && n.listsChanges() && n.upserted().contains("marker") && generationOf(service) >= n.generation();
      });
      JsonNode pipesBefore = search(service, pipes);
      List<String> breadBefore = ids(search(service, bread));
      assertThat(ids(pipesBefore)).contains("heat");
      assertThat(search(service, bread).get("cache").asText()).isEqualTo("l1");
      long before = generationOf(service);

      // a new document that belongs at the top of one window and nowhere near the other
      producer.send(new ProducerRecord<>(indexing.documentsTopic(), "pipes2", Engines.doc("pipes2",
          "Heat transfer in pipes", "Heat transfer in pipes: heat transfer coefficients of pipes, heat in pipes.", "thermal")
          .getBytes(StandardCharsets.UTF_8))).get();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        JsonNode answer = search(service, pipes);
        assertThat(answer.get("generation").asLong()).isGreaterThan(before).isEqualTo(generationOf(service));
        assertThat(answer.get("cache").asText()).isEqualTo("l1");
        assertThat(ids(answer)).contains("pipes2");
      });
      // patched: what a fresh computation at this generation gives, the new document at its place
      JsonNode patched = search(service, pipes);
      JsonNode fresh = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search?" + pipes))
          .header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString()).body());
      assertThat(ids(patched)).isEqualTo(ids(fresh));
      assertThat(ids(pipesBefore)).doesNotContain("pipes2");
      // carried: the other window is current at the new generation without a computation, unchanged
      JsonNode carried = search(service, bread);
      assertThat(carried.get("cache").asText()).isEqualTo("l1");
      assertThat(carried.get("generation").asLong()).isEqualTo(patched.get("generation").asLong());
      assertThat(ids(carried)).isEqualTo(breadBefore);
      String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      String judged = String.join("\n", metrics.lines().filter(l -> l.startsWith("brain_cache_")).toList());
      assertThat(metric(metrics, "brain_cache_judged_windows_total{result=\"carried\"}")).as(judged).isPositive();
      assertThat(metric(metrics, "brain_cache_judged_windows_total{result=\"patched\"}")).as(judged).isPositive();

      // a delete (of the new document, so the corpus is the other tests' again): from the generation
      // that holds it on, no cached answer contains the document
      long beforeDelete = generationOf(service);
      producer.send(new ProducerRecord<>(indexing.documentsTopic(), "pipes2",
          "{\"op\":\"delete\",\"id\":\"pipes2\"}".getBytes(StandardCharsets.UTF_8))).get();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> generationOf(service) > beforeDelete);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
        JsonNode answer = search(service, pipes);
        assertThat(ids(answer)).doesNotContain("pipes2").contains("heat");
        assertThat(answer.get("generation").asLong()).isGreaterThan(beforeDelete);
        assertThat(answer.get("cache").asText()).isEqualTo("l1");
      });
      for (int i = 0; i < 20; i++) {
        assertThat(ids(search(service, pipes))).doesNotContain("pipes2");
      }
    } finally {
      if (job != null) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
          for (String id : List.of("pipes2", "marker")) {
            producer.send(new ProducerRecord<>(indexing.documentsTopic(), id,
                ("{\"op\":\"delete\",\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8))).get();
          }
        }
        Engines engines = new Engines(endpoints);
        await().atMost(Duration.ofSeconds(60)).until(() -> engines.esCount(indexing.index()) == QueryServiceIT.CORPUS.length
            && engines.meiliCount(indexing.index()) == QueryServiceIT.CORPUS.length);
        // and their generation announced: a job cancelled while it announces one announces it late,
        // over the generations the next tests publish themselves
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
          long newest = Long.parseLong(redis.sync().get(RedisKeys.GENERATION));
          String notice = redis.sync().get(RedisKeys.GENERATION_NOTICE);
          if (notice == null || GenerationNotice.fromJson(notice).generation() != newest) {
            return false; // a generation counted but not announced yet
          }
          java.util.Set<String> deleted = new HashSet<>();
          for (long g = Math.max(1, newest - 20); g <= newest; g++) {
            String one = redis.sync().get(RedisKeys.generationNotice(g));
            if (one != null && GenerationNotice.fromJson(one).listsChanges()) {
              deleted.addAll(GenerationNotice.fromJson(one).deleted());
            }
          }
          return deleted.containsAll(List.of("pipes2", "marker"));
        });
        job.cancel().get();
      }
    }
  }

  /** One sample of a /metrics text, by its name and labels as Prometheus writes them (0 when absent). */
  private static double metric(String body, String series) {
    return body.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
        .findFirst().orElse(0);
  }

  @Test
  void anAnswerPastTheStalenessBoundIsNeverServed() throws Exception {
    long bound = 250;
    try (QueryService service = start(config(bound, false))) {
      String query = q("heat transfer pipes " + System.nanoTime());
      long g1 = publishGeneration();
      await().until(() -> generationOf(service) == g1);
      JsonNode computed = search(service, query);
      assertThat(computed.get("cache").asText()).isEqualTo("miss");
      assertThat(computed.get("generation").asLong()).isEqualTo(g1);

      // superseded 100 ms ago: served stale, and refreshed in the background
      long g2 = publishGeneration();
      await().until(() -> generationOf(service) == g2);
      clock.addAndGet(100);
      JsonNode stale = search(service, query);
      assertThat(stale.get("cache").asText()).isEqualTo("l1");
      assertThat(stale.get("generation").asLong()).isEqualTo(g1);
      assertThat(stale.get("stale_ms").asLong()).isEqualTo(100);
      await().untilAsserted(() -> assertThat(search(service, query).get("generation").asLong()).isEqualTo(g2));

      // superseded past the bound before anyone asked: neither L1 nor L2 may answer with it
      long g3 = publishGeneration();
      await().until(() -> generationOf(service) == g3);
      clock.addAndGet(bound + 1);
      JsonNode fresh = search(service, query);
      assertThat(fresh.get("cache").asText()).isEqualTo("miss");
      assertThat(fresh.get("generation").asLong()).isEqualTo(g3);
      assertThat(fresh.get("stale_ms").asLong()).isZero();
      try (QueryService other = start(config(bound, false))) {
        long g4 = publishGeneration();
        await().until(() -> generationOf(other) == g4 && generationOf(service) == g4);
        clock.addAndGet(bound + 1);
        JsonNode fromOther = search(other, query);
        assertThat(fromOther.get("cache").asText()).as("L2 holds generation %d, past the bound", g3).isEqualTo("miss");
        assertThat(fromOther.get("generation").asLong()).isEqualTo(g4);
      }
    }
  }

  @Test
  void pagesAreStableAcrossAQuerysPagesAndAcrossInstances() throws Exception {
    long generation = publishGeneration();
    try (QueryService a = start(config(250, false)); QueryService b = start(config(250, false))) {
      await().until(() -> generationOf(a) == generation && generationOf(b) == generation);
      String text = "flow over plates and shells " + System.nanoTime();
      String query = q(text);
      JsonNode whole = search(a, query + "&k=6");
      // a writes its window to L2 without waiting for the write: the other instance reads it once there;
      // its key is of the query searched ("plates" is not a word of the corpus: corrected to "plate")
      String searched = whole.has("corrected_q") ? whole.get("corrected_q").asText() : text;
      WindowQuery window = SearchQuery.fromParams(Map.of("q", searched)::get, defaults()).window(100);
      await().until(() -> storedWindow(window.cacheKey()).isPresent());
      List<String> paged = new ArrayList<>();
      QueryService[] instances = {b, a, b};
      for (int page = 0; page < 3; page++) {
        JsonNode response = search(instances[page], query + "&k=2&offset=" + (2 * page));
        assertThat(response.get("total").asInt()).isEqualTo(whole.get("total").asInt());
        assertThat(response.get("cache").asText()).isIn("l1", "l2");
        paged.addAll(ids(response));
      }
      assertThat(paged).hasSize(6).doesNotHaveDuplicates().isEqualTo(ids(whole));
      assertThat(new HashSet<>(paged)).hasSize(6);
      assertThat(whole.get("total").asInt()).isEqualTo(QueryServiceIT.CORPUS.length);
    }
  }
}
