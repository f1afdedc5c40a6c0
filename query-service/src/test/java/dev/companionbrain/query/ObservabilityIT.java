package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.localstack.Ports;
import dev.companionbrain.localstack.PrometheusServer;
import dev.companionbrain.testsupport.Repository;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real Prometheus scrapes the query service and the IndexingJob's reporter; every Grafana panel
 * query is evaluated against it (Grafana itself cannot be installed here), the alert rules load, and
 * promtool's unit tests of the rules pass.
 */
@ExtendWith(LocalStackExtension.class)
class ObservabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path REPO = Repository.root();

  @Test
  void alertRulesPassTheirPromtoolUnitTests() throws Exception {
    Process promtool = new ProcessBuilder("promtool", "test", "rules", "alerts_test.yml")
        .directory(REPO.resolve("prometheus").toFile()).redirectErrorStream(true).start();
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor()).as(output).isZero();
    assertThat(output).contains("SUCCESS");
  }

  @Test
  void prometheusScrapesServiceAndFlinkAndEveryDashboardQueryAnswers(Endpoints endpoints) throws Exception {
    try (Engines engines = new Engines(endpoints)) {
      IndexingConfig indexing = IndexingConfig.inNamespace(Engines.freshNamespace(),
          engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
      int reporterPort = Ports.free();
      Configuration conf = new Configuration();
      conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      conf.setString("metrics.reporter.prom.port", Integer.toString(reporterPort));
      JobClient job = IndexingJob.start(StreamExecutionEnvironment.createLocalEnvironment(1, conf), indexing);
      try (QueryService service = QueryService.start(QueryServiceIT.configFor(endpoints, endpoints.redisUri(), indexing, 64, Map.of()))) {
        engines.produce(indexing.documentsTopic(), "m1", Engines.doc("m1", "Metrics matter", "observability of a search system"));
        engines.produce(indexing.documentsTopic(), "m2", Engines.doc("m2", "Dashboards", "panels that answer"));
        engines.produce(indexing.documentsTopic(), "bad", "{not json");
        engines.flush();
        await().atMost(Duration.ofSeconds(90)).until(() -> engines.meiliCount(indexing.index()) == 2);
        try (PrometheusServer prometheus = PrometheusServer.start(Map.of(
                "query-service", List.of("127.0.0.1:" + service.port()),
                "flink", List.of("127.0.0.1:" + reporterPort)),
            Duration.ofSeconds(1), List.of(REPO.resolve("prometheus/alerts.yml")))) {
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
              assertThat(query(prometheus, "sum(up)").at("/data/result/0/value/1").asText()).isEqualTo("2"));
          JsonNode dashboard = JSON.readTree(Files.readString(REPO.resolve("grafana/dashboards/companion-brain.json")));
          List<String> expressions = new ArrayList<>();
          dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));
          assertThat(expressions).hasSize(20);
          // traffic while Prometheus watches, so that rates have two samples to work with
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (int i = 0; i < 5; i++) {
              HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search?q=metrics+" + (i % 2))).build(),
                  HttpResponse.BodyHandlers.discarding());
            }
            for (String expr : expressions) {
              JsonNode answer = query(prometheus, expr);
              assertThat(answer.get("status").asText()).as(expr).isEqualTo("success");
              assertThat(answer.at("/data/result")).as("no data for " + expr).isNotEmpty();
            }
          });
          // every rule of alerts.yml is loaded and evaluates without error (health "ok", not "err" or "unknown")
          List<String> alertNames = java.nio.file.Files.readAllLines(java.nio.file.Path.of("..", "prometheus", "alerts.yml"))
              .stream().map(String::strip).filter(l -> l.startsWith("- alert:"))
              .map(l -> l.substring("- alert:".length()).strip()).toList();
          assertThat(alertNames).hasSizeGreaterThanOrEqualTo(6);
          await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode rules = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.url() + "/api/v1/rules")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
            java.util.Map<String, String> health = new java.util.TreeMap<>();
            rules.at("/data/groups").forEach(g -> g.get("rules").forEach(r ->
                health.put(r.get("name").asText(), r.get("health").asText() + " " + r.path("lastError").asText(""))));
            assertThat(health.keySet()).containsExactlyInAnyOrderElementsOf(alertNames);
            assertThat(health.values()).allSatisfy(h -> assertThat(h.strip()).isEqualTo("ok"));
          });
        }
      } finally {
        job.cancel().get();
      }
    }
  }

  private static JsonNode query(PrometheusServer prometheus, String expr) throws Exception {
    String url = prometheus.url() + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
  }
}
