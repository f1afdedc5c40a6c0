package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.jobs.latency.LatencyAlertJob;
import dev.companionbrain.jobs.warming.CacheWarmingJob;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgramArgumentsTest {
  @Test
  void aConfigSurvivesTheTripThroughProgramArgumentsWithoutItsSecrets() {
    IndexingConfig config = new IndexingConfig("k:1", "docs", "docs.dlq", "docs.generations", "group",
        EngineAddresses.withoutLogins("http://es:9200", "http://meili:7700", "the-master-key", "redis://r:6379"),
        "idx", 50, 700, 1500, (short) 3, 2, 45_000, 250, dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL);
    assertThat(config.programArguments()).doesNotContain("the-master-key");
    IndexingConfig back = IndexingConfig.fromArgs(config.programArguments().toArray(String[]::new));
    assertThat(back.kafkaBootstrapServers()).isEqualTo("k:1");
    assertThat(back.documentsTopic()).isEqualTo("docs");
    assertThat(back.generationsTopic()).isEqualTo("docs.generations");
    assertThat(back.batchSize()).isEqualTo(50);
    assertThat(back.checkpointIntervalMillis()).isEqualTo(1500);
    assertThat(back.topicReplicationFactor()).isEqualTo((short) 3);
    assertThat(back.indexReplicas()).isEqualTo(2);
    assertThat(back.engineOutageToleranceMillis()).isEqualTo(45_000);
    assertThat(back.generationChangesMax()).isEqualTo(250);
    assertThat(back.embeddingModel()).isEqualTo(dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL);
    assertThat(back.engines().meilisearchUrl()).isEqualTo("http://meili:7700");
    assertThat(back.indexVersion()).isEqualTo(IndexingConfig.SERVED);
    assertThat(back.replay()).isFalse();
    IndexingConfig replay = IndexingConfig.fromArgs(config.withIndexVersion(3, true).programArguments().toArray(String[]::new));
    assertThat(replay.indexVersion()).isEqualTo(3);
    assertThat(replay.replay()).isTrue();
    assertThat(replay.elasticsearchIndex()).isEqualTo("idx_v3");
    assertThat(replay.meilisearchIndex()).isEqualTo("idx_v3");
    assertThat(back.meilisearchIndex()).as("the version a stack starts with keeps the plain name").isEqualTo("idx");
    assertThat(replay.withIndexVersion(1, false).meilisearchIndex()).isEqualTo("idx");

    LatencyAlertJob.Config latency = new LatencyAlertJob.Config("k:1", "lat", "stats", "alerts", "g",
        Duration.ofSeconds(5), 300, 0.1, 7, (short) 2);
    assertThat(LatencyAlertJob.Config.fromArgs(latency.programArguments().toArray(String[]::new))).isEqualTo(latency);

    CacheWarmingJob.Config warming = new CacheWarmingJob.Config("k:1", "lat", "gens", "warm", "g", 25,
        Duration.ofSeconds(120), (short) 2);
    assertThat(CacheWarmingJob.Config.fromArgs(warming.programArguments().toArray(String[]::new))).isEqualTo(warming);
  }

  @Test
  void aBadValueFailsWithOneLineNamingTheArgument() {
    assertThatThrownBy(() -> IndexingConfig.fromArgs(new String[] {"--batch-size", "0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--batch-size must be at least 1, got 0");
    assertThatThrownBy(() -> LatencyAlertJob.Config.fromArgs(new String[] {"--alert-p95-ms", "fast"}))
        .hasMessage("--alert-p95-ms must be a number, got 'fast'");
  }
}
