package dev.companionbrain.cli;

import dev.companionbrain.core.config.Setting;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.query.QueryService;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.jobs.latency.LatencyAlertJob;
import dev.companionbrain.jobs.warming.CacheWarmingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.FlinkCluster;
import dev.companionbrain.localstack.FlinkRest;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.Ports;
import dev.companionbrain.localstack.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts the local stack and a real Flink session cluster, submits the job jar's IndexingJob,
 * LatencyAlertJob and CacheWarmingJob over the cluster's REST API, starts the query service, and runs
 * until Ctrl-C.
 */
@Command(name = "up", description = "Run Companion Brain locally on real engines; Ctrl-C stops everything.")
final class Up implements Callable<Integer> {
  @Option(names = "--flink-port", description = "Flink web UI / REST port (default 8081, or a free one if taken)")
  int flinkPort = 8081;

  @Option(names = "--port", description = "query service port (default 8080, or a free one if taken)")
  int queryPort = 8080;

  @Option(names = "--metrics-port", description = "Flink JobManager's Prometheus reporter port (default 9249, or a free one)")
  int metricsPort = 9249;

  @Option(names = "--task-managers", description = "Flink TaskManagers to start (default ${DEFAULT-VALUE})")
  int taskManagers = 1;

  @Option(names = "--redis-cluster", description = "run Redis as a real Redis Cluster (three masters, three replicas)"
      + " instead of one Redis")
  boolean redisCluster;

  @Option(names = "--query-services", description = "query service instances to start, sharing Redis (default ${DEFAULT-VALUE})")
  int queryServices = 1;

