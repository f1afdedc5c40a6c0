package dev.companionbrain.bench;

import dev.companionbrain.cli.EmbeddedProduct;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.embed.Embedder;
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
 * Cache-Control: no-cache, which also skips the query-embedding cache), and the same searches sent
 * to the engines directly (the bodies the service itself sends). The query embedding alone is timed
 * in process; the service runs in a JVM of its own. The floor under the single-retriever ratios (the
 * service's trivial endpoint at the latency connections, a Redis MGET of hydration entries) and the
 * engines with a 1 ms pause between requests are measured too. Ratios against the targets are
 * computed from this one run.
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
  static final String SCENARIO_NAMES = "trivial, cached, keys-off, uncached, multi5, multi50, modes, engines, floors";
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
   */
  record Result(String name, double rps, double p50, double p95, double p99, long requests, long errors, double machineCores,
      double serviceCores) {
    /** The machine's CPU time per request, ms: what one request costs wrk, the service and the engines together. */
    double machineMsPerRequest() {
      return machineCores / rps * 1000;
    }
  }

  /** The query services' pids, whose CPU each scenario reports. */
  private final List<Long> servicePids = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    for (String scenario : scenarios) {
      if (!SCENARIOS.contains(scenario)) {
        System.err.println("--scenarios: no scenario '" + scenario + "'; they are " + SCENARIO_NAMES);
        return 2;
      }
    }
    String wrk = Path.of("/usr/bin/wrk").toFile().canExecute() ? "/usr/bin/wrk" : "wrk";
    TestCollection c = TestCollections.read(collection);
    List<String> queries = new ArrayList<>();
    for (CollectionQuery q : c.queries()) {
      queries.add(q.text().length() > SearchQuery.MAX_QUERY_CHARS ? q.text().substring(0, SearchQuery.MAX_QUERY_CHARS) : q.text());
    }
    Path work = Files.createTempDirectory("brain-load-");
    Path lua = Path.of("bench", "requests.lua").toAbsolutePath();
    List<Result> results = new ArrayList<>();
    double embedP50;
    double mgetP50 = Double.NaN;
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

      // the query embedding alone, in process
      Embedder embedder = Embedder.miniLm();
      Histogram embedding = new Histogram(3);
      for (String q : queries) {
        long t = System.nanoTime();
        embedder.embed(q);
        embedding.recordValue((System.nanoTime() - t) / 1000);
      }
      embedP50 = embedding.getValueAtPercentile(50) / 1000.0;

      int port = dev.companionbrain.localstack.Ports.free();
      // wrk's connections share one key: its share must hold them all (16 connections of a multi-search's 4 lanes)
      String apiKey = dev.companionbrain.cli.LocalKeys.withStore(e.redisUri(), store -> store.create("bench load",
          java.util.Set.of(dev.companionbrain.core.auth.Scope.ADMIN), null, 256, null, System.currentTimeMillis()).token());
      String key = "Authorization: Bearer " + apiKey;
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
        servicePids.add(service.process().pid());
        if (open != null) {
          servicePids.add(open.process().pid());
        }
        String base = "http://127.0.0.1:" + port;
        String openBase = "http://127.0.0.1:" + openPort;
        List<String> searchPaths = new ArrayList<>();
        for (String q : queries) {
          searchPaths.add("/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
        }
        Path hybridPaths = write(work, "hybrid.paths", searchPaths.stream().map(p -> p + "&mode=hybrid").toList());
        // warm the caches for the cached scenario: one pass over every query
        HttpClient http = HttpClient.newHttpClient();
        for (String p : Files.readAllLines(hybridPaths)) {
          http.send(HttpRequest.newBuilder(URI.create(base + p)).header("Authorization", "Bearer " + apiKey).build(),
              HttpResponse.BodyHandlers.discarding());
        }
        Path livePaths = write(work, "live.paths", List.of("/health/live"));
        if (selected("trivial")) {
          results.add(run(wrk, lua, TRIVIAL, base, livePaths, null, "GET", List.of()));
        }
        if (selected("cached")) {
          results.add(run(wrk, lua, CACHED, base, hybridPaths, null, "GET", List.of(key)));
        }
        if (selected("keys-off")) {
          for (String p : Files.readAllLines(hybridPaths)) {
            http.send(HttpRequest.newBuilder(URI.create(openBase + p)).build(), HttpResponse.BodyHandlers.discarding());
          }
          results.add(run(wrk, lua, CACHED_KEYS_OFF, openBase, hybridPaths, null, "GET", List.of()));
        }
        if (selected("uncached")) {
          results.add(run(wrk, lua, UNCACHED, base, hybridPaths, null, "GET", List.of(key, "Cache-Control: no-cache")));
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
        if (selected("multi5")) {
          results.add(run(wrk, lua, MULTI_5, base, multiPath, write(work, "multi5.bodies", fives), "POST",
              List.of(key, "Content-Type: application/json", "Cache-Control: no-cache")));
        }
        if (selected("multi50")) {
          results.add(run(wrk, lua, MULTI_50, base, multiPath, write(work, "multi50.bodies", fifties), "POST",
              List.of(key, "Content-Type: application/json")));
        }
        for (String mode : selected("modes") ? List.of("text", "keyword", "vector") : List.<String>of()) {
          results.add(run(wrk, lua, "service: " + mode + ", uncached", base,
              write(work, mode + ".paths", searchPaths.stream().map(p -> p + "&mode=" + mode).toList()), null, "GET",
              List.of(key, "Cache-Control: no-cache")));
        }
        // the engines directly, with the bodies the service sends (the same candidates: a window's hits)
        int n = Integer.parseInt(Setting.CACHE_WINDOW_HITS.defaultValue());
        List<String> meiliBodies = new ArrayList<>();
        List<String> bm25Bodies = new ArrayList<>();
        List<String> knnBodies = new ArrayList<>();
        for (String q : queries) {
          meiliBodies.add(MeilisearchRetrieval.requestBody(new RetrievalRequest(q, null, List.of(), n)));
          bm25Bodies.add(Bm25Retrieval.requestBody(new RetrievalRequest(q, null, List.of(), n)));
          knnBodies.add(KnnRetrieval.requestBody(VectorDialect.OPENSEARCH, new RetrievalRequest(q, embedder.embed(q), List.of(), n)));
        }
        Path meiliPaths = write(work, "meili.paths", List.of("/indexes/" + index + "/search"));
        Path meiliRequests = write(work, "meili.bodies", meiliBodies);
        Path esPaths = write(work, "es.paths", List.of("/" + index + "/_search?filter_path=" + ElasticsearchSearch.FILTER_PATH));
        Path bm25Requests = write(work, "bm25.bodies", bm25Bodies);
        Path knnRequests = write(work, "knn.bodies", knnBodies);
        List<String> meiliHeaders = List.of("Content-Type: application/json", "Authorization: Bearer " + e.meilisearchKey());
        List<String> json = List.of("Content-Type: application/json");
        if (selected("engines")) {
          results.add(run(wrk, lua, MEILI, e.meilisearchUrl(), meiliPaths, meiliRequests, "POST",
              meiliHeaders));
          results.add(run(wrk, lua, BM25, e.elasticsearchUrl(), esPaths, bm25Requests, "POST", json));
          results.add(run(wrk, lua, KNN, e.elasticsearchUrl(), esPaths, knnRequests, "POST", json));
        }
        // the least a service in front adds (an HTTP hop and a Redis MGET of the hydration entries), and
        // what the engines lose when requests are not back to back, as they are not behind any service
        if (selected("floors")) {
          results.add(run(wrk, lua, FLOOR_HOP, latencyConnections, 0, base, livePaths, null, "GET", List.of()));
          results.add(run(wrk, lua, MEILI_PAUSED, latencyConnections, 1, e.meilisearchUrl(), meiliPaths, meiliRequests, "POST",
              meiliHeaders));
          results.add(run(wrk, lua, BM25_PAUSED, latencyConnections, 1, e.elasticsearchUrl(), esPaths, bm25Requests, "POST",
              json));
          // behind the service, every kNN search waits for the query embedding first
          results.add(run(wrk, lua, KNN_PAUSED, latencyConnections, embeddingPauseMs(embedP50), e.elasticsearchUrl(), esPaths,
              knnRequests, "POST", json));
          mgetP50 = redisMgetP50(e.redisUri(), c.documents().stream().limit(10).map(d -> RedisKeys.document(d.id())).toList());
        }
      }
    } finally {
      dev.companionbrain.localstack.Folders.delete(work);
    }
    String report = report(results, embedP50, mgetP50);
    System.out.println(report);
    Path out = Path.of("bench-reports");
    Files.createDirectories(out);
    Path file = out.resolve("load-" + LocalDateTime.now().withNano(0).toString().replace(':', '-') + ".md");
    Files.writeString(file, report);
    System.out.println("report: " + file);
    return 0;
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
    double machineCores = MachineCpu.busyShare(machineBefore, MachineCpu.machine()) * cores;
    double serviceCores = (MachineCpu.processTicks(servicePids) - serviceBefore) / MachineCpu.TICKS_PER_SECOND / wall;
    Result result = new Result(name, values.get("requests") / (values.get("duration_us") / 1e6), values.get("p50_us") / 1000.0,
        values.get("p95_us") / 1000.0, values.get("p99_us") / 1000.0, values.get("requests"),
        values.get("socket_errors") + values.get("non2xx"), machineCores, serviceCores);
    System.out.printf(Locale.ROOT, "%-45s %9.0f rps  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %d  machine %.2f cores, "
        + "service %.2f%n", name, result.rps(), result.p50(), result.p95(), result.p99(), result.errors(), machineCores,
        serviceCores);
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
  private static final String UNCACHED = "service: hybrid, uncached";
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

  private String report(List<Result> results, double embedP50, double mgetP50) {
    Map<String, Result> by = new LinkedHashMap<>();
    results.forEach(r -> by.put(r.name(), r));
    StringBuilder md = new StringBuilder();
    md.append("# Load test ").append(LocalDateTime.now().withNano(0)).append("\n\n");
    md.append(String.format(Locale.ROOT, "`./brain bench load --collection %s --duration %d --warmup %d --connections %d "
        + "--latency-connections %d --threads %d%s`; %d cores shared by wrk, the service and the engines. Trivial and cached "
        + "scenarios run with %d connections (throughput); uncached and engine scenarios with %d (latency without queueing). "
        + "Each scenario is measured after %d s of the same load unmeasured (JIT warm-up).%n%n",
        collection, duration, warmup, connections, latencyConnections, threads,
        scenarios.isEmpty() ? "" : " --scenarios " + String.join(",", scenarios), Runtime.getRuntime().availableProcessors(),
        connections, latencyConnections, warmup));
    md.append("| scenario | rps | p50 ms | p95 ms | p99 ms | requests | errors | machine busy, cores | service, cores |"
        + " machine CPU per request, ms |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.2f | %d | %d | %.2f | %.2f | %.3f |%n", r.name(), r.rps(),
          r.p50(), r.p95(), r.p99(), r.requests(), r.errors(), r.machineCores(), r.serviceCores(), r.machineMsPerRequest()));
    }
    md.append(String.format(Locale.ROOT, "| query embedding alone (in process, sequential) | | %.2f | | | | |%n%n", embedP50));
    // a scenario --scenarios left out is NaN: the ratios it is part of say "not run"
    java.util.function.ToDoubleFunction<String> p50 = name -> by.containsKey(name) ? by.get(name).p50() : Double.NaN;
    java.util.function.ToDoubleFunction<String> rps = name -> by.containsKey(name) ? by.get(name).rps() : Double.NaN;
    double meili = p50.applyAsDouble(MEILI);
    double bm25 = p50.applyAsDouble(BM25);
    double knn = p50.applyAsDouble(KNN);
    double slowest = Math.max(meili, Math.max(bm25, knn));
    md.append("| target (ratios within this run) | measured | bar | |\n|---|---|---|---|\n");
    ratio(md, "cached hybrid rps / trivial rps", rps.applyAsDouble(CACHED) / rps.applyAsDouble(TRIVIAL), 0.8, true);
    ratio(md, "multi-search of 5 uncached p50 / one uncached hybrid p50", p50.applyAsDouble(MULTI_5) / p50.applyAsDouble(UNCACHED),
        1.5, false);
    ratio(md, "searches/s in multi-searches of 50 cached / cached single searches/s",
        rps.applyAsDouble(MULTI_50) * 50 / rps.applyAsDouble(CACHED), 10, true);
    ratio(md, "cached hybrid rps, keys on / keys off", rps.applyAsDouble(CACHED) / rps.applyAsDouble(CACHED_KEYS_OFF), 0.95, true);
    ratio(md, "uncached hybrid p50 / (slowest engine p50 + embedding p50)", p50.applyAsDouble(UNCACHED) / (slowest + embedP50), 1.2,
        false);
    ratio(md, "text p50 / Meilisearch p50", p50.applyAsDouble("service: text, uncached") / meili, 1.1, false);
    ratio(md, "keyword p50 / BM25 p50", p50.applyAsDouble("service: keyword, uncached") / bm25, 1.1, false);
    ratio(md, "vector p50 / (kNN p50 + embedding p50)", p50.applyAsDouble("service: vector, uncached") / (knn + embedP50), 1.1,
        false);
    if (by.containsKey(CACHED)) {
      md.append(String.format(Locale.ROOT, "%nCached hybrid: %.0f rps, p99 %.2f ms (aim: 20,000 rps, p99 < 5 ms).%n",
          by.get(CACHED).rps(), by.get(CACHED).p99()));
    }
    if (!by.containsKey(FLOOR_HOP)) {
      return md.toString();
    }
    double hop = by.get(FLOOR_HOP).p50();
    md.append("\nThe least a service in front adds: one HTTP hop (the trivial endpoint at the latency connections) and one "
        + "Redis MGET of ten hydration entries (redis-benchmark, one connection), against 10 % of each engine's p50; "
        + "and each engine's p50 when wrk pauses between requests, as a client that does anything between "
        + "two requests does (behind the service, each kNN search waits for the query embedding).\n\n| | ms |\n|---|---|\n");
    md.append(String.format(Locale.ROOT, "| service hop p50 | %.3f |%n| Redis MGET p50 | %s |%n| together | %s |%n", hop,
        Double.isNaN(mgetP50) ? "not measured (no redis-benchmark)" : String.format(Locale.ROOT, "%.3f", mgetP50),
        Double.isNaN(mgetP50) ? "-" : String.format(Locale.ROOT, "%.3f", hop + mgetP50)));
    md.append(String.format(Locale.ROOT, "| 10 %% of Meilisearch p50 / of BM25 p50 | %.3f / %.3f |%n", meili / 10, bm25 / 10));
    md.append(String.format(Locale.ROOT, "| Meilisearch p50, back to back → 1 ms pause | %.2f → %.2f |%n", meili,
        p50.applyAsDouble(MEILI_PAUSED)));
    md.append(String.format(Locale.ROOT, "| BM25 p50, back to back → 1 ms pause | %.2f → %.2f |%n", bm25,
        p50.applyAsDouble(BM25_PAUSED)));
    md.append(String.format(Locale.ROOT, "| kNN p50, back to back → a pause of one embedding (%d ms) | %.2f → %.2f |%n",
        embeddingPauseMs(embedP50), knn, p50.applyAsDouble(KNN_PAUSED)));
    return md.toString();
  }

  private static void ratio(StringBuilder md, String name, double value, double bar, boolean atLeast) {
    if (Double.isNaN(value)) {
      md.append("| ").append(name).append(" | not run | | |\n");
      return;
    }
    boolean ok = atLeast ? value >= bar : value <= bar;
    md.append(String.format(Locale.ROOT, "| %s | %.2f | %s %.1f | %s |%n", name, value, atLeast ? ">=" : "<=", bar,
        ok ? "met" : "NOT met"));
  }

  private static Path write(Path dir, String name, List<String> lines) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }
}
