package dev.companionbrain.bench;

import static dev.companionbrain.bench.ReportFormat.ms3;
import static dev.companionbrain.bench.ReportFormat.num;
import static dev.companionbrain.bench.ReportFormat.num0;
import static dev.companionbrain.bench.ReportFormat.num1;
import static dev.companionbrain.bench.ReportFormat.num2;
import static dev.companionbrain.bench.ReportFormat.num3;
import static dev.companionbrain.bench.ReportFormat.pct;
import static dev.companionbrain.bench.ReportFormat.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import dev.companionbrain.cli.DocumentPublisher;
import dev.companionbrain.cli.EmbeddedProduct;
import dev.companionbrain.core.cache.RedisConnector;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.localstack.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issues #12 and #18: the two-level cache under a steady document stream, all scenarios in one run on
 * the same engines. The stack is the one {@code brain up} runs (real engines, a real Flink session
 * cluster with the job jar's IndexingJob, LatencyAlertJob and CacheWarmingJob); Cranfield is indexed
 * first. Each scenario starts the query service in a JVM of its own (settings in environment variables),
 * drives an open-loop mix of hybrid searches at a fixed rate (Zipf over the collection's queries, a share
 * of them page 2; latency from the intended send time, so no coordinated omission) and, with ingestion,
 * writes copies of collection documents to the documents topic; every few seconds one of them is a probe
 * carrying a unique token, and a prober polls a text search for it until it is a hit (freshness).
 * Scenarios ({@link Scenario}): B no ingestion; R today's rule (judging off); J judging; V judging at a
 * higher rate with supplied vectors; D judging with deletes. The benchmark subscribes to the generation
 * notices for the run (how many generations came, which documents they deleted), checks every answer
 * against those deletes, and reads the service's judging, audit and refresh counters from its
 * {@code /metrics} at the start and the end of each measured period. The machine's CPU is recorded
 * beside each.
 */
@Command(name = "cache", description = "The two-level cache under a document stream: cache share, latency, freshness, "
    + "judged windows, audits, deleted documents (issues #12, #18; see BENCHMARKS.md).")
final class CacheBenchmark implements Callable<Integer> {
  /** Where the options' defaults come from: the environment over the catalogue's defaults, as the product reads them. */
  private static final Settings CATALOGUE = Settings.fromEnvironment();

  @Option(names = "--collection", required = true, description = "SMART or BEIR folder (e.g. ../shared/data/cranfield)")
  Path collection;

  @Option(names = "--seconds", description = "measured seconds per scenario (default ${DEFAULT-VALUE})")
  int seconds = 120;

  @Option(names = "--warmup", description = "seconds of the mix before each measurement, not counted (default ${DEFAULT-VALUE})")
  int warmup = 15;

  @Option(names = "--rate", description = "mix requests per second, paced (default ${DEFAULT-VALUE})")
  double rate = 50;

  @Option(names = "--page2-share", description = "share of mix requests for page 2, offset=10 (default ${DEFAULT-VALUE})")
  double page2Share = 0.2;

  @Option(names = "--zipf", description = "Zipf exponent over the collection's queries (default ${DEFAULT-VALUE})")
  double zipf = 1.0;

  @Option(names = "--seed", description = "seed of the mix's and the probes' random numbers (default ${DEFAULT-VALUE})")
  long seed = 12;

  @Option(names = "--ingest-rate", description = "documents per second of scenarios R, J and D (default ${DEFAULT-VALUE})")
  double ingestRate = 10;

  @Option(names = "--fast-ingest-rate", description = "documents per second of scenario V, with supplied vectors "
      + "(default ${DEFAULT-VALUE})")
  double fastIngestRate = 100;

  @Option(names = "--delete-every", description = "in scenario D, one operation in this many deletes a copy the "
      + "scenario streamed earlier (default ${DEFAULT-VALUE})")
  int deleteEvery = 3;

  @Option(names = "--delete-after-s", description = "in scenario D, a copy is deleted once it has been out this many "
      + "seconds, time to enter the cached windows (default ${DEFAULT-VALUE})")
  int deleteAfterSeconds = 10;

  @Option(names = "--popular-queries", description = "scenario D streams copies of the documents judged relevant to "
      + "this many of the mix's most popular queries, so that its deletes hit cached windows (default ${DEFAULT-VALUE})")
  int popularQueries = 20;

  @Option(names = "--audit-rate", description = "the service's " + AUDIT_RATE + ": share of cached answers audited "
      + "against a fresh computation (default ${DEFAULT-VALUE})")
  double auditRate = 0.01;

  @Option(names = "--generation-changes-max", description = "the indexing job's " + CHANGES_MAX + ": a generation with "
      + "more changes falls back to today's rule (default ${DEFAULT-VALUE})")
  int generationChangesMax = 1000;

  @Option(names = "--probe-every-ms", description = "one produced document in this many ms is a probe (default ${DEFAULT-VALUE})")
  long probeEveryMs = 2000;

  @Option(names = "--poll-ms", description = "how often a probe's search is sent until it is a hit (default ${DEFAULT-VALUE})")
  long pollMs = 50;

  @Option(names = "--probe-timeout", description = "seconds after which a probe not seen counts as unseen (default ${DEFAULT-VALUE})")
  int probeTimeout = 30;

  @Option(names = "--probe-mode", description = "search mode of the probes: text or keyword (default ${DEFAULT-VALUE})")
  String probeMode = "text";

  @Option(names = "--max-staleness-ms", description = "the service's BRAIN_MAX_STALENESS_MS, and the bound answers are "
      + "checked against (default: the catalogue's, ${DEFAULT-VALUE})")
  long maxStalenessMs = CATALOGUE.getLong(Setting.MAX_STALENESS_MS, 0);

  @Option(names = "--checkpoint-interval-ms", description = "the indexing job's checkpoint interval (default: the "
      + "catalogue's, ${DEFAULT-VALUE})")
  long checkpointIntervalMs = CATALOGUE.getLong(Setting.CHECKPOINT_INTERVAL_MS, 10);

  /** The mix's distinct queries. */
  private int queryCount;
  /** What scenario D streams copies of ({@link #popularTexts}). */
  private List<CollectionDocument> popularTexts;
  /** The collection's vectors by document id, when a scenario supplies them. */
  private Map<String, float[]> vectors = Map.of();
  /** The generation notices of the run. */
  private GenerationWatch generations;

  @Option(names = "--warm-top-k", description = "how many popular requests the warming job re-computes per generation "
      + "(default: the catalogue's, ${DEFAULT-VALUE})")
  int warmTopK = CATALOGUE.getInt(Setting.WARM_TOP_K, 1);

  @Option(names = "--max-batch-wait-ms", description = "the indexing job's longest wait to fill a batch (default: the "
      + "catalogue's, ${DEFAULT-VALUE})")
  long maxBatchWaitMs = CATALOGUE.getLong(Setting.BATCH_MAX_WAIT_MS, 1);

  @Option(names = "--scenarios", split = ",", description = "which scenarios, in order, of B (no ingestion), R (judging "
      + "off), J (judging), V (judging, fast, supplied vectors), D (judging, deletes) (default ${DEFAULT-VALUE})")
  List<Scenario> scenarios = List.of(Scenario.B, Scenario.R, Scenario.J, Scenario.V, Scenario.D);

  @Option(names = "--query-services", split = ",", description = "query service instances sharing L2, each scenario "
      + "run once per count in the order given, the mix sent to them in turn (e.g. 1,3) (default ${DEFAULT-VALUE})")
  List<Integer> queryServices = List.of(1);

  @Option(names = "--redis-cluster", description = "Redis as a real Redis Cluster (three masters, three replicas) "
      + "rather than one Redis")
  boolean redisCluster;

  @picocli.CommandLine.Mixin
  StackOptions stack = new StackOptions();

  /**
   * The query service's settings of issue #18, by name: they are read by a service built from that
   * issue's branch; a service without them ignores them and exports none of the judging metrics.
   */
  static final String JUDGING = "BRAIN_CACHE_JUDGING";
  static final String AUDIT_RATE = "BRAIN_CACHE_AUDIT_RATE";
  static final String CHANGES_MAX = "BRAIN_GENERATION_CHANGES_MAX"; // Setting.GENERATION_CHANGES_MAX, as a constant for the option text

  /** The scenarios of one run; every one with warming on (the product as {@code brain up} runs it). */
  enum Scenario {
    B(false, true, false, false, false),
    R(true, false, false, false, false),
    J(true, true, false, false, false),
    V(true, true, true, true, false),
    D(true, true, false, false, true);

    final boolean ingest;
    final boolean judging;
    /** at --fast-ingest-rate instead of --ingest-rate */
    final boolean fast;
    /** documents carry their vector (embedded once by the benchmark), so the job embeds none */
    final boolean vectors;
    /** one operation in --delete-every deletes a copy streamed earlier */
    final boolean deletes;

    Scenario(boolean ingest, boolean judging, boolean fast, boolean vectors, boolean deletes) {
      this.ingest = ingest;
      this.judging = judging;
      this.fast = fast;
      this.vectors = vectors;
      this.deletes = deletes;
    }
  }

  /** A scenario's title with this run's rates. */
  String title(Scenario s) {
    if (!s.ingest) {
      return "no ingestion";
    }
    return String.format(Locale.ROOT, "%s, %s documents/s %s%s", s.judging ? "judging" : "judging off (today's rule)",
        num(s.fast ? fastIngestRate : ingestRate), s.vectors ? "with supplied vectors" : "with embedding",
        s.deletes ? ", 1 in " + deleteEvery + " a delete" : "");
  }

  /**
   * @param produced documents written (upserts); {@code deleted} of them deleted again
   * @param judging the service's counters over the measured period, and its generations
   * @param deletedAnswers 200 answers holding a document deleted at or before their generation
   * @param laterDeletedAnswers 200 answers holding a document that a later generation deleted
   */
  record Outcome(Scenario scenario, int instances, CacheFigures figures, long produced, long deleted, double catchUpSeconds,
      CpuWatch.Cpu cpu, double sendRate, JudgingFigures judging, long deletedAnswers, long laterDeletedAnswers) {
    /** Windows the service computed per second (misses, refreshes, warming). */
    double computedPerSecond(int seconds) {
      return judging.computed() / seconds;
    }
  }

  /** One 200 answer of the mix: the generation it is valid for, and its hits' ids. */
  record Answer(long generation, List<String> ids) {
    /** The answer a 200 body gives. */
    static Answer of(JsonNode body) {
      List<String> ids = new ArrayList<>();
      body.path("hits").forEach(hit -> ids.add(hit.path("id").asText()));
      return new Answer(body.path("generation").asLong(0), List.copyOf(ids));
    }
  }

  /** Counts the answers that hold a document deleted by their generation, and those that hold one deleted later. */
  static long[] deletedAnswers(DeletedAnswers deleted, List<Answer> answers) {
    long now = 0;
    long later = 0;
    for (Answer a : answers) {
      if (deleted.holdsDeleted(a.generation(), a.ids())) {
        now++;
      } else if (deleted.holdsLaterDeleted(a.generation(), a.ids())) {
        later++;
      }
    }
    return new long[] {now, later};
  }

  @Override
  public Integer call() throws Exception {
    if (queryServices.isEmpty() || queryServices.stream().anyMatch(n -> n < 1 || n > 16)) {
      throw new IllegalArgumentException("--query-services takes counts from 1 to 16, not " + queryServices);
    }
    StackRun.requireJar(stack.jar);
    if (!probeMode.equals("text") && !probeMode.equals("keyword")) {
      throw new IllegalArgumentException("--probe-mode is text or keyword, not " + probeMode);
    }
    TestCollection c = TestCollections.read(collection);
    List<String> queries = OpenLoopMix.queries(c);
    queryCount = queries.size();
    List<CollectionDocument> texts = DocumentStream.streamable(c);
    popularTexts = popularTexts(c, texts, popularQueries);
    if (scenarios.stream().anyMatch(s -> s.vectors)) {
      vectors = embed(texts); // before the stack starts, so that the engines do not share the cores with it
    }
    List<Outcome> outcomes = new ArrayList<>();
    try (StackRun run = StackRun.start("cache", redisCluster);
        GenerationWatch watching = new GenerationWatch(run.endpoints().redisUri())) {
      generations = watching;
      run.startJobs(stack.jar, stack.taskManagers, Map.of(
          Setting.BATCH_MAX_WAIT_MS.variable(), Long.toString(maxBatchWaitMs),
          Setting.CHECKPOINT_INTERVAL_MS.variable(), Long.toString(checkpointIntervalMs),
          Setting.GENERATION_CHANGES_MAX.variable(), Integer.toString(generationChangesMax)), warmTopK);
      long indexed = run.index(c);
      try (DocumentPublisher publisher = run.publisher()) {
        for (Scenario s : scenarios) {
          for (int instances : queryServices) {
            if (queryServices.size() > 1) {
              emptyWindows(run.endpoints().redisUri()); // no count inherits the windows another one computed
            }
            Outcome o = scenario(s, instances, run, publisher, texts, queries, indexed);
            indexed += o.produced() - o.deleted();
            outcomes.add(o);
          }
        }
      }
    }
    String report = report(outcomes);
    System.out.println(report);
    Path out = Path.of("bench-reports");
    Files.createDirectories(out);
    Path file = out.resolve("cache-" + LocalDateTime.now().withNano(0).toString().replace(':', '-') + ".md");
    Files.writeString(file, report);
    System.out.println("report: " + file);
    return 0;
  }

  private Outcome scenario(Scenario s, int instances, StackRun run, DocumentPublisher publisher,
      List<CollectionDocument> texts, List<String> queries, long indexedBefore) throws Exception {
    System.out.printf(Locale.ROOT, "scenario %s (%s): starting %d query service instance(s)…%n", s, title(s), instances);
    CacheFigures figures = new CacheFigures(maxStalenessMs);
    Map<String, String> settings = Map.of(
        Setting.MAX_STALENESS_MS.variable(), Long.toString(maxStalenessMs),
        Setting.CACHE_WARMING.variable(), "true",
        JUDGING, Boolean.toString(s.judging),
        AUDIT_RATE, Double.toString(auditRate));
    long produced = 0;
    long deleted = 0;
    CpuWatch.Cpu cpu;
    double sendRate;
    PrometheusText before;
    PrometheusText after;
    long measureFrom;
    long measuredTo;
    List<Answer> answers = new ArrayList<>();
    List<ServiceProcess> services = new ArrayList<>();
    try {
      List<String> bases = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        int port = Ports.free();
        services.add(run.startService(port, settings, stack.serviceClasspath));
        bases.add("http://127.0.0.1:" + port);
      }
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
      measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
      long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
      OpenLoopMix mix = new OpenLoopMix(bases, List.of(run.adminKey()), queries,
          new OpenLoopMix.Shape(zipf, seed, page2Share, 0, 5), body -> {
            Answer a = Answer.of(body);
            synchronized (answers) {
              answers.add(a);
            }
          });
      Thread generator = mix.start(List.of(new OpenLoopMix.Phase(start, measureFrom, rate, null),
          new OpenLoopMix.Phase(measureFrom, end, rate, figures)));
      System.out.printf(Locale.ROOT, "scenario %s: %d s of warm-up at %.0f requests/s…%n", s, warmup, rate);
      OpenLoopMix.sleepUntil(measureFrom);
      CpuWatch watch = new CpuWatch(services.stream().map(p -> p.process().pid()).toList(), run.flinkPids());
      before = metrics(bases, run.adminKey());
      DocumentStream ingestion = s.ingest ? new DocumentStream(new DocumentStream.Plan("bench-" + s + "-",
          s.fast ? fastIngestRate : ingestRate, seed + s.ordinal() + 1, probeEveryMs, pollMs, probeTimeout, probeMode),
          bases.get(0), run.adminKey(), publisher, s.deletes ? popularTexts : texts, s.vectors ? vectors : null,
          s.deletes ? new DeleteSchedule(deleteEvery, TimeUnit.SECONDS.toNanos(deleteAfterSeconds)) : null, figures)
          : null;
      System.out.printf(Locale.ROOT, "scenario %s: measuring %d s%s…%n", s, seconds,
          s.ingest ? " while writing " + title(s) : "");
      while (generator.isAlive()) {
        generator.join(10_000);
        if (generator.isAlive()) {
          System.out.printf(Locale.ROOT, "  %s: %d sent, %d answered, %.1f %% from cache, %d probes seen%n", s,
              figures.sentCount(), figures.answered(), 100 * figures.cacheShare(), figures.probes() - figures.probesUnseen());
        }
      }
      if (ingestion != null) {
        produced = ingestion.stop();
        deleted = ingestion.deleted();
      }
      cpu = watch.stop();
      after = metrics(bases, run.adminKey());
      measuredTo = System.nanoTime();
      sendRate = figures.sentCount() / (double) seconds;
      mix.awaitInFlight(Duration.ofSeconds(15));
      if (ingestion != null) {
        ingestion.awaitProbes(Duration.ofSeconds(probeTimeout + 2));
      }
      // what the service warned about during the scenario (quiet by default: one line per event)
      for (ServiceProcess service : services) {
        try (var lines = Files.lines(service.log())) {
          lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).limit(10)
              .forEach(l -> System.out.println("  " + s + " service: " + l));
        }
      }
    } finally {
      for (ServiceProcess service : services) {
        service.close();
      }
    }
    double catchUp = 0;
    if (produced > 0) {
      long began = System.nanoTime();
      try {
        EmbeddedProduct.awaitIndexed(run.endpoints(), run.index(), indexedBefore + produced - deleted, n -> { },
            Duration.ofMinutes(3));
        catchUp = (System.nanoTime() - began) / 1e9;
      } catch (IllegalStateException late) {
        System.out.println("  " + late.getMessage());
        catchUp = Double.NaN;
      }
    }
    // the notices of the answers' generations have all arrived by now (the catch-up, or the probes' wait)
    long[] holding;
    synchronized (answers) {
      holding = deletedAnswers(generations.deleted(), answers);
    }
    JudgingFigures judging = JudgingFigures.between(before, after, generations.generationsBetween(measureFrom, measuredTo));
    Outcome o = new Outcome(s, instances, figures, produced, deleted, catchUp, cpu, sendRate, judging, holding[0], holding[1]);
    System.out.println("  " + summary(o));
    return o;
  }

  /**
   * Deletes every cached window and refresh claim from L2 (on a cluster, from every master), keeping
   * the documents' display fields and the generation: the next scenario's instances start from a cold
   * shared level, as from a cold L1.
   */
  static long emptyWindows(String redisUri) {
    try (RedisConnector redis = RedisConnector.create(redisUri, RedisConnector.Options.WRITING);
        RedisConnector.Connection connection = redis.connect()) {
      long deleted = 0;
      for (String pattern : List.of(WindowQuery.cacheKeyPattern(), RedisKeys.REFRESH_CLAIMS)) {
        List<String> keys = connection.sync().keys(pattern); // on a cluster: on every master
        if (!keys.isEmpty()) {
          deleted += connection.sync().del(keys.toArray(String[]::new));
        }
      }
      System.out.printf(Locale.ROOT, "L2 emptied of %d cached windows and claims%n", deleted);
      return deleted;
    }
  }

  /** Every instance's counters, as one service's. */
  private static PrometheusText metrics(List<String> bases, String key) throws Exception {
    List<PrometheusText> scrapes = new ArrayList<>();
    for (String base : bases) {
      scrapes.add(ServiceHttp.metrics(base, key));
    }
    return PrometheusText.merged(scrapes);
  }

  /** A column's name: the scenario, and how many instances when the run compares counts. */
  private String column(Outcome o) {
    return o.scenario() + (queryServices.size() > 1 || o.instances() > 1 ? " ×" + o.instances() : "");
  }

  /**
   * The documents judged relevant to the {@code n} most popular queries of the mix (the Zipf ranks are
   * the collection's query order), in that order, each once: copies of them enter those queries'
   * cached windows. All of {@code texts} when the collection judges none of them.
   */
  static List<CollectionDocument> popularTexts(TestCollection c, List<CollectionDocument> texts, int n) {
    Map<String, CollectionDocument> byId = new java.util.HashMap<>();
    texts.forEach(d -> byId.put(d.id(), d));
    java.util.LinkedHashSet<CollectionDocument> popular = new java.util.LinkedHashSet<>();
    for (CollectionQuery q : c.queries().subList(0, Math.min(n, c.queries().size()))) {
      for (String id : c.relevant(q.id())) {
        if (byId.containsKey(id)) {
          popular.add(byId.get(id));
        }
      }
    }
    return popular.isEmpty() ? texts : List.copyOf(popular);
  }

  /** Each document's vector, as the job would embed it (title. body), with the in-process model the product embeds with: for scenario V. */
  private static Map<String, float[]> embed(List<CollectionDocument> texts) {
    System.out.println("embedding " + texts.size() + " documents for the supplied-vector scenario…");
    long began = System.nanoTime();
    Embedder embedder = dev.companionbrain.cli.EmbeddedProduct.embedder();
    Map<String, float[]> vectors = new java.util.HashMap<>();
    for (int from = 0; from < texts.size(); from += 32) {
      List<CollectionDocument> batch = texts.subList(from, Math.min(texts.size(), from + 32));
      List<float[]> embedded = embedder.embedAll(batch.stream().map(CacheBenchmark::embeddingText).toList());
      for (int i = 0; i < batch.size(); i++) {
        vectors.put(batch.get(i).id(), embedded.get(i));
      }
    }
    System.out.printf(Locale.ROOT, "embedded in %.1f s%n", (System.nanoTime() - began) / 1e9);
    return vectors;
  }

  /** What {@code Document.embeddingText()} embeds for a collection document. */
  static String embeddingText(CollectionDocument d) {
    return d.title().isEmpty() ? d.body() : d.body().isEmpty() ? d.title() : d.title() + ". " + d.body();
  }

  private String summary(Outcome o) {
    CacheFigures f = o.figures();
    return String.format(Locale.ROOT, "%s: %.1f %% from cache, cached p99 %.2f ms, all p99 %.2f ms, freshness p95 %s, "
        + "%d past the bound, %d not 200, %d generations, %d answers with a deleted document, machine busy %.0f %%",
        column(o), 100 * f.cacheShare(), f.cachedMs(99),
        f.allMs(99), Double.isNaN(f.freshnessMs(95)) ? "-" : String.format(Locale.ROOT, "%.0f ms", f.freshnessMs(95)),
        f.pastBound(), f.failures(), o.judging().generations(), o.deletedAnswers(), 100 * o.cpu().machineMean());
  }

  String report(List<Outcome> outcomes) {
    StringBuilder md = new StringBuilder();
    md.append("# Cache under ingestion ").append(LocalDateTime.now().withNano(0)).append("\n\n");
    md.append(String.format(Locale.ROOT, "`./brain bench cache --collection %s --seconds %d --warmup %d --rate %s "
        + "--page2-share %s --zipf %s --seed %d --ingest-rate %s --fast-ingest-rate %s --delete-every %d "
        + "--delete-after-s %d --popular-queries %d --audit-rate %s --generation-changes-max %d --probe-every-ms %d "
        + "--poll-ms %d --probe-mode %s --max-staleness-ms %d --checkpoint-interval-ms %d --max-batch-wait-ms %d "
        + "--warm-top-k %d --scenarios %s --query-services %s%s`; %d cores shared by the engines%s, the Flink cluster "
        + "(IndexingJob, LatencyAlertJob, CacheWarmingJob), the query service (its own JVM per instance, restarted for "
        + "each scenario; several instances share L2 and take the mix's requests in turn) and this benchmark.%n%n",
        collection, seconds, warmup, num(rate), num(page2Share), num(zipf), seed, num(ingestRate),
        num(fastIngestRate), deleteEvery, deleteAfterSeconds, popularQueries, num(auditRate), generationChangesMax,
        probeEveryMs, pollMs, probeMode, maxStalenessMs, checkpointIntervalMs, maxBatchWaitMs, warmTopK,
        String.join(",", scenarios.stream().map(Enum::name).toList()),
        String.join(",", queryServices.stream().map(String::valueOf).toList()), redisCluster ? " --redis-cluster" : "",
        Runtime.getRuntime().availableProcessors(), redisCluster ? " (Redis a cluster of three masters and three replicas)" : ""));
    md.append(String.format(Locale.ROOT, "Mix: GET /search, hybrid, k=10, %.0f %% page 2, queries Zipf(s=%s) over the "
        + "collection's queries, paced open loop (latency from the intended send time), measured after %d s of the same "
        + "mix. Streams: copies of collection documents under new ids (D: of the documents judged relevant to the %d "
        + "most popular queries, one operation in %d deleting a copy out for %d s). Probes: one document in %d ms "
        + "carries a unique token; a %s search for it is sent every %d ms from its produce time until it is a hit; "
        + "freshness is that answer's arrival minus the produce time. Service: %s per scenario (true but in R), "
        + "%s=%s; the indexing job: %s=%d. Judging, audit and refresh figures are the service's counters between "
        + "the start and the end of the measured period; per generation = per generation notice received in it.%n%n",
        100 * page2Share, num(zipf), warmup, popularQueries, deleteEvery, deleteAfterSeconds, probeEveryMs, probeMode,
        pollMs, JUDGING, AUDIT_RATE, num(auditRate), CHANGES_MAX, generationChangesMax));
    md.append("| |");
    outcomes.forEach(o -> md.append(' ').append(column(o)).append(": ").append(title(o.scenario()))
        .append(o.instances() > 1 ? ", " + o.instances() + " instances" : "").append(" |"));
    md.append(" target |\n|---|");
    outcomes.forEach(o -> md.append("---|"));
    md.append("---|\n");
    row(md, outcomes, "mix requests (rate sent)", o -> String.format(Locale.ROOT, "%d (%.1f/s)", o.figures().sentCount(),
        o.sendRate()), "");
    row(md, outcomes, "answers 200 / not 200 or none", o -> o.figures().answered() + " / " + o.figures().failures()
        + (o.figures().failures() == 0 ? "" : " (" + o.figures().failuresByStatus() + ")"), "0 not 200");
    row(md, outcomes, "from cache (l1 + l2)", o -> pct(o.figures().cacheShare()),
        ">= 95 % at " + num(ingestRate) + " docs/s (J), >= 80 % at " + num(fastIngestRate) + " docs/s (V)");
    row(md, outcomes, "l1 / l2 / miss / bypass / no field", o -> String.join(" / ", pct(o.figures().share("l1")),
        pct(o.figures().share("l2")), pct(o.figures().share("miss")), pct(o.figures().share("bypass")),
        pct(o.figures().share("")) ), "");
    row(md, outcomes, "cached answers p50 / p95 / p99 ms", o -> ms3(o.figures()::cachedMs), "p99 < 5");
    row(md, outcomes, "generations in the measured period (one every … s)", o -> o.judging().generations() == 0 ? "0"
        : String.format(Locale.ROOT, "%d (%.2f s)", o.judging().generations(), seconds / (double) o.judging().generations()),
        "");
    row(md, outcomes, "generations judged / fallen back to today's rule", o -> o.judging().judging()
        ? String.format(Locale.ROOT, "%.0f / %.0f", o.judging().judged(), o.judging().fallback()) : "-", "");
    row(md, outcomes, "windows per generation: carried / patched / recompute", o -> o.judging().judging()
        ? String.join(" / ", num1(o.judging().perGeneration(o.judging().carried())),
            num1(o.judging().perGeneration(o.judging().patched())), num1(o.judging().perGeneration(o.judging().recompute())))
        : "-", "");
    row(md, outcomes, "windows recomputed per generation (refreshes computed)",
        o -> num1(o.judging().perGeneration(o.judging().recomputed())), "");
    row(md, outcomes, "judging per generation: CPU ms / wall ms per judged generation", o -> o.judging().judging()
        ? num2(o.judging().judgingCpuMsPerGeneration()) + " / " + num2(o.judging().judgingWallMsPerJudged()) : "-", "");
    row(md, outcomes, "audits same / differ / skipped; differ share", o -> o.judging().auditsSame()
        + o.judging().auditsDiffer() + o.judging().auditsSkipped() == 0 ? "-" : String.format(Locale.ROOT,
            "%.0f / %.0f / %.0f; %s", o.judging().auditsSame(), o.judging().auditsDiffer(), o.judging().auditsSkipped(),
            pct(o.judging().differShare())), "<= 1 % differ");
    row(md, outcomes, "audits' mean top-10 overlap", o -> num3(o.judging().meanOverlap()), "");
    row(md, outcomes, "ceiling: the staleness rule's share for this mix and these generations, computing free "
        + "(StalenessModel), without warming / with the top " + warmTopK + " warmed; measured / ceiling (R: today's rule)",
        o -> {
          if (o.scenario().judging && o.scenario().ingest) {
            return "-";
          }
          double g = o.judging().generations() == 0 ? 0 : seconds / (double) o.judging().generations();
          double cold = StalenessModel.share(queryCount, zipf, rate, g, maxStalenessMs / 1000.0, 0, 3600, seed);
          double warm = StalenessModel.share(queryCount, zipf, rate, g, maxStalenessMs / 1000.0, warmTopK, 3600, seed);
          return String.format(Locale.ROOT, "%.1f %% / %.1f %%; %.2f", 100 * cold, 100 * warm, o.figures().cacheShare() / warm);
        }, "");
    row(md, outcomes, "warming the 95 % target needs under today's rule (StalenessModel): top K windows per generation, "
        + "i.e. windows computed per second (R)", o -> {
          if (o.judging().generations() == 0 || o.scenario().judging) {
            return "-";
          }
          double g = seconds / (double) o.judging().generations();
          int low = 0;
          int high = queryCount;
          while (low < high) {
            int k = (low + high) / 2;
            if (StalenessModel.share(queryCount, zipf, rate, g, maxStalenessMs / 1000.0, k, 3600, seed) >= 0.95) {
              high = k;
            } else {
              low = k + 1;
            }
          }
          return String.format(Locale.ROOT, "top %d, %.0f/s", low, low / g);
        }, "");
    row(md, outcomes, "windows computed per second by the service (misses + refreshes + warming)",
        o -> String.format(Locale.ROOT, "%.1f", o.computedPerSecond(seconds)), "");
    row(md, outcomes, "floor: GET /health/live beside the mix (10/s), p50 / p95 / p99 ms", o -> ms3(o.figures()::floorMs), "");
    row(md, outcomes, "all answers p50 / p95 / p99 ms", o -> ms3(o.figures()::allMs), "");
    row(md, outcomes, "answers with stale_ms > " + maxStalenessMs + " (largest stale_ms)",
        o -> o.figures().pastBound() + " (" + o.figures().maxStaleMs() + ")", "0");
    row(md, outcomes, "documents produced / deleted", o -> o.produced() + " / " + o.deleted(), "");
    row(md, outcomes, "answers holding a document deleted at or before their generation (answers holding one that a "
        + "later generation deletes)", o -> o.deletedAnswers() + " (" + o.laterDeletedAnswers() + ")", "0 (D)");
    row(md, outcomes, "freshness p50 / p95 ms (probes seen / sent)", o -> o.figures().probes() == 0 ? "-"
        : String.format(Locale.ROOT, "%s / %s (%d / %d)", num0(o.figures().freshnessMs(50)), num0(o.figures().freshnessMs(95)),
        o.figures().probes() - o.figures().probesUnseen(), o.figures().probes()), "p95 <= 1500 (J)");
    row(md, outcomes, "indexing caught up, s after the scenario", o -> o.produced() == 0 ? "-" : num1(o.catchUpSeconds()), "");
    row(md, outcomes, "machine CPU busy: mean / busiest second / seconds >= 95 %", o -> String.format(Locale.ROOT,
        "%s / %s / %d of %d", pct(o.cpu().machineMean()), pct(o.cpu().machineMax()), o.cpu().saturatedSeconds(),
        o.cpu().sampledSeconds()), "");
    int cores = Runtime.getRuntime().availableProcessors();
    row(md, outcomes, "cores used: service / Flink / benchmark JVM / the rest (engines, other work)", o -> String.format(
        Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", o.cpu().serviceCores(), o.cpu().flinkCores(), o.cpu().benchCores(),
        o.cpu().restCores(cores)), "");
    md.append('\n');
    for (String line : verdicts(outcomes)) {
      md.append(line).append("\n\n");
    }
    md.append("A target missed while the machine was busy (mean near 100 %, many saturated seconds) says the two cores "
        + "were short, not necessarily the cache. B has no ingestion and no probes: the reference for the cache share "
        + "and latency without index generations changing; R is today's rule under the same stream as J. A service "
        + "built without judging exports none of its counters: the judging and audit rows then read \"-\". "
        + (generations == null || generations.unreadable() == 0 ? ""
            : generations.unreadable() + " generation notices could not be read as JSON. ") + "\n");
    return md.toString();
  }

  /** The verdicts of issue #18's targets, for the scenarios of the run that have them. */
  List<String> verdicts(List<Outcome> outcomes) {
    List<String> lines = new ArrayList<>();
    for (Outcome o : outcomes) {
      Scenario s = o.scenario();
      if (!s.ingest) {
        continue;
      }
      CacheFigures f = o.figures();
      List<String> parts = new ArrayList<>();
      if (s == Scenario.J) {
        parts.add("from cache >= 95 % " + verdict(f.cacheShare() >= 0.95));
        parts.add("freshness p95 <= 1.5 s " + verdict(f.freshnessMs(95) <= 1500));
      }
      if (s == Scenario.V) {
        parts.add("from cache >= 80 % " + verdict(f.cacheShare() >= 0.80));
      }
      if (s.judging) {
        double differ = o.judging().differShare();
        parts.add("audited differ <= 1 % " + (Double.isNaN(differ) ? "not measured (no audits)" : verdict(differ <= 0.01)));
      }
      if (s.deletes) {
        parts.add("0 answers with a deleted document " + (o.deleted() == 0 ? "not measured (nothing deleted)"
            : verdict(o.deletedAnswers() == 0)));
      }
      parts.add("cached p99 < 5 ms " + verdict(f.cachedMs(99) < 5));
      parts.add("past the bound " + verdict(f.pastBound() == 0));
      parts.add("not 200 " + verdict(f.failures() == 0));
      lines.add(column(o) + " (" + title(s) + "): " + String.join(", ", parts) + ".");
    }
    return lines;
  }

  private static void row(StringBuilder md, List<Outcome> outcomes, String name,
      java.util.function.Function<Outcome, String> cell, String target) {
    md.append("| ").append(name).append(" |");
    outcomes.forEach(o -> md.append(' ').append(cell.apply(o)).append(" |"));
    md.append(' ').append(target).append(" |\n");
  }
}
