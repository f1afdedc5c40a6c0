package dev.companionbrain.bench;

import dev.companionbrain.cli.EmbeddedProduct;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.backend.Bm25Retrieval;
import dev.companionbrain.core.search.backend.ElasticsearchSearch;
import dev.companionbrain.core.search.backend.KnnRetrieval;
import dev.companionbrain.core.search.backend.MeilisearchRetrieval;
import dev.companionbrain.core.search.backend.RetrievalRequest;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStack;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load test with wrk over a collection's queries, all scenarios in one run on the same engines:
 * the service's trivial endpoint, cached hybrid, uncached hybrid/text/keyword/vector (header
 * Cache-Control: no-cache, which also skips the query-embedding cache; uncached hybrid once more with
 * {@code correct=false}, the reference of what the typo correction costs), and the same searches sent
 * to the engines directly (the bodies the service itself sends). The query embedding alone is timed
 * in process; the service runs in a JVM of its own. The floor under the single-retriever ratios (the
 * service's trivial endpoint at the latency connections, a Redis MGET of hydration entries) and the
 * engines with a 1 ms pause between requests are measured too. The scenarios run on two stacks, one
 * after the other ({@code --stacks}): the benchmark's own and {@code ./brain up} itself
 * ({@link UpProcess}); on each, Meilisearch's own hybrid search over the product's vectors
 * ({@link MeilisearchHybridCopy}) and the service's per-request timers of uncached answers. On the
 * benchmark's stack, the uncached hybrid and vector searches once more with each other embedding model
 * (scenario {@code models}). Ratios against the targets are computed from this one run.
 */
@Command(name = "load", description = "Load-test the query service and the engines directly with wrk (see BENCHMARKS.md).")
final class LoadBenchmark implements Callable<Integer> {
  @Option(names = "--collection", required = true, description = "SMART or BEIR folder (e.g. ../shared/data/cranfield)")
  Path collection;

  @Option(names = "--duration", description = "seconds per scenario (default 15)")
  int duration = 15;

  @Option(names = "--connections", description = "wrk connections (default 16)")
  int connections = 16;

  @Option(names = "--threads", description = "wrk threads (default 2)")
  int threads = 2;

  @Option(names = "--latency-connections", description = "wrk connections of the uncached and engine scenarios, "
      + "whose p50s are compared (default 1: latency without queueing; an uncached hybrid request alone already keeps "
      + "the embedder and two engines busy at once)")
  int latencyConnections = 1;

  @Option(names = "--warmup", description = "seconds of unmeasured load before each scenario, so that the JIT "
      + "compilers of the service and of OpenSearch are done before measuring (default 20: with 5, uncached hybrid "
      + "measured a p50 twice its warm one)")
  int warmup = 20;

  @Option(names = "--scenarios", split = ",", description = "only these scenarios, for a quicker look at a few of them "
      + "(default: all; of " + SCENARIO_NAMES + "); the report gives the ratios whose scenarios ran")
  List<String> scenarios = List.of();

  @Option(names = "--profile", description = "write a JFR recording (settings=profile) of the service's JVM for the whole "
      + "run to this file, to find where an endpoint's time goes (jfr print --events jdk.ExecutionSample FILE)")
  Path profile;

  /** The scenarios {@code --scenarios} can name, each a group of the runs below. */
  static final String SCENARIO_NAMES = "trivial, cached, keys-off, uncached, multi5, multi50, modes, engines, floors, models";
  private static final List<String> SCENARIOS = List.of(SCENARIO_NAMES.split(", "));

  /** Whether {@code scenario} (one of {@link #SCENARIOS}) runs. */
  private boolean selected(String scenario) {
    if (!SCENARIOS.contains(scenario)) {
      throw new IllegalArgumentException("no scenario " + scenario);
    }
    return scenarios.isEmpty() || scenarios.contains(scenario);
  }

  /**
   * @param machineCores the cores the whole machine was busy, on average, while the scenario was measured
   * @param serviceCores the cores the query service(s) took meanwhile
   * @param stolenCores the cores the hypervisor took meanwhile (inside machineCores): on a shared host,
   *     what makes one run's figures slower than another's with nothing changed
   */
  record Result(String name, double rps, double p50, double p95, double p99, long requests, long errors, double machineCores,
      double serviceCores, double stolenCores) {
    /**
     * The machine's CPU time per request, ms: what one request costs wrk, the service and the engines
     * together (the time the host stole left out).
     */
    double machineMsPerRequest() {
      return (machineCores - stolenCores) / rps * 1000;
    }
  }

  /** The query services' pids, whose CPU each scenario reports. */
  private final List<Long> servicePids = new ArrayList<>();

  @Option(names = "--stacks", split = ",", description = "the stacks the scenarios run on, one after the other: bench (the "
      + "engines and a query service in a JVM of its own, the indexing job stopped once the collection is in) and up "
      + "(./brain up itself: the Flink cluster with its three jobs running, the service in the CLI's JVM, Prometheus "
      + "scraping; its trivial, cached, uncached, modes and engines scenarios); default bench,up")
  List<String> stacks = List.of(BENCH, UP);

  private static final String BENCH = "bench";
  private static final String UP = "up";

  /** What the scenarios of one stack measured, by scenario name. */
  private static final class Figures {
    final String stack;
    final Map<String, Result> results = new LinkedHashMap<>();
    double embedP50;
    double mgetP50 = Double.NaN;
    /** Query embedding p50 of each other model ({@code models} scenario), ms, by model. */
    final Map<EmbeddingModel, Double> otherEmbedP50 = new LinkedHashMap<>();
    /** Per-request timers of uncached hybrid answers ({@code explain=true}): p50 of each, ms. */
    final Map<String, Double> breakdown = new LinkedHashMap<>();

    Figures(String stack) {
      this.stack = stack;
    }

    void add(Result r) {
      results.put(r.name(), r);
    }

    /** NaN for a scenario that did not run, so the ratios it is part of say "not run". */
    double p50(String name) {
      return results.containsKey(name) ? results.get(name).p50() : Double.NaN;
    }

    double rps(String name) {
      return results.containsKey(name) ? results.get(name).rps() : Double.NaN;
    }
  }

  /**
   * Where one stack's scenarios send their requests.
   *
   * @param openBase a second service with keys off (null: none, the keys-off scenario does not run)
   */
  private record Target(Endpoints e, String index, String base, String apiKey, String openBase, Path work) {}

  @Override
  public Integer call() throws Exception {
    for (String scenario : scenarios) {
      if (!SCENARIOS.contains(scenario)) {
        System.err.println("--scenarios: no scenario '" + scenario + "'; they are " + SCENARIO_NAMES);
        return 2;
      }
    }
    for (String stack : stacks) {
      if (!List.of(BENCH, UP).contains(stack)) {
        System.err.println("--stacks: no stack '" + stack + "'; they are " + BENCH + ", " + UP);
        return 2;
      }
    }
    String wrk = Path.of("/usr/bin/wrk").toFile().canExecute() ? "/usr/bin/wrk" : "wrk";
    TestCollection c = TestCollections.read(collection);
    List<String> queries = new ArrayList<>();
    for (CollectionQuery q : c.queries()) {
      queries.add(q.text().length() > SearchQuery.MAX_QUERY_CHARS ? q.text().substring(0, SearchQuery.MAX_QUERY_CHARS) : q.text());
    }
    Path lua = Path.of("bench", "requests.lua").toAbsolutePath();
    Embedder embedder = dev.companionbrain.cli.EmbeddedProduct.embedder();
    List<Figures> passes = new ArrayList<>();
    for (String stack : stacks) {
      Path work = Files.createTempDirectory("brain-load-");
      try {
        passes.add(stack.equals(BENCH) ? benchStack(c, queries, embedder, wrk, lua, work) : upStack(c, queries, embedder, wrk, lua,
            work));
      } finally {
        dev.companionbrain.localstack.Folders.delete(work);
      }
    }
    String report = report(passes);
    System.out.println(report);
    Path out = Path.of("bench-reports");
    Files.createDirectories(out);
    // seconds always written (LocalDateTime.toString leaves ":00" out)
    Path file = out.resolve("load-" + LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern(
        "yyyy-MM-dd'T'HH-mm-ss")) + ".md");
    Files.writeString(file, report);
    System.out.println("report: " + file);
    return 0;
  }

  /**
   * The benchmark's own stack: the engines, the collection indexed by an IndexingJob in this JVM that is
   * then cancelled, and the query service in a JVM of its own (and a second one with keys off).
   */
  private Figures benchStack(TestCollection c, List<String> queries, Embedder embedder, String wrk, Path lua, Path work)
      throws Exception {
    Figures figures = new Figures(BENCH);
    try (LocalStack stack = LocalStack.start()) {
      Endpoints e = stack.endpoints();
      String index = "load-" + Long.toHexString(System.nanoTime());
      IndexingConfig indexing = EmbeddedProduct.indexing(e, index + "-documents", index + "-dlq", index);
      JobClient job = IndexingJob.start(StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration()), indexing);
      long expected = EmbeddedProduct.indexable(c);
      EmbeddedProduct.publish(c, indexing);
      System.out.println("indexing " + expected + " documents…");
      EmbeddedProduct.awaitIndexed(e, index, expected, n -> { });
      job.cancel().get(); // the indexing job leaves the CPU to the load test

      int port = dev.companionbrain.localstack.Ports.free();
      String apiKey = benchKey(e.redisUri());
      // the key check's cost: the cached scenario also on a service with keys off, right after the one with keys on
      int openPort = dev.companionbrain.localstack.Ports.free();
      List<String> jvmOptions = profile == null ? List.of()
          : List.of("-XX:StartFlightRecording=settings=profile,filename=" + profile.toAbsolutePath());
      try (ServiceProcess service = ServiceProcess.start(
          EmbeddedProduct.queryEnvironment(e, index, port, Map.of(Setting.MAX_CONCURRENT_SEARCHES.variable(), "256")), port, work,
          System.getProperty("java.class.path"), 0, jvmOptions);
          ServiceProcess open = !selected("keys-off") ? null : ServiceProcess.start(EmbeddedProduct.queryEnvironment(e, index,
              openPort, Map.of(Setting.MAX_CONCURRENT_SEARCHES.variable(), "256", Setting.API_KEYS.variable(), "off")), openPort,
              work)) {
        servicePids.clear();
        servicePids.add(service.process().pid());
        if (open != null) {
          servicePids.add(open.process().pid());
        }
        scenarios(figures, new Target(e, index, "http://127.0.0.1:" + port, apiKey, open == null ? null : "http://127.0.0.1:"
            + openPort, work), c, queries, embedder, wrk, lua);
      }
      for (EmbeddingModel model : selected("models") ? List.of(EmbeddingModel.values()) : List.<EmbeddingModel>of()) {
        if (model != embedder.model()) {
          otherModel(figures, new Target(e, index, null, apiKey, null, work), c, queries, model, wrk, lua);
        }
      }
    }
    return figures;
  }

  /**
   * {@code ./brain up} itself ({@link UpProcess}): the collection pushed into its documents topic and
   * indexed by its IndexingJob on the Flink cluster, the three jobs left running, the service as up
   * starts it. The scenarios of #24's targets run on it; multi-search, keys off and the floors only on
   * the benchmark's stack.
   */
  private Figures upStack(TestCollection c, List<String> queries, Embedder embedder, String wrk, Path lua, Path work)
      throws Exception {
    Figures figures = new Figures(UP);
    try (UpProcess up = UpProcess.start()) {
      Endpoints e = new Endpoints(up.endpoint("kafka"), up.endpoint("elasticsearch"), up.endpoint("meilisearch"),
          up.endpoint("meilisearch_key"), null, up.endpoint("redis"));
      String index = up.endpoint("index");
      long expected = EmbeddedProduct.indexable(c);
      EmbeddedProduct.publish(c, e.kafkaBootstrapServers(), up.endpoint("documents_topic"));
      System.out.println("indexing " + expected + " documents through brain up's IndexingJob…");
      EmbeddedProduct.awaitIndexed(e, index, expected, n -> { });
      StackRun.settle();
      servicePids.clear();
      servicePids.add(up.pid()); // the CLI's JVM, which runs the query service
      scenarios(figures, new Target(e, index, up.endpoint("query_service"), benchKey(e.redisUri()), null, work), c, queries,
          embedder, wrk, lua);
    }
    return figures;
  }

  /**
   * The uncached hybrid and vector searches with {@code model} instead of the service's: the collection
   * indexed again, into an index of its own, by a job that embeds with it, and a service started with it
   * ({@code BRAIN_EMBEDDING_MODEL}); its query embedding timed in process.
   */
  private void otherModel(Figures figures, Target t, TestCollection c, List<String> queries, EmbeddingModel model, String wrk,
      Path lua) throws Exception {
    Endpoints e = t.e();
    String index = t.index() + "-" + model.name().toLowerCase(Locale.ROOT);
    Map<String, String> chosen = Map.of(Setting.EMBEDDING_MODEL.variable(), model.wireName());
    IndexingConfig indexing = EmbeddedProduct.indexing(e, index + "-documents", index + "-dlq", index, chosen);
    JobClient job = IndexingJob.start(StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration()), indexing);
    EmbeddedProduct.publish(c, indexing);
    System.out.println("indexing the collection again, embedded with " + model.wireName() + "…");
    EmbeddedProduct.awaitIndexed(e, index, EmbeddedProduct.indexable(c), n -> { });
    job.cancel().get();
    figures.otherEmbedP50.put(model, embedP50(Embedder.of(model), queries, new ArrayList<>()));
    int port = dev.companionbrain.localstack.Ports.free();
    Map<String, String> env = new HashMap<>(chosen);
    env.put(Setting.MAX_CONCURRENT_SEARCHES.variable(), "256");
    try (ServiceProcess service = ServiceProcess.start(EmbeddedProduct.queryEnvironment(e, index, port, env), port, t.work())) {
      servicePids.clear();
      servicePids.add(service.process().pid());
      List<String> headers = List.of("Authorization: Bearer " + t.apiKey(), "Cache-Control: no-cache");
      for (String mode : List.of("hybrid", "vector")) {
        Path paths = write(t.work(), model.name() + "-" + mode + ".paths", queries.stream()
            .map(q -> "/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&mode=" + mode).toList());
        figures.add(run(wrk, lua, withModel(mode.equals("hybrid") ? UNCACHED : VECTOR, model), "http://127.0.0.1:" + port,
            paths, null, "GET", headers));
      }
    }
  }

  /** The scenario {@code name} with {@code model} instead of the service's. */
  private static String withModel(String name, EmbeddingModel model) {
    return name + " (" + model.wireName() + ")";
  }

  /** p50 of {@code embedder}'s query embedding over {@code queries}, one after another, ms; the vectors go to {@code vectors}. */
  private static double embedP50(Embedder embedder, List<String> queries, List<float[]> vectors) {
    Histogram embedding = new Histogram(3);
    for (String q : queries) {
      long began = System.nanoTime();
      vectors.add(embedder.embedQuery(q));
      embedding.recordValue((System.nanoTime() - began) / 1000);
    }
    return embedding.getValueAtPercentile(50) / 1000.0;
  }

  /**
   * An admin key whose share holds every wrk connection at once (16 connections of a multi-search's 4
   * lanes): the scenarios measure the service, not one client's fair share.
   */
  private static String benchKey(String redisUri) {
    return dev.companionbrain.cli.LocalKeys.withStore(redisUri, store -> store.create("bench load",
        java.util.Set.of(dev.companionbrain.core.auth.Scope.ADMIN), null, 256, null, System.currentTimeMillis()).token());
  }

  /** Whether {@code scenario} runs on this stack: the up stack runs those of #24's targets. */
  private boolean selected(String scenario, Figures figures) {
    return selected(scenario) && (figures.stack.equals(BENCH) || UP_SCENARIOS.contains(scenario));
  }

  private static final List<String> UP_SCENARIOS = List.of("trivial", "cached", "uncached", "modes", "engines");

  /** Every selected scenario of {@code figures}' stack against {@code t}. */
  private void scenarios(Figures figures, Target t, TestCollection c, List<String> queries, Embedder embedder, String wrk,
      Path lua)
      throws Exception {
    Endpoints e = t.e();
    String index = t.index();
    String base = t.base();
    Path work = t.work();
    // the query embedding alone, in process, on this stack's machine state; the vectors go into the engines' bodies
    List<float[]> vectors = new ArrayList<>(queries.size());
    figures.embedP50 = embedP50(embedder, queries, vectors);
    String key = "Authorization: Bearer " + t.apiKey();
    List<String> searchPaths = new ArrayList<>();
    for (String q : queries) {
      searchPaths.add("/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    }
    Path hybridPaths = write(work, "hybrid.paths", searchPaths.stream().map(p -> p + "&mode=hybrid").toList());
    HttpClient http = HttpClient.newHttpClient();
    warm(http, base, hybridPaths, t.apiKey());
    Path livePaths = write(work, "live.paths", List.of("/health/live"));
    if (selected("trivial", figures)) {
      figures.add(run(wrk, lua, TRIVIAL, base, livePaths, null, "GET", List.of()));
    }
    if (selected("cached", figures)) {
      figures.add(run(wrk, lua, CACHED, base, hybridPaths, null, "GET", List.of(key)));
    }
    if (selected("keys-off", figures) && t.openBase() != null) {
      warm(http, t.openBase(), hybridPaths, null);
      figures.add(run(wrk, lua, CACHED_KEYS_OFF, t.openBase(), hybridPaths, null, "GET", List.of()));
    }
    if (selected("uncached", figures)) {
      figures.add(run(wrk, lua, UNCACHED, base, hybridPaths, null, "GET", List.of(key, "Cache-Control: no-cache")));
      // the reference of the correction's cost: the same searches with correct=false, which ask no suggester
      figures.add(run(wrk, lua, UNCACHED_UNCORRECTED, base,
          write(work, "uncorrected.paths", searchPaths.stream().map(p -> p + "&mode=hybrid&correct=false").toList()), null,
          "GET", List.of(key, "Cache-Control: no-cache")));
      breakdown(figures, http, base, t.apiKey(), searchPaths);
    }
    // several searches in one request: 5 uncached (latency) and 50 cached (throughput)
    List<String> fives = new ArrayList<>();
    List<String> fifties = new ArrayList<>();
    for (int i = 0; i + 5 <= queries.size(); i += 5) {
      fives.add(multiSearchBody(queries.subList(i, i + 5)));
    }
    for (int i = 0; i < Math.max(1, queries.size() / 50); i++) {
      List<String> fifty = new ArrayList<>();
      for (int j = 0; j < 50; j++) {
        fifty.add(queries.get((i * 50 + j) % queries.size()));
      }
      fifties.add(multiSearchBody(fifty));
    }
    Path multiPath = write(work, "multi.paths", List.of("/multi-search"));
    if (selected("multi5", figures)) {
      figures.add(run(wrk, lua, MULTI_5, base, multiPath, write(work, "multi5.bodies", fives), "POST",
          List.of(key, "Content-Type: application/json", "Cache-Control: no-cache")));
    }
    if (selected("multi50", figures)) {
      figures.add(run(wrk, lua, MULTI_50, base, multiPath, write(work, "multi50.bodies", fifties), "POST",
          List.of(key, "Content-Type: application/json")));
    }
    for (String mode : selected("modes", figures) ? List.of("text", "keyword", "vector") : List.<String>of()) {
      figures.add(run(wrk, lua, "service: " + mode + ", uncached", base,
          write(work, mode + ".paths", searchPaths.stream().map(p -> p + "&mode=" + mode).toList()), null, "GET",
          List.of(key, "Cache-Control: no-cache")));
    }
    // the engines directly, with the bodies the service sends (the same candidates: a window's hits)
    int n = Integer.parseInt(Setting.CACHE_WINDOW_HITS.defaultValue());
    List<String> meiliBodies = new ArrayList<>();
    List<String> meiliHybridBodies = new ArrayList<>();
    List<String> bm25Bodies = new ArrayList<>();
    List<String> knnBodies = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      String q = queries.get(i);
      float[] vector = vectors.get(i);
      meiliBodies.add(MeilisearchRetrieval.requestBody(new RetrievalRequest(q, null, List.of(), n)));
      meiliHybridBodies.add(MeilisearchHybridCopy.requestBody(new RetrievalRequest(q, vector, List.of(), n)));
      bm25Bodies.add(Bm25Retrieval.requestBody(new RetrievalRequest(q, null, List.of(), n)));
      knnBodies.add(KnnRetrieval.requestBody(VectorDialect.OPENSEARCH, new RetrievalRequest(q, vector, List.of(), n)));
    }
    Path meiliPaths = write(work, "meili.paths", List.of("/indexes/" + index + "/search"));
    Path meiliRequests = write(work, "meili.bodies", meiliBodies);
    Path esPaths = write(work, "es.paths", List.of("/" + index + "/_search?filter_path=" + ElasticsearchSearch.FILTER_PATH));
    Path bm25Requests = write(work, "bm25.bodies", bm25Bodies);
    Path knnRequests = write(work, "knn.bodies", knnBodies);
    List<String> meiliHeaders = List.of("Content-Type: application/json", "Authorization: Bearer " + e.meilisearchKey());
    List<String> json = List.of("Content-Type: application/json");
    if (selected("engines", figures)) {
      figures.add(run(wrk, lua, MEILI, e.meilisearchUrl(), meiliPaths, meiliRequests, "POST", meiliHeaders));
      figures.add(run(wrk, lua, BM25, e.elasticsearchUrl(), esPaths, bm25Requests, "POST", json));
      figures.add(run(wrk, lua, KNN, e.elasticsearchUrl(), esPaths, knnRequests, "POST", json));
      String hybridCopy = MeilisearchHybridCopy.create(e.elasticsearchUrl(), e.meilisearchUrl(), e.meilisearchKey(), index);
      StackRun.settle(); // Meilisearch's indexing of the copy is done before the next measurement
      figures.add(run(wrk, lua, MEILI_HYBRID, e.meilisearchUrl(), write(work, "meili-hybrid.paths",
          List.of("/indexes/" + hybridCopy + "/search")), write(work, "meili-hybrid.bodies", meiliHybridBodies), "POST",
          meiliHeaders));
    }
    // the least a service in front adds (an HTTP hop and a Redis MGET of the hydration entries), and
    // what the engines lose when requests are not back to back, as they are not behind any service
    if (selected("floors", figures)) {
      figures.add(run(wrk, lua, FLOOR_HOP, latencyConnections, 0, base, livePaths, null, "GET", List.of()));
      figures.add(run(wrk, lua, MEILI_PAUSED, latencyConnections, 1, e.meilisearchUrl(), meiliPaths, meiliRequests, "POST",
          meiliHeaders));
      figures.add(run(wrk, lua, BM25_PAUSED, latencyConnections, 1, e.elasticsearchUrl(), esPaths, bm25Requests, "POST", json));
      // behind the service, every kNN search waits for the query embedding first
      figures.add(run(wrk, lua, KNN_PAUSED, latencyConnections, embeddingPauseMs(figures.embedP50), e.elasticsearchUrl(), esPaths,
          knnRequests, "POST", json));
      figures.mgetP50 = redisMgetP50(e.redisUri(), c.documents().stream().limit(10).map(d -> RedisKeys.document(d.id())).toList());
    }
  }

  /** Warms a service's caches for a cached scenario: every path once ({@code apiKey} null: a service with keys off). */
  private static void warm(HttpClient http, String base, Path paths, String apiKey) throws Exception {
    for (String p : Files.readAllLines(paths)) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + p));
      if (apiKey != null) {
        request.header("Authorization", "Bearer " + apiKey);
      }
      http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }
  }

  /**
   * The service's own timers of uncached hybrid answers: every query once more, one after another, with
   * {@code explain=true}; p50 of the client's wall time, the answer's {@code took_ms}, each retriever's
   * {@code backend_ms} (vector includes the query embedding) and what {@code took_ms} holds past the
   * slowest retriever (fusion, hydration, the window's serialisation).
   */
  private static void breakdown(Figures figures, HttpClient http, String base, String apiKey, List<String> searchPaths)
      throws Exception {
    PrometheusText before = scrape(http, base, apiKey);
    Map<String, Histogram> timers = new LinkedHashMap<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String p : searchPaths) {
      long began = System.nanoTime();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + p + "&mode=hybrid&explain=true"))
          .header("Authorization", "Bearer " + apiKey).header("Cache-Control", "no-cache").build(),
          HttpResponse.BodyHandlers.ofString());
      long wallUs = (System.nanoTime() - began) / 1000;
      if (response.statusCode() != 200) {
        continue;
      }
      var answer = json.readTree(response.body());
      long tookUs = Math.round(answer.path("took_ms").asDouble() * 1000);
      long slowestUs = 0;
      timers.computeIfAbsent("client wall time", k -> new Histogram(3)).recordValue(wallUs);
      timers.computeIfAbsent("took_ms (the service)", k -> new Histogram(3)).recordValue(tookUs);
      for (var backend : answer.path("backend_ms").properties()) {
        long us = backend.getValue().asLong() * 1000;
        slowestUs = Math.max(slowestUs, us);
        timers.computeIfAbsent(backend.getKey() + " retriever (backend_ms)", k -> new Histogram(3)).recordValue(us);
      }
      timers.computeIfAbsent("took_ms past the slowest retriever", k -> new Histogram(3))
          .recordValue(Math.max(0, tookUs - slowestUs));
    }
    timers.forEach((name, h) -> figures.breakdown.put(name, h.getValueAtPercentile(50) / 1000.0));
    // the service's own timers over the same requests: the mean of each stage per answer
    PrometheusText after = scrape(http, base, apiKey);
    double answers = searchPaths.size();
    for (String retriever : List.of("text", "keyword", "vector")) {
      figures.breakdown.put("mean: " + retriever + " retriever's wait (brain_backend_latency)", PrometheusText.delta(before, after,
          "brain_backend_latency_seconds_sum", "retriever", retriever) * 1000 / answers);
    }
    for (String stage : List.of("embedding", "fusion", "hydration", "serialisation")) {
      figures.breakdown.put("mean: " + stage + " (brain_search_stage_seconds)", PrometheusText.delta(before, after,
          "brain_search_stage_seconds_sum", "stage", stage) * 1000 / answers);
    }
  }

  private static PrometheusText scrape(HttpClient http, String base, String apiKey) throws Exception {
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
    return metrics.statusCode() == 200 ? PrometheusText.parse(metrics.body()) : PrometheusText.empty();
  }

  private Result run(String wrk, Path lua, String name, String base, Path paths, Path bodies, String method,
      List<String> headers) throws Exception {
    int c = name.contains("cached (L1)") || name.contains("trivial endpoint (") ? connections : latencyConnections;
    return run(wrk, lua, name, c, 0, base, paths, bodies, method, headers);
  }

  /** @param pauseMs what wrk waits between a response and the next request on a connection (0: none) */
  private Result run(String wrk, Path lua, String name, int c, int pauseMs, String base, Path paths, Path bodies,
      String method, List<String> headers) throws Exception {
    if (warmup > 0) {
      wrk(wrk, lua, base, paths, bodies, method, headers, c, pauseMs, warmup);
    }
    long[] machineBefore = MachineCpu.machine();
    long serviceBefore = MachineCpu.processTicks(servicePids);
    long began = System.nanoTime();
    Map<String, Long> values = wrk(wrk, lua, base, paths, bodies, method, headers, c, pauseMs, duration);
    double wall = (System.nanoTime() - began) / 1e9;
    int cores = Runtime.getRuntime().availableProcessors();
    long[] machineAfter = MachineCpu.machine();
    double machineCores = MachineCpu.busyShare(machineBefore, machineAfter) * cores;
    double stolenCores = MachineCpu.stolenShare(machineBefore, machineAfter) * cores;
    double serviceCores = (MachineCpu.processTicks(servicePids) - serviceBefore) / MachineCpu.TICKS_PER_SECOND / wall;
    Result result = new Result(name, values.get("requests") / (values.get("duration_us") / 1e6), values.get("p50_us") / 1000.0,
        values.get("p95_us") / 1000.0, values.get("p99_us") / 1000.0, values.get("requests"),
        values.get("socket_errors") + values.get("non2xx"), machineCores, serviceCores, stolenCores);
    System.out.printf(Locale.ROOT, "%-45s %9.0f rps  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %d  machine %.2f cores, "
        + "service %.2f, stolen %.2f%n", name, result.rps(), result.p50(), result.p95(), result.p99(), result.errors(), machineCores,
        serviceCores, stolenCores);
    return result;
  }

  /** One wrk run; the figures its script prints on its RESULT line. */
  private Map<String, Long> wrk(String wrk, Path lua, String base, Path paths, Path bodies, String method,
      List<String> headers, int c, int pauseMs, int seconds) throws Exception {
    List<String> command = new ArrayList<>(List.of(wrk, "-t" + Math.min(threads, c), "-c" + c, "-d" + seconds + "s",
        "--timeout", "10s", "-s", lua.toString(), base, "--", paths.toString(), bodies == null ? "-" : bodies.toString(), method));
    command.addAll(headers);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PAUSE_MS", Integer.toString(pauseMs));
    Process p = builder.start();
    String line;
    Map<String, Long> values = new HashMap<>();
    StringBuilder output = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      while ((line = r.readLine()) != null) {
        output.append(line).append('\n');
        if (line.startsWith("RESULT")) {
          for (String kv : line.substring(7).split(" ")) {
            String[] parts = kv.split("=");
            values.put(parts[0], Long.parseLong(parts[1]));
          }
        }
      }
    }
    if (p.waitFor() != 0 || values.isEmpty()) {
      // the command carries keys in its headers: never in a message
      throw new IllegalStateException("wrk failed: " + String.join(" ", command).replaceAll("Bearer [^ ]+", "Bearer ***")
          + "\n" + output);
    }
    return values;
  }

  private static final String TRIVIAL = "service: trivial endpoint (/health/live)";
  private static final String CACHED = "service: hybrid, cached (L1)";
  private static final String MEILI = "engine: Meilisearch search";
  private static final String BM25 = "engine: Elasticsearch API BM25";
  private static final String KNN = "engine: Elasticsearch API kNN";
  private static final String MEILI_HYBRID = "engine: Meilisearch hybrid, query vector given";
  private static final String UNCACHED = "service: hybrid, uncached";
  private static final String UNCACHED_UNCORRECTED = "service: hybrid, uncached, correct=false";
  private static final String TEXT = "service: text, uncached";
  private static final String KEYWORD = "service: keyword, uncached";
  private static final String VECTOR = "service: vector, uncached";
  private static final String CACHED_KEYS_OFF = "service: hybrid, cached (L1), keys off";
  private static final String MULTI_5 = "service: multi-search of 5 hybrid, uncached";
  private static final String MULTI_50 = "service: multi-search of 50 hybrid, cached (L1)";

  /** {@code {"queries":[{"q":...,"mode":"hybrid"}, ...]}} of these queries. */
  private static String multiSearchBody(List<String> qs) {
    StringBuilder body = new StringBuilder("{\"queries\":[");
    for (int i = 0; i < qs.size(); i++) {
      body.append(i == 0 ? "" : ",").append("{\"q\":\"")
          .append(new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(qs.get(i))))
          .append("\",\"mode\":\"hybrid\"}");
    }
    return body.append("]}").toString();
  }

  private static final String FLOOR_HOP = "floor: service trivial endpoint, latency connections";
  private static final String MEILI_PAUSED = "engine: Meilisearch search, 1 ms pause between requests";
  private static final String BM25_PAUSED = "engine: Elasticsearch API BM25, 1 ms pause between requests";
  private static final String KNN_PAUSED = "engine: Elasticsearch API kNN, pause of one query embedding between requests";

  /** The pause wrk can make (whole ms, at least 1) closest to one query embedding. */
  private static int embeddingPauseMs(double embedP50) {
    return (int) Math.max(1, Math.round(embedP50));
  }

  /**
   * p50 in ms of an MGET of {@code keys} from one connection, by redis-benchmark (a C client, so
   * what Redis and the loopback cost and nothing of ours); NaN when redis-benchmark is missing.
   */
  private static double redisMgetP50(String redisUri, List<String> keys) throws Exception {
    URI uri = URI.create(redisUri);
    List<String> command = new ArrayList<>(List.of("redis-benchmark", "-h", uri.getHost(), "-p",
        Integer.toString(uri.getPort()), "-c", "1", "-n", "50000", "-q", "mget"));
    command.addAll(keys);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (java.io.IOException missing) {
      return Double.NaN;
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("p50=([0-9.]+) msec").matcher(output);
    double p50 = Double.NaN;
    while (m.find()) {
      p50 = Double.parseDouble(m.group(1)); // the last one is the summary line
    }
    return p50;
  }

  private String report(List<Figures> passes) {
    StringBuilder md = new StringBuilder();
    md.append("# Load test ").append(LocalDateTime.now().withNano(0)).append("\n\n");
    md.append(String.format(Locale.ROOT, "`./brain bench load --collection %s --duration %d --warmup %d --connections %d "
        + "--latency-connections %d --threads %d --stacks %s%s`; %d cores shared by wrk, the service and the engines. Trivial "
        + "and cached scenarios run with %d connections (throughput); uncached and engine scenarios with %d (latency without "
        + "queueing). Each scenario is measured after %d s of the same load unmeasured (JIT warm-up). Stack `bench`: the "
        + "engines and the service alone, the indexing job stopped; stack `up`: `./brain up` itself, its Flink cluster and "
        + "three jobs running.%n%n",
        collection, duration, warmup, connections, latencyConnections, threads, String.join(",", stacks),
        scenarios.isEmpty() ? "" : " --scenarios " + String.join(",", scenarios), Runtime.getRuntime().availableProcessors(),
        connections, latencyConnections, warmup));
    md.append("| stack | scenario | rps | p50 ms | p95 ms | p99 ms | requests | errors | machine busy, cores | service, cores |"
        + " stolen by the host, cores | machine CPU per request, ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Figures f : passes) {
      for (Result r : f.results.values()) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %d | %d | %.2f | %.2f | %.2f | %.3f |%n",
            f.stack, r.name(), r.rps(), r.p50(), r.p95(), r.p99(), r.requests(), r.errors(), r.machineCores(), r.serviceCores(),
            r.stolenCores(), r.machineMsPerRequest()));
      }
      md.append(String.format(Locale.ROOT, "| %s | query embedding alone (in process, sequential) | | %.2f | | | | | | | | |%n",
          f.stack, f.embedP50));
    }
    for (Figures f : passes) {
      if (f.otherEmbedP50.isEmpty()) {
        continue;
      }
      md.append("\nEach embedding model on stack `").append(f.stack).append("` (scenario `models`): the collection indexed "
          + "again into an index of its own by a job embedding with the other model, and a service started with it; "
          + "p50 ms.\n\n| model | query embedding (in process) | uncached hybrid | uncached vector |\n|---|---|---|---|\n");
      md.append(String.format(Locale.ROOT, "| %s (the catalogue's) | %.2f | %.2f | %.2f |%n", catalogueModel(), f.embedP50,
          f.p50(UNCACHED), f.p50(VECTOR)));
      f.otherEmbedP50.forEach((model, embed) -> md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n",
          model.wireName(), embed, f.p50(withModel(UNCACHED, model)), f.p50(withModel(VECTOR, model)))));
    }
    if (passes.stream().anyMatch(f -> !f.breakdown.isEmpty())) {
      md.append("\nWhere an uncached hybrid answer's time goes: every query once more, one after another, with `explain=true` "
          + "(p50 of each timer, ms; `backend_ms` is whole milliseconds, the vector retriever's includes the query embedding), "
          + "and the means per answer of the service's own timers over those requests (`/metrics`)."
          + "\n\n| timer |");
      passes.forEach(f -> md.append(' ').append(f.stack).append(" |"));
      md.append("\n|---|").append("---|".repeat(passes.size())).append('\n');
      java.util.Set<String> timers = new java.util.LinkedHashSet<>();
      passes.forEach(f -> timers.addAll(f.breakdown.keySet()));
      for (String timer : timers) {
        md.append("| ").append(timer).append(" |");
        for (Figures f : passes) {
          Double v = f.breakdown.get(timer);
          md.append(v == null ? " - |" : String.format(Locale.ROOT, " %.2f |", v));
        }
        md.append('\n');
      }
    }
    md.append("\n| stack | target (within this run) | measured | bar | |\n|---|---|---|---|---|\n");
    for (Figures f : passes) {
      String s = f.stack;
      double embed = f.embedP50;
      ratio(md, s, "uncached hybrid p50 / (Meilisearch hybrid p50 + embedding p50)",
          f.p50(UNCACHED) / (f.p50(MEILI_HYBRID) + embed), 2, false);
      ratio(md, s, "text p50 - Meilisearch p50, ms", f.p50(TEXT) - f.p50(MEILI), 1, false);
      ratio(md, s, "keyword p50 - BM25 p50, ms", f.p50(KEYWORD) - f.p50(BM25), 1, false);
      ratio(md, s, "vector p50 - (kNN p50 + embedding p50), ms", f.p50(VECTOR) - (f.p50(KNN) + embed), 1, false);
      ratio(md, s, "cached hybrid rps / trivial rps", f.rps(CACHED) / f.rps(TRIVIAL), 0.8, true);
      ratio(md, s, "uncached hybrid p50 with " + catalogueModel() + " (the seed's bar), ms", f.p50(UNCACHED), 60, false);
      if (s.equals(BENCH)) {
        ratio(md, s, "multi-search of 5 uncached p50 / one uncached hybrid p50", f.p50(MULTI_5) / f.p50(UNCACHED), 1.5, false);
        ratio(md, s, "searches/s in multi-searches of 50 cached / cached single searches/s", f.rps(MULTI_50) * 50
            / f.rps(CACHED), 10, true);
        ratio(md, s, "cached hybrid rps, keys on / keys off", f.rps(CACHED) / f.rps(CACHED_KEYS_OFF), 0.95, true);
      }
    }
    Figures bench = passes.stream().filter(f -> f.stack.equals(BENCH)).findFirst().orElse(null);
    Figures up = passes.stream().filter(f -> f.stack.equals(UP)).findFirst().orElse(null);
    if (bench != null && up != null) {
      ratio(md, "up / bench", "uncached hybrid p50, up / bench", up.p50(UNCACHED) / bench.p50(UNCACHED), 1.2, false);
    }
    for (Figures f : passes) {
      if (f.results.containsKey(CACHED)) {
        md.append(String.format(Locale.ROOT, "%nCached hybrid on %s: %.0f rps, p99 %.2f ms (aim: 20,000 rps, p99 < 5 ms).%n",
            f.stack, f.rps(CACHED), f.results.get(CACHED).p99()));
      }
    }
    if (bench == null || !bench.results.containsKey(FLOOR_HOP)) {
      return md.toString();
    }
    double hop = bench.p50(FLOOR_HOP);
    double meili = bench.p50(MEILI);
    double bm25 = bench.p50(BM25);
    md.append("\nThe least a service in front adds (stack bench): one HTTP hop (the trivial endpoint at the latency "
        + "connections) and one Redis MGET of ten hydration entries (redis-benchmark, one connection), against 10 % of each "
        + "engine's p50; and each engine's p50 when wrk pauses between requests, as a client that does anything between "
        + "two requests does (behind the service, each kNN search waits for the query embedding).\n\n| | ms |\n|---|---|\n");
    md.append(String.format(Locale.ROOT, "| service hop p50 | %.3f |%n| Redis MGET p50 | %s |%n| together | %s |%n", hop,
        Double.isNaN(bench.mgetP50) ? "not measured (no redis-benchmark)" : String.format(Locale.ROOT, "%.3f", bench.mgetP50),
        Double.isNaN(bench.mgetP50) ? "-" : String.format(Locale.ROOT, "%.3f", hop + bench.mgetP50)));
    md.append(String.format(Locale.ROOT, "| 10 %% of Meilisearch p50 / of BM25 p50 | %.3f / %.3f |%n", meili / 10, bm25 / 10));
    md.append(String.format(Locale.ROOT, "| Meilisearch p50, back to back → 1 ms pause | %.2f → %.2f |%n", meili,
        bench.p50(MEILI_PAUSED)));
    md.append(String.format(Locale.ROOT, "| BM25 p50, back to back → 1 ms pause | %.2f → %.2f |%n", bm25, bench.p50(BM25_PAUSED)));
    md.append(String.format(Locale.ROOT, "| kNN p50, back to back → a pause of one embedding (%d ms) | %.2f → %.2f |%n",
        embeddingPauseMs(bench.embedP50), bench.p50(KNN), bench.p50(KNN_PAUSED)));
    return md.toString();
  }

  /** The model the stacks' own services embed with: the catalogue's ({@code BRAIN_EMBEDDING_MODEL}). */
  private static String catalogueModel() {
    return EmbeddedProduct.model().wireName();
  }

  private static void ratio(StringBuilder md, String stack, String name, double value, double bar, boolean atLeast) {
    if (Double.isNaN(value)) {
      md.append("| ").append(stack).append(" | ").append(name).append(" | not run | | |\n");
      return;
    }
    boolean ok = atLeast ? value >= bar : value <= bar;
    md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %s %.2f | %s |%n", stack, name, value, atLeast ? ">=" : "<=", bar,
        ok ? "met" : "NOT met"));
  }

  private static Path write(Path dir, String name, List<String> lines) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }
}