  @Option(names = "--jar", description = "the job jar to submit (default ${DEFAULT-VALUE}, built by mvn install)")
  Path jar = Path.of("jobs", "target", "companion-brain-jobs.jar");

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no job jar at " + jar + ": build it with mvn install -DskipTests (./brain up does)");
    }
    if (queryServices < 1 || queryServices > 16) {
      throw new IllegalArgumentException("--query-services takes 1 to 16 instances, not " + queryServices);
    }
    LocalStack stack = LocalStack.start();
    Endpoints e;
    try {
      e = redisCluster ? stack.endpointsOnRedisCluster() : stack.endpoints();
    } catch (RuntimeException failed) {
      stack.close();
      throw failed;
    }
    IndexingConfig indexing = EmbeddedProduct.indexing(e);
    // a real Flink session cluster (JobManager + TaskManagers, flink-conf/config.yaml); the jobs' main() runs in
    // the JobManager and reads the Meilisearch key from its environment, not from the program arguments
    FlinkCluster flink;
    try {
      flink = FlinkCluster.start(Path.of("flink-conf", "config.yaml"), taskManagers,
          Map.of(Setting.MEILISEARCH_KEY.variable(), e.meilisearchKey()), flinkPort, metricsPort);
    } catch (RuntimeException failed) {
      stack.close();
      throw failed;
    }
    FlinkRest rest = new FlinkRest(flink.restUrl());
    String jarId = rest.uploadJar(jar);
    Map<String, String> endpoints = new LinkedHashMap<>();
    String indexingJob = rest.run(jarId, IndexingJob.class.getName(), indexing.programArguments(), 2, null, false);
    Jobs.Submission.record(endpoints, "IndexingJob", indexingJob, IndexingJob.class.getName(), indexing.programArguments(), 2);
    LatencyAlertJob.Config latencyConfig = LatencyAlertJob.Config.from(EmbeddedProduct.settings(Map.of(
        Setting.KAFKA_BOOTSTRAP_SERVERS.variable(), e.kafkaBootstrapServers(),
        Setting.TOPIC_REPLICATION_FACTOR.variable(), "1")));
    String latencyJob = rest.run(jarId, LatencyAlertJob.class.getName(), latencyConfig.programArguments(), 1, null, false);
    Jobs.Submission.record(endpoints, "LatencyAlertJob", latencyJob, LatencyAlertJob.class.getName(),
        latencyConfig.programArguments(), 1);
    // the generations topic the indexing job announces on, whatever the environment says
    CacheWarmingJob.Config warmingConfig = CacheWarmingJob.Config.from(EmbeddedProduct.settings(Map.of(
        Setting.KAFKA_BOOTSTRAP_SERVERS.variable(), e.kafkaBootstrapServers(),
        Setting.TOPIC_REPLICATION_FACTOR.variable(), "1",
        Setting.GENERATIONS_TOPIC.variable(), indexing.generationsTopic())));
    String warmingJob = rest.run(jarId, CacheWarmingJob.class.getName(), warmingConfig.programArguments(), 1, null, false);
    Jobs.Submission.record(endpoints, "CacheWarmingJob", warmingJob, CacheWarmingJob.class.getName(),
        warmingConfig.programArguments(), 1);
    String promTargets = flink.metricsUrl();
    java.util.List<String> flinkTargets = new java.util.ArrayList<>();
    flinkTargets.add(hostPort(flink.metricsUrl()));
    flink.taskManagerMetricsUrls().forEach(u -> flinkTargets.add(hostPort(u)));
    int servicePort = Ports.preferredOrFree(queryPort);
    java.util.List<QueryService> services = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < queryServices; i++) {
        services.add(QueryService.start(EmbeddedProduct.query(e, indexing.index(), i == 0 ? servicePort : Ports.free(),
            Map.of())));
      }
    } catch (RuntimeException failed) { // a bad setting of the service's (e.g. BRAIN_JUDGEMENTS): nothing left running
      services.forEach(QueryService::close);
      flink.close();
      stack.close();
      throw failed;
    }
    QueryService service = services.get(0);

    // the service requires keys: one to use (admin, printed below) and Prometheus's own (metrics only)
    String localKey = LocalKeys.create(e.redisUri(), "local", java.util.Set.of(dev.companionbrain.core.auth.Scope.ADMIN));
    String prometheusKey = LocalKeys.create(e.redisUri(), "prometheus", java.util.Set.of(dev.companionbrain.core.auth.Scope.METRICS));
    PrometheusServer prometheus = PrometheusServer.start(Map.of(
            "query-service", services.stream().map(s -> "127.0.0.1:" + s.port()).toList(),
            "flink", flinkTargets),
        java.time.Duration.ofSeconds(5), java.util.List.of(java.nio.file.Path.of("prometheus", "alerts.yml").toAbsolutePath()),
        Map.of("query-service", prometheusKey));

    endpoints.put("prometheus", prometheus.url());
    endpoints.put("kafka", e.kafkaBootstrapServers());
    endpoints.put("elasticsearch", e.elasticsearchUrl());
    endpoints.put("meilisearch", e.meilisearchUrl());
    endpoints.put("meilisearch_key", e.meilisearchKey());
    endpoints.put("redis", e.redisUri());
    endpoints.put("flink_ui", flink.restUrl());
    endpoints.put("flink_rest", flink.restUrl());
    endpoints.put("flink_metrics", promTargets);
    endpoints.put("flink_checkpoints", flink.checkpointsUri());
    endpoints.put("flink_savepoints", flink.savepointsUri());
    endpoints.put("query_service", service.url());
    endpoints.put("query_services", String.join(",", services.stream().map(QueryService::url).toList()));
    endpoints.put("api_key", localKey);
    endpoints.put("documents_topic", indexing.documentsTopic());
    endpoints.put("indexing_group", indexing.consumerGroup());
    endpoints.put("index", indexing.index());
    RunningStack.write(endpoints);

    System.out.printf("Companion Brain is up (engines in %.1f s)%n", stack.startupTime().toMillis() / 1000.0);
    System.out.println("  kafka           " + e.kafkaBootstrapServers()
        + "   topics: " + String.join(", ", indexing.documentsTopic(), indexing.deadLetterTopic(),
            indexing.generationsTopic(), latencyConfig.latencyTopic(), latencyConfig.statsTopic(), latencyConfig.alertsTopic(),
            warmingConfig.warmTopic()));
    System.out.println("  elasticsearch   " + e.elasticsearchUrl() + "   (OpenSearch 2.19 + k-NN), index: " + indexing.index());
    System.out.println("  meilisearch     " + e.meilisearchUrl() + "   index: " + indexing.index() + " (key in .brain/endpoints.json)");
    System.out.println("  redis           " + e.redisUri() + (redisCluster ? "   (Redis Cluster: 3 masters, 3 replicas)" : ""));
    System.out.println("  query service   " + service.url() + "   GET /search?q=…  POST /multi-search  GET /search/stream?q=…"
        + "  /documents/{id}  /health/ready  /metrics  /status  /openapi.json");
    for (QueryService other : services.subList(1, services.size())) {
      System.out.println("  query service   " + other.url() + "   (another instance, sharing Redis)");
    }
    System.out.println("  api key         " + localKey + "   (scope admin; ./brain keys create makes others)");
    System.out.println("  workbench       " + service.url() + "/ui#key=" + localKey + "   (search with explain, compare two"
        + " settings, status; " + Setting.JUDGEMENTS.variable() + "=<collection folder> scores the compare view)");
    System.out.println("  flink web UI    " + flink.restUrl() + "   (Flink 1.20.3 session cluster: IndexingJob "
        + indexingJob + ", LatencyAlertJob " + latencyJob + ", CacheWarmingJob " + warmingJob + ")");
    System.out.println("  flink metrics   " + String.join("  ", flinkTargets.stream().map(t -> "http://" + t + "/metrics").toList()));
    System.out.println("  flink state     checkpoints " + flink.checkpointsUri() + "   savepoints " + flink.savepointsUri());
    System.out.println("  prometheus      " + prometheus.url() + "   (scrapes both; alert rules from prometheus/alerts.yml)");
    System.out.println("  grafana         dashboards in grafana/dashboards (import into any Grafana pointed at the Prometheus above)");
    System.out.println("Push documents: ./brain ingest docs.jsonl   (or --collection ../shared/data/cranfield)");
    System.out.println("Search:         ./brain search \"boundary layer\"   (or curl -H 'Authorization: Bearer " + localKey + "' '"
        + service.url() + "/search?q=boundary+layer')");
    System.out.println("Jobs:           ./brain jobs list | savepoint | upgrade --jar " + jar + " | cancel");
    System.out.println("Ctrl-C stops everything.");

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping…");
      prometheus.close();
      services.forEach(QueryService::close);
      flink.close();
      stack.close();
      RunningStack.remove();
      System.out.println("stopped");
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }

  private static String hostPort(String metricsUrl) {
    return java.net.URI.create(metricsUrl).getAuthority();
  }
}
