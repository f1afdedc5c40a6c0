package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.testsupport.Engines;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engines that go away while documents stream in hold the pipeline back instead of failing it: during
 * an ingest of 6,000 documents (supplied vectors, about 60 a second) OpenSearch is frozen (SIGSTOP),
 * then Meilisearch, then Redis is stopped and started again, each for {@link #OUTAGE}. The job runs
 * with restart strategy none, so a single failure (which would otherwise be a restart) ends it; at the
 * end every document is in both engines and Redis, each once.
 *
 * <p>The outages last 30 s each, with a 60 s tolerance; documents are produced at 60 a second, so the
 * ingest of 6,000 goes on through all three outages (past the tolerance the job would fail, naming
 * the engine: RetryPolicyTest).
 */
@ExtendWith(LocalStackExtension.class)
class EngineOutageIT {
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final int DOCUMENTS = 6_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Engines engines;
  private static LocalStack stack;

  @BeforeAll
  static void connect(LocalStack localStack) {
    stack = localStack;
    engines = new Engines(localStack.endpoints());
  }

  @AfterAll
  static void disconnect() throws IOException {
    engines.close();
  }

  @Test
  void frozenOrStoppedEnginesHoldThePipelineBackAndNothingIsLostOrDoubled(@TempDir Path checkpoints) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000).withEngineOutageTolerance(60_000);
    String index = config.index();
    AtomicInteger produced = new AtomicInteger();
    ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
    JobClient job = IndexingJob.start(IndexingJobIT.env(checkpoints, null), config);
    try {
      producer.scheduleAtFixedRate(() -> {
        for (int i = 0; i < 6 && produced.get() < DOCUMENTS; i++) {
          int n = produced.getAndIncrement();
          engines.produce(config.documentsTopic(), "o" + n, Engines.docWithVector("o" + n, "outage doc " + n, n));
        }
        engines.flush();
      }, 0, 100, TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> engines.esSearchableCount(index) > 100);

      stack.freezeOpenSearch();
      try {
        stayRunning(job);
      } finally {
        stack.thawOpenSearch();
      }
      stack.freezeMeilisearch();
      try {
        stayRunning(job);
      } finally {
        stack.thawMeilisearch();
      }
      stack.stopRedisKeepingData();
      try {
        stayRunning(job);
      } finally {
        stack.startRedisAgain();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> produced.get() >= DOCUMENTS);

      Set<String> expected = IntStream.range(0, DOCUMENTS).mapToObj(n -> "o" + n).collect(Collectors.toSet());
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        IndexingJobIT.assertRunning(job);
        assertThat(engines.esSearchableCount(index)).isEqualTo(DOCUMENTS);
        assertThat(engines.meiliCount(index)).isEqualTo(DOCUMENTS);
        assertThat(missingInRedis(expected)).isEmpty();
      });
      assertThat(engines.esCount(index)).isEqualTo(DOCUMENTS);
      List<String> esIds = elasticsearchIds(index);
      assertThat(esIds).hasSize(DOCUMENTS);
      assertThat(new HashSet<>(esIds)).isEqualTo(expected);
      List<String> meiliIds = meilisearchIds(index);
      assertThat(meiliIds).hasSize(DOCUMENTS);
      assertThat(new HashSet<>(meiliIds)).isEqualTo(expected);
      IndexingJobIT.assertRunning(job);
    } finally {
      producer.shutdownNow();
      job.cancel().get();
    }
  }

  /** The outage lasts {@link #OUTAGE}; the job must run throughout (restart strategy none). */
  private static void stayRunning(JobClient job) {
    await().during(OUTAGE).atMost(OUTAGE.plusSeconds(5)).pollInterval(Duration.ofMillis(500))
        .until(() -> !job.getJobStatus().get().isGloballyTerminalState());
  }

  private static List<String> missingInRedis(Set<String> ids) {
    List<String> all = new ArrayList<>(ids);
    List<String> missing = new ArrayList<>();
    for (int from = 0; from < all.size(); from += 500) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      var values = engines.redis.sync().mget(chunk.stream().map(RedisKeys::document).toArray(String[]::new));
      for (int i = 0; i < chunk.size(); i++) {
        if (!values.get(i).hasValue()) {
          missing.add(chunk.get(i));
        }
      }
    }
    return missing;
  }

  private static List<String> elasticsearchIds(String index) throws IOException {
    Request search = new Request("POST", "/" + index + "/_search");
    search.setJsonEntity("{\"size\":10000,\"_source\":false,\"query\":{\"match_all\":{}}}");
    JsonNode hits = JSON.readTree(engines.elasticsearch.performRequest(search).getEntity().getContent()).at("/hits/hits");
    List<String> ids = new ArrayList<>();
    hits.forEach(h -> ids.add(h.get("_id").asText()));
    return ids;
  }

  private static List<String> meilisearchIds(String index) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            engines.endpoints.meilisearchUrl() + "/indexes/" + index + "/documents?fields=id&limit=10000"))
        .header("Authorization", "Bearer " + engines.endpoints.meilisearchKey()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    List<String> ids = new ArrayList<>();
    JSON.readTree(response.body()).get("results").forEach(d -> ids.add(d.get("id").asText()));
    return ids;
  }
}
