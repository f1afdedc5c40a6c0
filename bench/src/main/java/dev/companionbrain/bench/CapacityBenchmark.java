package dev.companionbrain.bench;

import static dev.companionbrain.bench.ReportFormat.num;

import dev.companionbrain.cli.DocumentPublisher;
import dev.companionbrain.cli.LocalKeys;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.localstack.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #25: the query service's capacity. On the stack {@code brain up} runs (real engines, a real Flink
 * session cluster with the job jar's jobs, Cranfield indexed first), an open-loop mix of hybrid searches
 * from many clients (an API key and connections of their own each) is stepped up through a ladder of
 * rates, without ingestion and with a document stream, each pass on a fresh query service in a JVM of
 * its own with the catalogue's settings. Every step records the goodput, the cache share, the answered's
 * latency, the refusals by status and error code, stale answers, freshness, breakers and CPU
 * ({@link CapacityStep}); {@link CapacityTargets} finds each pass's knee and judges the targets;
 * the report ({@link CapacityReport}) and its chart ({@link CapacityChart}) go to {@code bench-reports/}.
 */
@Command(name = "capacity", description = "The query service's capacity: goodput, latency and refusals as the "
    + "offered rate steps up, without and with ingestion; the knee (issue #25; see BENCHMARKS.md).")
final class CapacityBenchmark implements Callable<Integer> {
  /** Where the product's settings come from: the environment over the catalogue's defaults, as the product reads them. */
  private static final Settings CATALOGUE = Settings.fromEnvironment();
  /** How long the mix's last answers (10 s timeout) and the last probes are waited for. */
  private static final Duration DRAIN = Duration.ofSeconds(15);

  @Option(names = "--collection", required = true, description = "SMART or BEIR folder (e.g. ../shared/data/cranfield)")
  Path collection;

  @Option(names = "--clients", description = "clients of the mix, each with its own API key (scope search) and "
      + "connections (default ${DEFAULT-VALUE})")
  int clients = 50;

  @Option(names = "--rates", split = ",", defaultValue = "10,25,50,100,200", description = "the ladder: offered "
      + "requests per second of each step, ascending (default ${DEFAULT-VALUE})")
  List<Double> rates;

  @Option(names = "--step-seconds", description = "measured seconds per step (default ${DEFAULT-VALUE})")
  int stepSeconds = 30;

  @Option(names = "--warmup", description = "seconds of the first step's rate before a pass's ladder (and of the "
      + "rate beyond the knee before that step), not counted (default ${DEFAULT-VALUE})")
  int warmup = 10;

  @Option(names = "--zipf", description = "Zipf exponent over the collection's queries (default ${DEFAULT-VALUE})")
  double zipf = 1.0;

  @Option(names = "--no-cache-share", description = "share of the requests sent with Cache-Control: no-cache "
      + "(default ${DEFAULT-VALUE})")
  double noCacheShare = 0.05;

  @Option(names = "--ingest-rate", description = "documents per second of the ingest pass (default ${DEFAULT-VALUE})")
  double ingestRate = 10;

  @Option(names = "--probe-every-ms", description = "one produced document in this many ms is a probe (default ${DEFAULT-VALUE})")
  long probeEveryMs = 2000;

  @Option(names = "--poll-ms", description = "how often a probe's search is sent until it is a hit, one at a time: the polls are search load too (default ${DEFAULT-VALUE})")
  long pollMs = 200;

  @Option(names = "--probe-timeout", description = "seconds after which a probe not seen counts as unseen (default ${DEFAULT-VALUE})")
  int probeTimeout = 30;

  @Option(names = "--seed", description = "seed of the mix's and the probes' random numbers (default ${DEFAULT-VALUE})")
  long seed = 12;

  @Option(names = "--passes", split = ",", defaultValue = "none,ingest", converter = PassConverter.class,
      description = "which passes, in order: none (no ingestion), ingest (documents streamed at --ingest-rate), fixed "
          + "(as ingest, on a service with the admission of before issue #25: BRAIN_COMPUTE_LIMIT fixed at "
          + "BRAIN_MAX_CONCURRENT_SEARCHES, BRAIN_SATURATED_MAX_STALENESS_MS 0), yielding (as ingest, the service "
          + "started under nice -n 3: the indexing weighs twice the service for the CPU, as compose's cpu_shares "
          + "give it) (default ${DEFAULT-VALUE})")
  List<CapacityPass.Kind> passes;

  @Option(names = "--beyond-knee", description = "after a pass's ladder, one more step at this multiple of its knee; "
      + "0: none (default ${DEFAULT-VALUE})")
  double beyondKnee = 2;

  @picocli.CommandLine.Mixin
  StackOptions stack = new StackOptions();

  /** {@code --passes}' names. */
  static final class PassConverter implements CommandLine.ITypeConverter<CapacityPass.Kind> {
    @Override
    public CapacityPass.Kind convert(String value) {
      return CapacityPass.Kind.of(value);
    }
  }

