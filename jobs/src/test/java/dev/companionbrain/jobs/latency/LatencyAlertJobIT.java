package dev.companionbrain.jobs.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The latency job on Kafka: events in, stats and alerts out on their topics. */
@ExtendWith(LocalStackExtension.class)
class LatencyAlertJobIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void statsAndAlertsReachTheirTopics(Endpoints endpoints) throws Exception {
    String ns = "lat" + UUID.randomUUID().toString().substring(0, 8);
    LatencyAlertJob.Config config = new LatencyAlertJob.Config(endpoints.kafkaBootstrapServers(), ns + "-search.latency",
        ns + "-search.latency.stats", ns + "-search.alerts", ns, Duration.ofSeconds(5), 100, 0.05, 5);
    try (Engines engines = new Engines(endpoints)) {
      long t0 = System.currentTimeMillis() / 5000 * 5000;
      for (int i = 0; i < 20; i++) {
        engines.produce(config.latencyTopic(), null, new String(LatencyAlertJobTest.event("hybrid", "miss", 200, 250, t0 + i),
            StandardCharsets.UTF_8));
      }
      // a later event moves the watermark past the first window
      engines.produce(config.latencyTopic(), null, new String(LatencyAlertJobTest.event("hybrid", "l1", 200, 1, t0 + 20_000),
          StandardCharsets.UTF_8));
      engines.flush();
      JobClient job = LatencyAlertJob.start(StreamExecutionEnvironment.createLocalEnvironment(1), config);
      try {
        var stats = engines.readAll(config.statsTopic(), 1, Duration.ofSeconds(60));
        assertThat(stats).isNotEmpty();
        JsonNode first = JSON.readTree(stats.get(0).value());
        assertThat(first.get("count").asLong()).isEqualTo(20);
        assertThat(first.get("p95_ms").asDouble()).isBetween(249.0, 251.0);
        var alerts = engines.readAll(config.alertsTopic(), 1, Duration.ofSeconds(30));
        assertThat(alerts).isNotEmpty();
        assertThat(JSON.readTree(alerts.get(0).value()).get("kind").asText()).isEqualTo("p95_latency");
      } finally {
        job.cancel().get();
      }
    }
  }
}
