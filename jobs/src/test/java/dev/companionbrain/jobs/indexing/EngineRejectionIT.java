package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.testsupport.Engines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.core.execution.JobClient;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document Elasticsearch refuses goes to the dead-letter topic and is indexed nowhere; its batch
 * neighbours are indexed; the job keeps running (restart strategy none: any failure ends the test).
 */
@ExtendWith(LocalStackExtension.class)
class EngineRejectionIT {
  private static Engines engines;

  @BeforeAll
  static void connect(Endpoints endpoints) {
    engines = new Engines(endpoints);
  }

  @AfterAll
  static void disconnect() throws IOException {
    engines.close();
  }

  @Test
  void aDocumentTheIngestPipelineRefusesIsDeadLetteredAndIndexedNowhereWhileItsNeighboursAreIndexed(
      @TempDir Path checkpoints) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
    String index = config.index();
    IndexingJob.prepare(config);
    // a stand-in for any rejection the engine makes of one document: an ingest pipeline that fails it
    Request pipeline = new Request("PUT", "/_ingest/pipeline/" + index + "-reject");
    pipeline.setJsonEntity("{\"processors\":[{\"fail\":{\"if\":\"ctx.title == 'reject me'\",\"message\":\"refused by test\"}}]}");
    engines.elasticsearch.performRequest(pipeline);
    Request settings = new Request("PUT", "/" + index + "/_settings");
    settings.setJsonEntity("{\"index\":{\"default_pipeline\":\"" + index + "-reject\"}}");
    engines.elasticsearch.performRequest(settings);

    String topic = config.documentsTopic();
    String rejected = Engines.docWithVector("n42", "reject me", 42);
    for (int i = 0; i < 100; i++) {
      engines.produce(topic, "n" + i, i == 42 ? rejected : Engines.docWithVector("n" + i, "neighbour " + i, i));
    }
    engines.flush();
    long offset = engines.readAll(topic, 100, Duration.ofSeconds(30)).stream()
        .filter(r -> "n42".equals(new String(r.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow().offset();

    JobClient job = IndexingJob.start(IndexingJobIT.env(checkpoints, null), config);
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        IndexingJobIT.assertRunning(job);
        assertThat(engines.esCount(index)).isEqualTo(99);
        assertThat(engines.meiliCount(index)).isEqualTo(99);
        assertThat(engines.meiliGet(index, "n42")).as("removed from Meilisearch").isNull();
        assertThat(engines.redis.sync().get(RedisKeys.document("n42"))).as("no hydration entry").isNull();
      });
      assertThat(engines.esGet(index, "n42")).isNull();
      assertThat(engines.esGet(index, "n41")).isNotNull();
      assertThat(engines.meiliGet(index, "n43")).isNotNull();
      assertThat(engines.redis.sync().get(RedisKeys.document("n99"))).contains("neighbour 99");

      var dead = engines.readAll(config.deadLetterTopic(), 1, Duration.ofSeconds(30));
      assertThat(dead).hasSize(1);
      var letter = dead.get(0);
      assertThat(Engines.header(letter, "dlq.reason")).startsWith("elasticsearch_");
      assertThat(Engines.header(letter, "dlq.offset")).isEqualTo(Long.toString(offset));
      assertThat(Engines.header(letter, "dlq.topic")).isEqualTo(topic);
      assertThat(new String(letter.value(), StandardCharsets.UTF_8)).as("original bytes").isEqualTo(rejected);
      assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("n42");
      System.out.println("dead letter: " + Engines.header(letter, "dlq.reason") + " / " + Engines.header(letter, "dlq.message"));
      IndexingJobIT.assertRunning(job);
    } finally {
      job.cancel().get();
    }
  }
}
