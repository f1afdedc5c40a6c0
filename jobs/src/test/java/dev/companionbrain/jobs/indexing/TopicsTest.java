package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void aPolicyCompactsWhenOneOfItsPartsIsCompact() {
    assertThat(Topics.compacts("compact")).isTrue();
    assertThat(Topics.compacts("compact,delete")).isTrue();
    assertThat(Topics.compacts("delete, compact")).isTrue();
    assertThat(Topics.compacts("delete")).isFalse();
    assertThat(Topics.compacts("compaction")).isFalse();
    assertThat(Topics.compacts("")).isFalse();
    assertThat(Topics.compacts(null)).isFalse();
  }

  @Test
  void theDocumentsTopicIsCompactedAndKeepsTombstonesLongerThanAReplay() {
    assertThat(Topics.COMPACTED).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact")
        .containsEntry(TopicConfig.DELETE_RETENTION_MS_CONFIG, "604800000").hasSize(2);
  }
}
