package dev.companionbrain.bench;

import dev.companionbrain.cli.DocumentPublisher;
import dev.companionbrain.cli.EmbeddedProduct;
import dev.companionbrain.cli.LocalKeys;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.jobs.latency.LatencyAlertJob;
import dev.companionbrain.jobs.warming.CacheWarmingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.FlinkCluster;
import dev.companionbrain.localstack.FlinkRest;
import dev.companionbrain.localstack.Folders;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The product a benchmark measures, as {@code brain up} runs it: the local engines, an admin key, a Flink
 * session cluster ({@code flink-conf/config.yaml}) running the job jar's IndexingJob, LatencyAlertJob and
 * CacheWarmingJob (submitted over REST), on an index and topics of the run's own, and the query service
 * in a JVM of its own, started as often as the benchmark needs a fresh one. A temporary folder holds the
 * services' logs. Closing stops the cluster and the engines and deletes the folder.
 */
final class StackRun implements AutoCloseable {
  private final Path work;
  private final LocalStack stack;
  /** The stack's, on its one Redis or on its Redis Cluster. */
  private final Endpoints endpoints;
  private final String adminKey;
  private final String index;
  private IndexingConfig indexing;
  private FlinkCluster flink;

  private StackRun(Path work, LocalStack stack, Endpoints endpoints, String adminKey, String index) {
    this.endpoints = endpoints;
    this.work = work;
    this.stack = stack;
    this.adminKey = adminKey;
    this.index = index;
  }

  /** Fails before anything starts when the job jar is not built. */
  static void requireJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no job jar at " + jar + ": build it with mvn install -DskipTests (./brain bench does)");
    }
  }

  /** Starts the engines and makes an admin key named {@code "bench " + name}; the index is {@code name-<hex>}. */
  static StackRun start(String name) throws Exception {
    return start(name, false);
  }

  /** @param redisCluster Redis as a real Redis Cluster (three masters, three replicas) rather than one Redis */
  static StackRun start(String name, boolean redisCluster) throws Exception {
    Path work = Files.createTempDirectory("brain-" + name + "-");
    try {
      LocalStack stack = LocalStack.start();
      try {
        Endpoints endpoints = redisCluster ? stack.endpointsOnRedisCluster() : stack.endpoints();
        String key = LocalKeys.create(endpoints.redisUri(), "bench " + name, Set.of(Scope.ADMIN));
        return new StackRun(work, stack, endpoints, key, name + "-" + Long.toHexString(System.nanoTime()));
      } catch (RuntimeException e) {
        stack.close();
        throw e;
      }
    } catch (Exception e) {
      Folders.delete(work);
      throw e;
    }
  }

  /**
   * Starts the Flink cluster and submits the jobs as Up does.
   *
   * @param indexingOverrides the indexing job's settings (catalogue variables) over the catalogue's
   * @param warmTopK the warming job's {@link Setting#WARM_TOP_K}
   */
  void startJobs(Path jar, int taskManagers, Map<String, String> indexingOverrides, int warmTopK) throws Exception {
    Endpoints e = endpoints();
    indexing = EmbeddedProduct.indexing(e, index + "-documents", index + "-dlq", index, indexingOverrides);
    System.out.println("starting the Flink session cluster…");
    flink = FlinkCluster.start(Path.of("flink-conf", "config.yaml"), taskManagers,
        Map.of(Setting.MEILISEARCH_KEY.variable(), e.meilisearchKey()), Ports.free(), Ports.free());
    FlinkRest rest = new FlinkRest(flink.restUrl());
    String jarId = rest.uploadJar(jar);
    rest.run(jarId, IndexingJob.class.getName(), indexing.programArguments(), 2, null, false);
    LatencyAlertJob.Config latency = LatencyAlertJob.Config.from(EmbeddedProduct.settings(Map.of(
        Setting.KAFKA_BOOTSTRAP_SERVERS.variable(), e.kafkaBootstrapServers(),
        Setting.TOPIC_REPLICATION_FACTOR.variable(), "1")));
    rest.run(jarId, LatencyAlertJob.class.getName(), latency.programArguments(), 1, null, false);
    CacheWarmingJob.Config warming = CacheWarmingJob.Config.from(EmbeddedProduct.settings(Map.of(
        Setting.KAFKA_BOOTSTRAP_SERVERS.variable(), e.kafkaBootstrapServers(),
        Setting.TOPIC_REPLICATION_FACTOR.variable(), "1",
        Setting.GENERATIONS_TOPIC.variable(), indexing.generationsTopic(),
        Setting.WARM_TOP_K.variable(), Integer.toString(warmTopK))));
    rest.run(jarId, CacheWarmingJob.class.getName(), warming.programArguments(), 1, null, false);
  }

  /**
   * Indexes the collection through the jobs, waits until both engines hold it and the machine has
   * settled; returns how many documents were indexed.
   */
  long index(TestCollection c) throws Exception {
    long indexed = EmbeddedProduct.indexable(c);
    EmbeddedProduct.publish(c, indexing);
    System.out.println("indexing " + indexed + " documents…");
    long began = System.nanoTime();
    EmbeddedProduct.awaitIndexed(endpoints(), index, indexed, n -> { });
    System.out.printf(Locale.ROOT, "indexed in %.1f s%n", (System.nanoTime() - began) / 1e9);
    settle();
    return indexed;
  }

  /** A query service on {@code port} with {@code settings} (catalogue variables) over the catalogue's. */
  ServiceProcess startService(int port, Map<String, String> settings, String classpath) throws Exception {
    return startService(port, settings, classpath, 0);
  }

  /** @param niceness the service's CPU niceness ({@link ServiceProcess#start(Map, int, Path, String, int)}) */
  ServiceProcess startService(int port, Map<String, String> settings, String classpath, int niceness) throws Exception {
    return ServiceProcess.start(EmbeddedProduct.queryEnvironment(endpoints(), index, port, settings), port, work,
        classpath, niceness);
  }

  /** A producer to the indexing job's documents topic (the caller closes it). */
  DocumentPublisher publisher() {
    return new DocumentPublisher(endpoints().kafkaBootstrapServers(), indexing.documentsTopic());
  }

  Endpoints endpoints() {
    return endpoints;
  }

  String adminKey() {
    return adminKey;
  }

  String index() {
    return index;
  }

  List<Long> flinkPids() {
    return flink.pids();
  }

  /**
   * Waits (at most 3 minutes) until the machine has been under 40 % busy for 5 s in a row: the engines
   * finish what the bulk indexing left them (merges, Meilisearch's own work) before the first
   * measurement, so the measurements' order does not decide their figures.
   */
  static void settle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    int quiet = 0;
    long[] before = MachineCpu.machine();
    while (quiet < 5 && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long[] now = MachineCpu.machine();
      quiet = MachineCpu.busyShare(before, now) < 0.40 ? quiet + 1 : 0;
      before = now;
    }
    System.out.println(quiet >= 5 ? "the machine settled" : "the machine did not settle in 3 minutes; measuring anyway");
  }

  @Override
  public void close() {
    try {
      if (flink != null) {
        flink.close();
      }
    } finally {
      try {
        stack.close();
      } finally {
        Folders.delete(work);
      }
    }
  }
}
