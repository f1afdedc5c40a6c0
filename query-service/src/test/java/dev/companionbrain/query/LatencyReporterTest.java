package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.localstack.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With Kafka away, reporting never blocks the caller: events beyond the queue are dropped and counted. */
class LatencyReporterTest {

  @Test
  void anUnreachableKafkaMakesReportsDropNotBlock() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // a port nobody listens on: the producer cannot fetch metadata, so its sender thread is stuck
    try (LatencyReporter reporter = new LatencyReporter(LatencyReporter.producer("127.0.0.1:" + Ports.free()), "search.latency", registry)) {
      for (int i = 0; i < 25_000; i++) {
        reporter.report(new dev.companionbrain.core.telemetry.LatencyEvent("search", "hybrid", "l1", 200, 0.5, Map.of(), i,
            null, 0));
      }
      // at most a full queue and one batch taken by the (stuck) sender thread are held; the rest are dropped
      int held = LatencyReporter.QUEUE_CAPACITY + LatencyReporter.MAX_BATCH;
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(registry.get("brain_latency_events_dropped").counter().count()).isGreaterThanOrEqualTo(25_000 - held));
      assertThat(registry.get("brain_latency_events_published").counter().count()).isZero();
    }
  }
}
