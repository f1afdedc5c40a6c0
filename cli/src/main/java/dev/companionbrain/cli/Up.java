package dev.companionbrain.cli;

import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.query.QueryService;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.jobs.latency.LatencyAlertJob;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.Ports;
import dev.companionbrain.localstack.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the local stack, the Flink jobs (with web UI and Prometheus reporter), and runs until Ctrl-C. */
@Command(name = "up", description = "Run Companion Brain locally on real engines; Ctrl-C stops everything.")
final class Up implements Callable<Integer> {
  @Option(names = "--flink-port", description = "Flink web UI port (default 8081, or a free one if taken)")
  int flinkPort = 8081;

  @Option(names = "--port", description = "query service port (default 8080, or a free one if taken)")
  int queryPort = 8080;

  @Option(names = "--metrics-port", description = "Flink Prometheus reporter port (default 9249, or a free one)")
  int metricsPort = 9249;

  @Override
  public Integer call() throws Exception {
    LocalStack stack = LocalStack.start();
    Endpoints e = stack.endpoints();
    IndexingConfig indexing = EmbeddedProduct.indexing(e, "documents", "documents.dlq", "documents");
    int uiPort = Ports.preferredOrFree(flinkPort);
    int promPort = Ports.preferredOrFree(metricsPort);
    Path checkpoints = Files.createTempDirectory("brain-checkpoints-");
    Configuration conf = new Configuration();
    conf.set(RestOptions.PORT, uiPort);
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.port", Integer.toString(promPort));
    // one embedded cluster (web UI, Prometheus reporter) that both jobs are submitted to
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
        .setNumTaskManagers(1).setNumSlotsPerTaskManager(8).build());
    cluster.start();
    int restPort = cluster.getRestAddress().get().getPort();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort, new Configuration());
    env.setParallelism(2);
    JobClient indexingJob = IndexingJob.start(env, indexing);
    LatencyAlertJob.Config latencyConfig = LatencyAlertJob.Config.from(new Settings(Map.of(
        "BRAIN_KAFKA_BOOTSTRAP_SERVERS", e.kafkaBootstrapServers())));
    StreamExecutionEnvironment latencyEnv = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort,
        new Configuration());
    latencyEnv.setParallelism(1);
    JobClient latencyJob = LatencyAlertJob.start(latencyEnv, latencyConfig);
    int servicePort = Ports.preferredOrFree(queryPort);
    QueryService service = QueryService.start(EmbeddedProduct.query(e, indexing.index(), servicePort, Map.of()));

    PrometheusServer prometheus = PrometheusServer.start(Map.of(
            "query-service", java.util.List.of("127.0.0.1:" + service.port()),
            "flink", java.util.List.of("127.0.0.1:" + promPort)),
        java.time.Duration.ofSeconds(5), java.util.List.of(java.nio.file.Path.of("prometheus", "alerts.yml").toAbsolutePath()));

    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("prometheus", prometheus.url());
    endpoints.put("kafka", e.kafkaBootstrapServers());
    endpoints.put("elasticsearch", e.elasticsearchUrl());
    endpoints.put("meilisearch", e.meilisearchUrl());
    endpoints.put("meilisearch_key", e.meilisearchKey());
    endpoints.put("redis", e.redisUri());
    endpoints.put("flink_ui", "http://127.0.0.1:" + uiPort);
    endpoints.put("flink_metrics", "http://127.0.0.1:" + promPort + "/metrics");
    endpoints.put("query_service", service.url());
    endpoints.put("documents_topic", indexing.documentsTopic());
    endpoints.put("index", indexing.index());
    RunningStack.write(endpoints);

    System.out.printf("Companion Brain is up (engines in %.1f s)%n", stack.startupTime().toMillis() / 1000.0);
    System.out.println("  kafka           " + e.kafkaBootstrapServers()
        + "   topics: documents, documents.dlq, search.latency, search.latency.stats, search.alerts");
    System.out.println("  elasticsearch   " + e.elasticsearchUrl() + "   (OpenSearch 2.19 + k-NN), index: documents");
    System.out.println("  meilisearch     " + e.meilisearchUrl() + "   index: documents (key in .brain/endpoints.json)");
    System.out.println("  redis           " + e.redisUri());
    System.out.println("  query service   " + service.url() + "   GET /search?q=…  /health/ready  /metrics  /openapi.json");
    System.out.println("  flink web UI    http://127.0.0.1:" + uiPort + "   (IndexingJob, LatencyAlertJob)");
    System.out.println("  flink metrics   http://127.0.0.1:" + promPort + "/metrics");
    System.out.println("  prometheus      " + prometheus.url() + "   (scrapes both; alert rules from prometheus/alerts.yml)");
    System.out.println("  grafana         dashboards in grafana/dashboards (import into any Grafana pointed at the Prometheus above)");
    System.out.println("Push documents: ./brain ingest docs.jsonl   (or --collection ../shared/data/cranfield)");
    System.out.println("Search:         ./brain search \"boundary layer\"   (or curl '" + service.url() + "/search?q=boundary+layer')");
    System.out.println("Ctrl-C stops everything.");

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping…");
      prometheus.close();
      service.close();
      try {
        latencyJob.cancel().get();
        indexingJob.cancel().get();
      } catch (Exception ignored) {
        // the cluster goes down with the JVM anyway
      }
      try {
        cluster.close();
      } catch (Exception ignored) {
        // stopping anyway
      }
      stack.close();
      dev.companionbrain.localstack.Folders.delete(checkpoints);
      RunningStack.remove();
      System.out.println("stopped");
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }
}
