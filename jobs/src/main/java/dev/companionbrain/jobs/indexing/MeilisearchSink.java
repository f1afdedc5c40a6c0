package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.index.RetryPolicy;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes actions to a Meilisearch index in batches of {@code batchSize} (or whatever arrived within
 * {@code maxWaitMillis}): each batch is one add-documents and/or one delete-documents task, enqueued
 * without waiting. Enqueued tasks are followed in the background (for freshness) and at every
 * flush/checkpoint the writer waits until all of them have succeeded, so a checkpoint never covers
 * a document Meilisearch has not stored. At-least-once; writes are idempotent by id.
 */
public final class MeilisearchSink implements IndexActionSink, SupportsCommitter<List<String>> {
  private final String url;
  private final String apiKey;
  private final String index;
  private final int batchSize;
  private final long maxWaitMillis;
  private final DeadLetterProducer deadLetters;
  private final long toleranceMillis;
  /** Where the engines are, to remove a refused document from the others (null: not removed). */
  private final IndexingConfig consistency;

  public MeilisearchSink(String url, String apiKey, String index, int batchSize, long maxWaitMillis,
      DeadLetterProducer deadLetters) {
    this(url, apiKey, index, batchSize, maxWaitMillis, deadLetters, RetryPolicy.DEFAULT_TOLERANCE_MILLIS, null);
  }

  /**
   * The job's sink: waits for Meilisearch up to the config's outage tolerance; a document Meilisearch
   * refuses is dead-lettered and, after the checkpoint, removed from Elasticsearch and Redis too.
   */
  public MeilisearchSink(IndexingConfig config, DeadLetterProducer deadLetters) {
    this(config.engines().meilisearchUrl(), config.engines().meilisearchKey(), config.meilisearchIndex(), config.batchSize(),
        config.maxBatchWaitMillis(), deadLetters, config.engineOutageToleranceMillis(), config);
  }

  private MeilisearchSink(String url, String apiKey, String index, int batchSize, long maxWaitMillis,
      DeadLetterProducer deadLetters, long toleranceMillis, IndexingConfig consistency) {
    this.toleranceMillis = toleranceMillis;
    this.consistency = consistency;
    this.url = url;
    this.apiKey = apiKey;
    this.index = index;
    this.batchSize = batchSize;
    this.maxWaitMillis = maxWaitMillis;
    this.deadLetters = deadLetters;
  }

  @Override
  public Committer<List<String>> createCommitter(CommitterInitContext context) {
    return consistency != null ? new RejectedDocuments(consistency) : new Committer<>() {
      @Override
      public void commit(java.util.Collection<CommitRequest<List<String>>> requests) {}

      @Override
      public void close() {}
    };
  }

  @Override
  public SimpleVersionedSerializer<List<String>> getCommittableSerializer() {
    return new RejectedDocuments.IdsSerializer();
  }

  @Override
  public SinkWriter<IndexAction> createWriter(WriterInitContext context) {
    return new MeilisearchWriter(new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(url, apiKey)), index,
        batchSize, maxWaitMillis, context.getProcessingTimeService(), context.metricGroup(),
        deadLetters == null ? null : deadLetters.open(), RetryPolicy.tolerating(toleranceMillis));
  }
}
