package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.index.RetryPolicy;
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
    long checkpointIntervalMillis,
    long engineOutageToleranceMillis) implements Serializable {

  /** With the default outage tolerance. */
  public IndexingConfig(String kafkaBootstrapServers, String documentsTopic, String deadLetterTopic, String consumerGroup,
      EngineAddresses engines, String index, int batchSize, long maxBatchWaitMillis, long checkpointIntervalMillis) {
    this(kafkaBootstrapServers, documentsTopic, deadLetterTopic, consumerGroup, engines, index, batchSize,
        maxBatchWaitMillis, checkpointIntervalMillis, RetryPolicy.DEFAULT_TOLERANCE_MILLIS);
  }

  /** The same, waiting {@code millis} for an engine that is away before failing (see docs/FAULTS.md). */
  public IndexingConfig withEngineOutageTolerance(long millis) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, consumerGroup, engines, index,
        batchSize, maxBatchWaitMillis, checkpointIntervalMillis, millis);
  }

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
        s.getLong("BRAIN_CHECKPOINT_INTERVAL_MS", 2000),
        s.getLong("BRAIN_ENGINE_OUTAGE_TOLERANCE_MS", RetryPolicy.DEFAULT_TOLERANCE_MILLIS));
  }

  @Override
  public String toString() {
    return "IndexingConfig[kafka=" + kafkaBootstrapServers + ", topic=" + documentsTopic + ", dlq=" + deadLetterTopic
        + ", " + engines + ", index=" + index
        + ", batch=" + batchSize + "/" + maxBatchWaitMillis + "ms, checkpoints every " + checkpointIntervalMillis + "ms, engine outage tolerance " + engineOutageToleranceMillis + "ms]";
  }
}
