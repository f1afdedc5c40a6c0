package dev.companionbrain.jobs.warming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.core.cache.WarmRequest;
import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The warming job on Kafka and a MiniCluster: latency events and a notice in, warm requests out. */
@ExtendWith(LocalStackExtension.class)
class CacheWarmingJobIT {

  @Test
  void aNewGenerationBringsTheMostAskedWindowsInOrder(Endpoints endpoints) throws Exception {
    String ns = "warm" + UUID.randomUUID().toString().substring(0, 8);
    CacheWarmingJob.Config config = new CacheWarmingJob.Config(endpoints.kafkaBootstrapServers(), ns + "-search.latency",
        ns + "-index.generations", ns + "-cache.warm", ns, 2, Duration.ofSeconds(300));
    long now = System.currentTimeMillis();
    try (Engines engines = new Engines(endpoints)) {
      // "boundary layer" 6 times, "shock waves" 4, "heat transfer" twice, and failures that do not count
      for (int i = 0; i < 6; i++) {
        produce(engines, config, PopularWindowsTest.event("boundary layer", 200, now + i));
      }
      for (int i = 0; i < 4; i++) {
        produce(engines, config, PopularWindowsTest.event("shock waves", 200, now + i));
      }
      for (int i = 0; i < 2; i++) {
        produce(engines, config, PopularWindowsTest.event("heat transfer", 200, now + i));
      }
      for (int i = 0; i < 9; i++) {
        produce(engines, config, PopularWindowsTest.event("heat transfer", 503, now + i));
      }
      engines.flush();
      JobClient job = CacheWarmingJob.start(StreamExecutionEnvironment.createLocalEnvironment(1), config);
      try {
        // notices are read from the latest offset and may overtake the events: announce generation after
        // generation until one finds every event counted
        long[] generation = {0};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          generation[0]++;
          engines.produce(config.generationsTopic(), Long.toString(generation[0]),
              new String(PopularWindowsTest.notice(generation[0], System.currentTimeMillis()), StandardCharsets.UTF_8));
          engines.flush();
          Map<Long, List<WarmRequest>> byGeneration = new TreeMap<>();
          for (var record : engines.readAll(config.warmTopic(), Integer.MAX_VALUE, Duration.ofSeconds(2))) {
            WarmRequest request = WarmRequest.fromJson(record.value());
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(request.window().cacheKey());
            byGeneration.computeIfAbsent(request.generation(), x -> new ArrayList<>()).add(request);
          }
          // k = 2 of them, most asked first; the failed searches did not count
          assertThat(byGeneration.values()).anySatisfy(requests -> assertThat(requests)
              .extracting(r -> r.window().q(), WarmRequest::count, WarmRequest::rank)
              .containsExactlyInAnyOrder(tuple("boundary layer", 6L, 1), tuple("shock waves", 4L, 2)));
        });
      } finally {
        job.cancel().get();
      }
    }
  }

  private static void produce(Engines engines, CacheWarmingJob.Config config, byte[] event) {
    engines.produce(config.latencyTopic(), null, new String(event, StandardCharsets.UTF_8));
  }
}
