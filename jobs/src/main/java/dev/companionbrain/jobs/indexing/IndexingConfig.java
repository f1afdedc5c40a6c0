package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.config.Settings;
import java.io.Serializable;

/**
 * Where the indexing job reads and writes; from environment variables with local defaults.
 * {@link #toString()} never shows secrets.
 */
public record IndexingConfig(
    String kafkaBootstrapServers,
    String documentsTopic,
    String deadLetterTopic,
    String consumerGroup,
    EngineAddresses engines,
    String index,
    int batchSize,
    long maxBatchWaitMillis,
    long checkpointIntervalMillis) implements Serializable {

  public static IndexingConfig from(Settings s) {
    return new IndexingConfig(
        s.kafkaBootstrapServers(),
        s.get("BRAIN_DOCUMENTS_TOPIC", "documents"),
        s.get("BRAIN_DLQ_TOPIC", "documents.dlq"),
        s.get("BRAIN_INDEXING_GROUP", "brain-indexing"),
        EngineAddresses.from(s),
        s.index(),
        s.getInt("BRAIN_BATCH_SIZE", 100),
        s.getLong("BRAIN_BATCH_MAX_WAIT_MS", 1000),
        s.getLong("BRAIN_CHECKPOINT_INTERVAL_MS", 2000));
  }

  @Override
  public String toString() {
    return "IndexingConfig[kafka=" + kafkaBootstrapServers + ", topic=" + documentsTopic + ", dlq=" + deadLetterTopic
        + ", " + engines + ", index=" + index
        + ", batch=" + batchSize + "/" + maxBatchWaitMillis + "ms, checkpoints every " + checkpointIntervalMillis + "ms]";
  }
}