  @Override
  public Integer call() throws Exception {
    StackRun.requireJar(stack.jar);
    checkOptions();
    TestCollection c = TestCollections.read(collection);
    List<String> queries = OpenLoopMix.queries(c);
    List<CollectionDocument> texts = DocumentStream.streamable(c);
    List<CapacityPass> results = new ArrayList<>();
    try (StackRun run = StackRun.start("capacity")) {
      run.startJobs(stack.jar, stack.taskManagers, Map.of(), CATALOGUE.getInt(Setting.WARM_TOP_K, 1));
      run.index(c);
      List<String> keys = clientKeys(run);
      try (DocumentPublisher publisher = run.publisher()) {
        for (CapacityPass.Kind kind : passes) {
          results.add(pass(kind, run, publisher, keys, queries, texts));
        }
      }
    }
    String stamp = LocalDateTime.now().withNano(0).toString().replace(':', '-');
    Path out = Path.of("bench-reports");
    Files.createDirectories(out);
    Path chart = out.resolve("capacity-" + stamp + ".svg");
    CapacityReport report = new CapacityReport(commandLine(), setup(queries.size()), clients, ingestRate, beyondKnee,
        Runtime.getRuntime().availableProcessors());
    Files.writeString(chart, CapacityChart.svg(results.stream()
        .map(p -> CapacityChart.Series.of(report.passTitle(p.kind()), p)).toList()));
    String markdown = report.markdown(LocalDateTime.now().withNano(0).toString(), results, chart.getFileName().toString());
    System.out.println(markdown);
    Path file = out.resolve("capacity-" + stamp + ".md");
    Files.writeString(file, markdown);
    System.out.println("report: " + file + ", chart: " + chart);
    return 0;
  }

  /** Refuses options that make no ladder. */
  void checkOptions() {
    if (clients < 1 || stepSeconds < 1 || warmup < 0 || ingestRate <= 0 || beyondKnee < 0) {
      throw new IllegalArgumentException("need --clients >= 1, --step-seconds >= 1, --warmup >= 0, --ingest-rate > 0 "
          + "and --beyond-knee >= 0");
    }
    if (rates.isEmpty() || passes.isEmpty()) {
      throw new IllegalArgumentException("--rates and --passes need at least one value each");
    }
    for (int i = 0; i < rates.size(); i++) {
      if (!(rates.get(i) > 0) || i > 0 && !(rates.get(i) > rates.get(i - 1))) {
        throw new IllegalArgumentException("--rates is a ladder of positive rates, each above the one before: " + rates);
      }
    }
  }

  /**
   * The run's command with every option, as the report quotes it; {@code --service-classpath} only when
   * it is not the benchmark's own.
   */
  String commandLine() {
    return String.format(Locale.ROOT, "./brain bench capacity --collection %s --clients %d --rates %s --step-seconds %d "
        + "--warmup %d --zipf %s --no-cache-share %s --ingest-rate %s --probe-every-ms %d --poll-ms %d --probe-timeout %d "
        + "--seed %d --passes %s --beyond-knee %s --task-managers %d --jar %s%s", collection, clients,
        rates.stream().map(ReportFormat::num).collect(Collectors.joining(",")), stepSeconds, warmup, num(zipf),
        num(noCacheShare), num(ingestRate), probeEveryMs, pollMs, probeTimeout, seed,
        passes.stream().map(CapacityPass.Kind::option).collect(Collectors.joining(",")), num(beyondKnee), stack.taskManagers,
        stack.jar, stack.serviceClasspathOption());
  }

  private String setup(int queryCount) {
    return String.format(Locale.ROOT, "%d cores shared by the engines, the Flink cluster (IndexingJob, LatencyAlertJob, "
        + "CacheWarmingJob), the query service (its own JVM, the catalogue's settings, restarted for each pass) and this "
        + "benchmark. Mix: GET /search, hybrid, k=10, queries Zipf(s=%s) over the collection's %d, %s with "
        + "Cache-Control: no-cache, from %d clients (an API key of scope search and connections of their own each, "
        + "request n from client n mod %d), paced open loop: latency from the intended send time, no answer after 10 s. "
        + "Each pass: %d s of warm-up at the first rate, then each rate for %d s, back to back; then, the ladder's last "
        + "answers in, %d s of warm-up and %d s at %s × the knee. With ingestion: copies of collection documents at %s "
        + "documents/s, one in %d ms a probe polled with a text search every %d ms until found (freshness, unseen after "
        + "%d s), first %d s with no search load (the freshness reference). Breakers: /health/ready's circuit_breakers "
        + "(and resilience4j's gauges in /metrics, when the service exports them) before and after each step.",
        Runtime.getRuntime().availableProcessors(), num(zipf), queryCount, ReportFormat.pct(noCacheShare), clients,
        clients, warmup, stepSeconds, warmup, stepSeconds, num(beyondKnee), num(ingestRate), probeEveryMs, pollMs,
        probeTimeout, stepSeconds);
  }

