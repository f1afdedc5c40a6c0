package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.localstack.Endpoints;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code ./brain up}, {@code brain eval} and the benchmarks run is what the settings catalogue says. */
class EmbeddedProductTest {
  private static final Endpoints STACK = new Endpoints("127.0.0.1:19092", "http://127.0.0.1:19200",
      "http://127.0.0.1:17700", "master", "search", "redis://127.0.0.1:16379");

  @Test
  void withoutSettingsTheJobRunsTheCataloguesDefaultsOnTheStacksEngines() {
    IndexingConfig c = EmbeddedProduct.indexing(STACK, new Settings(Map.of()));

    assertThat(c.batchSize()).isEqualTo(Integer.parseInt(Setting.BATCH_SIZE.defaultValue()));
    assertThat(c.maxBatchWaitMillis()).isEqualTo(Long.parseLong(Setting.BATCH_MAX_WAIT_MS.defaultValue()));
    assertThat(c.checkpointIntervalMillis()).as("docs/CONFIGURATION.md's default").isEqualTo(1000)
        .isEqualTo(Long.parseLong(Setting.CHECKPOINT_INTERVAL_MS.defaultValue()));
    assertThat(c.engineOutageToleranceMillis()).isEqualTo(Long.parseLong(Setting.ENGINE_OUTAGE_TOLERANCE_MS.defaultValue()));
    assertThat(c.generationChangesMax()).isEqualTo(Integer.parseInt(Setting.GENERATION_CHANGES_MAX.defaultValue()));
    assertThat(c.documentsTopic()).isEqualTo(Setting.DOCUMENTS_TOPIC.defaultValue());
    assertThat(c.deadLetterTopic()).isEqualTo(Setting.DLQ_TOPIC.defaultValue());
    assertThat(c.generationsTopic()).isEqualTo(Setting.GENERATIONS_TOPIC.defaultValue());
    assertThat(c.consumerGroup()).isEqualTo(Setting.INDEXING_GROUP.defaultValue());
    assertThat(c.index()).isEqualTo(Setting.INDEX.defaultValue());
    assertThat(c.kafkaBootstrapServers()).isEqualTo(STACK.kafkaBootstrapServers());
    assertThat(c.engines().meilisearchKey()).isEqualTo("master");
    assertThat(c.engines().redisUri()).isEqualTo(STACK.redisUri());
  }

  @Test
  void theEnvironmentTunesTheJobButTheStackSaysWhereTheEnginesAre() {
    IndexingConfig c = EmbeddedProduct.indexing(STACK, new Settings(Map.of(
        Setting.CHECKPOINT_INTERVAL_MS.variable(), "2500",
        Setting.BATCH_SIZE.variable(), "50",
        Setting.BATCH_MAX_WAIT_MS.variable(), "300",
        Setting.GENERATION_CHANGES_MAX.variable(), "20",
        Setting.INDEX.variable(), "mine",
        Setting.KAFKA_BOOTSTRAP_SERVERS.variable(), "elsewhere:9092",
        Setting.TOPIC_REPLICATION_FACTOR.variable(), "3")));

    assertThat(c.checkpointIntervalMillis()).isEqualTo(2500);
    assertThat(c.batchSize()).isEqualTo(50);
    assertThat(c.maxBatchWaitMillis()).isEqualTo(300);
    assertThat(c.generationChangesMax()).isEqualTo(20);
    assertThat(c.index()).isEqualTo("mine");
    assertThat(c.kafkaBootstrapServers()).isEqualTo(STACK.kafkaBootstrapServers());
    assertThat(c.topicReplicationFactor()).as("the local stack has one broker").isEqualTo((short) 1);
    assertThat(c.indexReplicas()).isZero();
  }

  @Test
  void aNamespacedRunNamesItsTopicsIndexAndGroupAndTakesOverrides() {
    IndexingConfig c = EmbeddedProduct.indexing(STACK, "ns-documents", "ns-dlq", "ns",
        Map.of(Setting.CHECKPOINT_INTERVAL_MS.variable(), "700"));

    assertThat(c.documentsTopic()).isEqualTo("ns-documents");
    assertThat(c.deadLetterTopic()).isEqualTo("ns-dlq");
    assertThat(c.index()).isEqualTo("ns");
    assertThat(c.consumerGroup()).isEqualTo("brain-indexing-ns");
    assertThat(c.checkpointIntervalMillis()).isEqualTo(700);
  }
}