  /** One key of scope search per client, so that the service sees {@code --clients} clients. */
  private List<String> clientKeys(StackRun run) {
    long now = System.currentTimeMillis();
    return LocalKeys.withStore(run.endpoints().redisUri(), store -> IntStream.range(0, clients)
        .mapToObj(i -> store.create("bench capacity client " + i, Set.of(Scope.SEARCH), null, null, null, now).token())
        .toList());
  }

  private CapacityPass pass(CapacityPass.Kind kind, StackRun run, DocumentPublisher publisher, List<String> keys,
      List<String> queries, List<CollectionDocument> texts) throws Exception {
    System.out.printf(Locale.ROOT, "pass %s: starting a fresh query service…%n", kind.option());
    int port = Ports.free();
    try (ServiceProcess service = run.startService(port,
        kind.serviceSettings(CATALOGUE.getInt(Setting.MAX_CONCURRENT_SEARCHES, 1)), stack.serviceClasspath,
        kind.serviceNiceness())) {
      String base = "http://127.0.0.1:" + port;
      CacheFigures referenceFigures = figures();
      // the stream's first document is a probe: the reference step's from the start. Each pass writes
      // new documents (ids and probe tokens of its own): a copy sent again unchanged would cost the
      // indexing no embedding, and the pass would measure a lighter stream than the one before it
      DocumentStream stream = kind.ingests() ? new DocumentStream(new DocumentStream.Plan(
          "bench-capacity-" + kind.option() + "-", ingestRate, seed + 1 + kind.ordinal(), probeEveryMs, pollMs, probeTimeout, "text"), base, run.adminKey(),
          publisher, texts, null, null, referenceFigures) : null;
      StepMeter meter = new StepMeter(kind.option(), base, run.adminKey(), service.process().pid(), run.flinkPids(), stream);
      OpenLoopMix mix = new OpenLoopMix(base, keys, queries, new OpenLoopMix.Shape(zipf, seed, 0, noCacheShare, 0), null);
      StepMeter.Measured reference = null;
      if (stream != null) {
        long from = System.nanoTime();
        reference = meter.measure(CapacityStep.Kind.REFERENCE, 0, from, from + seconds(stepSeconds), referenceFigures);
      }
      List<StepMeter.Measured> ladder = steps(mix, meter, CapacityStep.Kind.LADDER, rates);
      Optional<CapacityStep> knee = CapacityTargets.knee(ladder.stream().map(StepMeter.Measured::step).toList());
      StepMeter.Measured beyond = null;
      if (beyondKnee > 0 && knee.isPresent()) {
        beyond = steps(mix, meter, CapacityStep.Kind.BEYOND, List.of(knee.get().rate() * beyondKnee)).get(0);
      }
      if (stream != null) {
        stream.stop();
        stream.awaitProbes(Duration.ofSeconds(probeTimeout + 2));
      }
      try (var lines = Files.lines(service.log())) {
        lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).limit(3)
            .forEach(l -> System.out.println("  " + kind.option() + " service: " + l));
      }
      return new CapacityPass(kind, reference == null ? null : reference.step(),
          ladder.stream().map(StepMeter.Measured::step).toList(), beyond == null ? null : beyond.step());
    }
  }

  /**
   * The warm-up at the first of {@code rates}, then a step at each, back to back; returns once their
   * answers are in.
   */
  private List<StepMeter.Measured> steps(OpenLoopMix mix, StepMeter meter, CapacityStep.Kind kind, List<Double> rates)
      throws InterruptedException {
    meter.idle();
    long from = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    List<OpenLoopMix.Phase> phases = new ArrayList<>();
    phases.add(new OpenLoopMix.Phase(from, from + seconds(warmup), rates.get(0), null));
    List<CacheFigures> figures = new ArrayList<>();
    long at = from + seconds(warmup);
    for (double rate : rates) {
      CacheFigures f = figures();
      figures.add(f);
      phases.add(new OpenLoopMix.Phase(at, at + seconds(stepSeconds), rate, f));
      at += seconds(stepSeconds);
    }
    Thread pacing = mix.start(phases);
    List<StepMeter.Measured> measured = new ArrayList<>();
    for (int i = 0; i < rates.size(); i++) {
      OpenLoopMix.Phase p = phases.get(i + 1);
      measured.add(meter.measure(kind, p.rate(), p.from(), p.to(), figures.get(i)));
    }
    meter.idle();
    pacing.join();
    mix.awaitInFlight(DRAIN);
    return measured;
  }

  private static CacheFigures figures() {
    return new CacheFigures(CATALOGUE.getLong(Setting.MAX_STALENESS_MS, 0));
  }

  private static long seconds(int s) {
    return TimeUnit.SECONDS.toNanos(s);
  }
}
